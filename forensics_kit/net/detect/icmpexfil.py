"""ICMP payload exfiltration: echo requests carrying data instead of the usual ping pattern.

Ping fills its payload with a fixed pattern (Windows ``abcdefghijklmnopqrstuvwabcdefghi``,
Linux/BSD a time stamp then bytes counting up, or one repeated byte); tools such as
ptunnel, icmpsh or a ``ping -p`` loop put data there. Echo requests whose payload is
larger than ``max_size`` or matches none of those patterns are counted per source and
destination, with the bytes they carry. Large payloads arrive fragmented; the runner
reassembles IPv4 fragments first, so the sizes are those of the whole datagram.
"""

from __future__ import annotations

import hashlib

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso

_WINDOWS = b"abcdefghijklmnopqrstuvw" * 3000
_COUNTING = bytes(range(256)) * 300
MAX_DIGESTS = 10_000


def is_standard(data: bytes) -> bool:
    """True for the payloads ping itself sends (for any common OS)."""
    if not data or data == _WINDOWS[: len(data)]:
        return True
    if data.count(data[:1]) == len(data):
        return True
    for skip in (8, 16):  # BSD/macOS: 8-byte time stamp; Linux iputils: 16-byte timeval
        if len(data) > skip and data[skip:] == _COUNTING[skip : len(data)]:
            return True
    return False


class _Pair:
    __slots__ = ("requests", "odd", "bytes", "digests", "smallest", "largest", "sample", "evidence",
                 "first", "last")

    def __init__(self, ts_ns: int) -> None:
        self.requests = self.odd = self.bytes = self.largest = 0
        self.smallest = 1 << 30
        self.digests: set[bytes] = set()
        self.sample = ""
        self.evidence = Evidence()
        self.first = self.last = ts_ns


class IcmpExfil(Detector):
    """Echo requests with large or non-standard payloads, volume per host pair."""

    name = "icmpexfil"
    options = {
        "min_packets": 5,  # non-standard echo requests between the pair
        "min_bytes": 500,  # payload bytes they carry
        "max_size": 1024,  # a payload above this is not a plain ping, whatever its pattern
    }

    def __init__(self, **values) -> None:
        super().__init__(**values)
        self.pairs: dict[tuple[str, str], _Pair] = {}

    def packet(self, pkt: Packet) -> None:
        d = pkt.ip
        if d is None or not d[0] or d[2] == b"":
            return
        payload = pkt.payload
        if not ((d[1] == 1 and payload[:1] == b"\x08") or (d[1] == 58 and payload[:1] == b"\x80")):
            return
        if d[10] or len(payload) < 8:
            return
        data = payload[8:]
        pair = self.pairs.get((pkt.src, pkt.dst))
        if pair is None:
            pair = self.pairs[(pkt.src, pkt.dst)] = _Pair(pkt.ts_ns)
        pair.requests += 1
        if len(data) <= self.opt["max_size"] and is_standard(data):
            return
        pair.odd += 1
        if pair.odd == 1:
            pair.first = pkt.ts_ns
        pair.bytes += len(data)
        pair.smallest, pair.largest = min(pair.smallest, len(data)), max(pair.largest, len(data))
        if len(pair.digests) < MAX_DIGESTS:
            pair.digests.add(hashlib.blake2b(data, digest_size=8).digest())
        if not pair.sample:
            pair.sample = "".join(chr(b) if 32 <= b < 127 else "." for b in data[:48])
        pair.evidence.add(pkt.number)
        pair.last = pkt.ts_ns

    def finish(self) -> list[Finding]:
        findings = []
        for (src, dst), p in self.pairs.items():
            if p.odd < self.opt["min_packets"] or p.bytes < self.opt["min_bytes"]:
                continue
            numbers = {"echo_requests": p.requests, "odd_requests": p.odd, "bytes": p.bytes,
                       "unique_payloads": len(p.digests), "min_size": p.smallest, "max_size": p.largest,
                       "sample": p.sample}
            parts = [("icmp-exfil", {"source": src, "target": dst, "odd": p.odd, "bytes": p.bytes})]
            findings.append(Finding("icmp-exfil", parts, src, [dst], numbers, p.evidence.frames,
                                    p.evidence.count, iso(p.first), iso(p.last)))
        return findings
