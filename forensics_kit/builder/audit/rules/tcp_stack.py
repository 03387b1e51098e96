"""TCP fingerprint rule: a host's SYN and SYN/ACK carry its declared OS's options and window.

p0f and every examiner who reads a handshake tell Windows from Linux from macOS
by the SYN's option layout, window scale and window (see
:mod:`forensics_kit.builder.world.tcp_stack`). A host whose recipe declares an OS
must open and answer connections as that OS does; a host without one is judged
by the family its TTL shows. A raw-socket scanner's SYN (nmap: window 1024-4096,
MSS alone) is the tool's fingerprint, not the OS's, and is left out.
"""

from __future__ import annotations

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.world import INITIAL_TTLS
from forensics_kit.builder.world.tcp_stack import offered_options, options_layout, tcp_stack

_SYN, _ACK = 0x02, 0x10
_SCANNER_WINDOWS = (1024, 2048, 3072, 4096)
_SEGMENT_NAMES = {False: "SYN", True: "SYN/ACK"}  # TCP's own names: the same in every language


def _initial(ttl: int) -> int:
    return min(i for i in INITIAL_TTLS if i >= ttl)


def _mss(options: bytes) -> int:
    i = 0
    while i + 3 < len(options):
        if options[i] == 1:
            i += 1
            continue
        if options[i] == 0 or options[i + 1] < 2:
            break
        if options[i] == 2:
            return int.from_bytes(options[i + 2:i + 4], "big")
        i += options[i + 1]
    return 1460


class TcpStackFingerprint(AuditRule):
    """SYN and SYN/ACK options, window scale and window fit the sender's OS."""

    name = "tcp-fingerprint"
    title = {"en": "SYN and SYN/ACK options and windows fit the host's OS (as p0f reads them)",
             "ru": "параметры и окно TCP в SYN и SYN/ACK соответствуют ОС узла (как их читает p0f)"}
    messages = {
        "layout": {"en": "{ip} ({os}) sends a {what} with options {got}; {os} sends {expected}",
                   "ru": "{ip} ({os}) отправляет {what} с параметрами {got}; {os} отправляет {expected}"},
        "window": {"en": "{ip} ({os}) sends a {what} with window {got}; {os} uses {expected}",
                   "ru": "{ip} ({os}) отправляет {what} с окном {got}; {os} использует {expected}"},
    }

    def check(self, case):
        for entry in case.entries("pcap"):
            declared = {str(h["ip"]): h for h in entry.get("hosts", {}).values()}
            offered: dict[tuple, frozenset[str]] = {}
            seen: set[tuple] = set()
            for p in case.packets(entry["id"]):
                if p.proto != 6 or not p.flags & _SYN:
                    continue
                synack = bool(p.flags & _ACK)
                if not synack:
                    offered[(p.src, p.sport, p.dst, p.dport)] = offered_options(p.tcp_options)
                    if p.window in _SCANNER_WINDOWS and options_layout(p.tcp_options) == "MSS":
                        continue
                host_os = declared.get(p.src, {}).get("os")
                stack = tcp_stack(host_os or None, _initial(p.ttl))
                label = host_os or f"{stack.kind} by TTL"
                mss = _mss(p.tcp_options)
                if synack:
                    syn = offered.get((p.dst, p.dport, p.src, p.sport), frozenset({"SACK", "TS", "WS"}))
                    timestamps = stack.answers_timestamps(syn)
                    expected = stack.synack_options(mss, syn)
                    windows = (stack.synack_window if timestamps or stack.kind != "linux" else stack.syn_window,)
                    if syn == frozenset():
                        windows = (stack.syn_window, stack.synack_window, 29200)
                else:
                    expected, windows = stack.syn_options(mss), (stack.syn_window,)
                what = _SEGMENT_NAMES[synack]
                key = (p.src, what)
                got, want = options_layout(p.tcp_options), options_layout(expected)
                if got != want and (key, "layout") not in seen:
                    seen.add((key, "layout"))
                    yield self.finding(case, entry["id"], f"frame {p.number}", "layout", ip=p.src, os=label,
                                       what=what, got=got or "none", expected=want)
                elif got == want and p.window not in windows and (key, "window") not in seen:
                    seen.add((key, "window"))
                    yield self.finding(case, entry["id"], f"frame {p.number}", "window", ip=p.src, os=label,
                                       what=what, got=p.window, expected=" or ".join(map(str, windows)))
