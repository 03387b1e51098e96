"""Port scans: one source probing many ports of a host, or one port on many hosts.

A probe is a TCP SYN (or a FIN, NULL or Xmas packet outside any connection).
The answers tell the scan apart from busy clients: a scanner's probes are
mostly refused (RST), unanswered or dropped by the scanner itself right after
the SYN/ACK (a half-open "SYN scan"), while real connections carry data.
Ports that answered SYN/ACK are reported open.
"""

from __future__ import annotations

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso

SYN, ACK, RST, FIN, PSH, URG = 0x02, 0x10, 0x04, 0x01, 0x08, 0x20
OPEN, CLOSED, DATA, HALF, CONNECT = 1, 2, 4, 8, 16
_STEALTH = {0x00: "null", FIN: "fin", FIN | PSH | URG: "xmas"}


class _Source:
    __slots__ = ("probes", "evidence", "first", "last", "stealth")

    def __init__(self, ts_ns: int) -> None:
        self.probes: dict[tuple[str, int], int] = {}  # (host, port) -> state bits
        self.evidence = Evidence()
        self.first = self.last = ts_ns
        self.stealth: dict[str, int] = {}


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
        if flags & (SYN | ACK) == SYN or (flags in _STEALTH and (pkt.src, sport, pkt.dst, dport) not in self.conns):
            source = self.sources.get(pkt.src)
            if source is None:
                source = self.sources[pkt.src] = _Source(pkt.ts_ns)
            target = (pkt.dst, dport)
            source.probes.setdefault(target, 0)
            source.evidence.add(pkt.number)
            source.last = pkt.ts_ns
            if flags in _STEALTH:
                kind = _STEALTH[flags]
                source.stealth[kind] = source.stealth.get(kind, 0) + 1
            self.conns[(pkt.src, sport, pkt.dst, dport)] = (source, target)
            return
        entry = self.conns.get((pkt.dst, dport, pkt.src, sport))
        if entry is not None:  # the target answers
            source, target = entry
            state = source.probes[target]
            if flags & (SYN | ACK) == SYN | ACK:
                state |= OPEN
            elif flags & RST and not state & OPEN:
                state |= CLOSED
            if d[7] > d[6]:
                state |= DATA
            source.probes[target] = state
            return
        entry = self.conns.get((pkt.src, sport, pkt.dst, dport))
        if entry is not None:  # the scanner again, after the answer
            source, target = entry
            state = source.probes[target]
            if d[7] > d[6]:
                state |= DATA
            elif flags & RST and state & OPEN and not state & CONNECT:
                state |= HALF
            elif flags & ACK and state & OPEN:
                state |= CONNECT
            source.probes[target] = state

    def finish(self) -> list[Finding]:
        findings = []
        for src, source in self.sources.items():
            finding = self._judge(src, source)
            if finding is not None:
                findings.append(finding)
        return findings

    def _judge(self, src: str, source: _Source) -> Finding | None:
        per_host: dict[str, set[int]] = {}
        per_port: dict[int, set[str]] = {}
        for host, port in source.probes:
            per_host.setdefault(host, set()).add(port)
            per_port.setdefault(port, set()).add(host)
        widest_host = max(len(p) for p in per_host.values())
        widest_port = max(len(h) for h in per_port.values())
        if widest_host < self.opt["min_ports"] and widest_port < self.opt["min_hosts"]:
            return None
        states = list(source.probes.values())
        failed = sum(1 for s in states if not s & DATA)
        if failed / len(states) < self.opt["min_failed_share"]:
            return None
        opened = sorted(f"{h}:{p}" for (h, p), s in source.probes.items() if s & OPEN)
        half = sum(1 for s in states if s & HALF and not s & DATA)
        connect = sum(1 for s in states if s & CONNECT and not s & DATA)
        if source.stealth and sum(source.stealth.values()) * 2 > len(states):
            scan_type = max(source.stealth, key=source.stealth.get)
        elif connect > half:
            scan_type = "connect"
        else:
            scan_type = "syn"
        vertical = widest_host >= self.opt["min_ports"]
        hosts = sorted(per_host, key=lambda h: (-len(per_host[h]), h))
        duration = (source.last - source.first) / 1e9
        probes = source.evidence.count
        numbers = {
            "probes": probes, "targets": len(states), "ports": len(per_port), "hosts": len(per_host),
            "open": len(opened), "open_ports": opened[:50],
            "closed": sum(1 for s in states if s & CLOSED),
            "unanswered": sum(1 for s in states if not s & (OPEN | CLOSED)),
            "scan_type": scan_type, "shape": "vertical" if vertical else "horizontal",
            "duration_s": round(duration, 3), "rate_per_s": round(probes / duration, 1) if duration else None,
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
            items = ", ".join(o.split(":")[-1] if vertical else o for o in opened[:8])
            parts.append(("port-scan.open-list", {"items": items}))
        return Finding("port-scan", parts, src, hosts[:20], numbers, source.evidence.frames,
                       source.evidence.count, iso(source.first), iso(source.last))
