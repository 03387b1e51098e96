"""Port scans: one source probing many ports of a host, or one port on many hosts.

A connection attempt is a TCP SYN (or a FIN, NULL or Xmas packet outside any
connection). The answers tell the scan apart from busy clients: a scanner's
probes are mostly refused (RST), unanswered or dropped by the scanner itself
right after the SYN/ACK (a half-open "SYN scan"), while real connections carry
data. So a probe is an attempt that carried no data either way: the ports
scanned, open (answered SYN/ACK), closed (RST) and unanswered are counted over
probes only, and the scanner's own later sessions (the FTP login it brute-forced,
the passive-mode data connections it opened after) neither add scanned ports nor
"open" ones. Open ports are listed in numeric order.
"""

from __future__ import annotations

import ipaddress

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso

SYN, ACK, RST, FIN, PSH, URG = 0x02, 0x10, 0x04, 0x01, 0x08, 0x20
OPEN, CLOSED, DATA, HALF, CONNECT = 1, 2, 4, 8, 16
_STEALTH = {0x00: "null", FIN: "fin", FIN | PSH | URG: "xmas"}


class _Source:
    __slots__ = ("probes", "attempts", "stealth")

    def __init__(self) -> None:
        self.probes: dict[tuple[str, int], int] = {}  # (host, port) -> state bits of all its attempts
        self.attempts: list[list] = []  # [target, state bits, packets, first frame, first/last ts] per attempt
        self.stealth: dict[str, int] = {}


def _target_order(target: tuple[str, int]) -> tuple[int, int, int]:
    """Numeric order of (host, port): by address, then port (not as text: 8556 after 80)."""
    host = ipaddress.ip_address(target[0])
    return host.version, int(host), target[1]


class PortScan(Detector):
    """One source -> many ports or many hosts, mostly refused or unanswered."""

    name = "scan"
    options = {
        "min_ports": 15,  # distinct ports on one host (vertical scan)
        "min_hosts": 15,  # distinct hosts on one port (horizontal sweep)
        "min_failed_share": 0.8,  # probes that carried no data / all probes
    }

    def __init__(self, **values) -> None:
        super().__init__(**values)
        self.sources: dict[str, _Source] = {}
        self.conns: dict[tuple, tuple[_Source, tuple[str, int]]] = {}

    def packet(self, pkt: Packet) -> None:
        d = pkt.ip
        if d is None or d[1] != 6 or d[4] is None:
            return
        flags = d[9] & 0x3F
        sport, dport = d[4], d[5]
        key = (pkt.src, sport, pkt.dst, dport)
        if flags & (SYN | ACK) == SYN or (flags in _STEALTH and key not in self.conns):
            source = self.sources.get(pkt.src)
            if source is None:
                source = self.sources[pkt.src] = _Source()
            target = (pkt.dst, dport)
            source.probes.setdefault(target, 0)
            if not flags & SYN:
                kind = _STEALTH[flags]
                source.stealth[kind] = source.stealth.get(kind, 0) + 1
            entry = self.conns.get(key)
            if entry is not None and entry[0] is source and entry[1][0] == target and not entry[1][1] & DATA:
                entry[1][2] += 1  # a retransmitted SYN: the same attempt
                entry[1][5] = pkt.ts_ns
                return
            attempt = [target, 0, 1, pkt.number, pkt.ts_ns, pkt.ts_ns]
            source.attempts.append(attempt)
            self.conns[key] = (source, attempt)
            return
        entry = self.conns.get((pkt.dst, dport, pkt.src, sport))
        if entry is not None:  # the target answers
            source, attempt = entry
            state = attempt[1]
            if flags & (SYN | ACK) == SYN | ACK:
                state |= OPEN
            elif flags & RST and not state & OPEN:
                state |= CLOSED
            if d[7] > d[6]:
                state |= DATA
            attempt[1] = state
            source.probes[attempt[0]] |= state
            return
        entry = self.conns.get(key)
        if entry is not None:  # the scanner again, after the answer
            source, attempt = entry
            state = attempt[1]
            if d[7] > d[6]:
                state |= DATA
            elif flags & RST and state & OPEN and not state & CONNECT:
                state |= HALF
            elif flags & ACK and state & OPEN:
                state |= CONNECT
            attempt[1] = state
            source.probes[attempt[0]] |= state

    def finish(self) -> list[Finding]:
        findings = []
        for src, source in self.sources.items():
            finding = self._judge(src, source)
            if finding is not None:
                findings.append(finding)
        return findings

    def _judge(self, src: str, source: _Source) -> Finding | None:
        states = list(source.probes.values())
        failed = sum(1 for s in states if not s & DATA)
        if not states or failed / len(states) < self.opt["min_failed_share"]:
            return None
        # Probes: attempts that carried no data either way; a target counts by its probes only.
        probed: dict[tuple[str, int], int] = {}
        evidence = Evidence()
        first = last = None
        for target, state, sent, frame, start, end in source.attempts:
            if not state & DATA:
                probed[target] = probed.get(target, 0) | state
                evidence.add(frame)
                evidence.count += sent - 1  # retransmitted probes count, the first frame stands for them
                first = start if first is None else first
                last = end if last is None else max(last, end)
        packets = evidence.count
        per_host: dict[str, set[int]] = {}
        per_port: dict[int, set[str]] = {}
        for host, port in probed:
            per_host.setdefault(host, set()).add(port)
            per_port.setdefault(port, set()).add(host)
        if not probed:
            return None
        widest_host = max(len(p) for p in per_host.values())
        widest_port = max(len(h) for h in per_port.values())
        if widest_host < self.opt["min_ports"] and widest_port < self.opt["min_hosts"]:
            return None
        opened = sorted((t for t, s in probed.items() if s & OPEN), key=_target_order)
        half = sum(1 for s in probed.values() if s & HALF)
        connect = sum(1 for s in probed.values() if s & CONNECT)
        if source.stealth and sum(source.stealth.values()) * 2 > len(probed):
            scan_type = max(source.stealth, key=source.stealth.get)
        elif connect > half:
            scan_type = "connect"
        else:
            scan_type = "syn"
        vertical = widest_host >= self.opt["min_ports"]
        hosts = sorted(per_host, key=lambda h: (-len(per_host[h]), _target_order((h, 0))))
        duration = (last - first) / 1e9
        numbers = {
            "probes": packets, "targets": len(probed), "ports": len(per_port), "hosts": len(per_host),
            "open": len(opened), "open_ports": [f"{h}:{p}" for h, p in opened[:50]],
            "closed": sum(1 for s in probed.values() if s & CLOSED and not s & OPEN),
            "unanswered": sum(1 for s in probed.values() if not s & (OPEN | CLOSED)),
            "scan_type": scan_type, "shape": "vertical" if vertical else "horizontal",
            "duration_s": round(duration, 3), "rate_per_s": round(packets / duration, 1) if duration else None,
        }
        if vertical:
            parts = [("port-scan.vertical", {"scan_type": scan_type.upper(), "source": src, "ports": widest_host,
                                             "host": hosts[0]})]
            if len(hosts) > 1:
                parts.append(("port-scan.more-hosts", {"more": len(hosts) - 1}))
        else:
            port = max(per_port, key=lambda p: len(per_port[p]))
            parts = [("port-scan.horizontal", {"scan_type": scan_type.upper(), "source": src, "port": port,
                                               "hosts": widest_port})]
        parts.append(("port-scan.open", {"open": len(opened)}))
        if opened:
            items = ", ".join(str(p) if vertical else f"{h}:{p}" for h, p in opened[:8])
            parts.append(("port-scan.open-list", {"items": items}))
        return Finding("port-scan", parts, src, hosts[:20], numbers, evidence.frames, evidence.count,
                       iso(first), iso(last))
