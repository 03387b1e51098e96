"""DNS tunnelling and exfiltration: data hidden in query names under one domain.

Tools like iodine and dnscat2 encode data as long, random-looking labels
under a domain their server answers, so a client asks for many names that
are all different, long and high in entropy, often of type TXT or NULL (room
for the reply). Per client and registered domain we count queries, unique
names, the bytes carried in the subdomain part and the Shannon entropy of
those bytes.
"""

from __future__ import annotations

import math

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso
from forensics_kit.net.detect.dnsname import question

_SECOND_LEVEL = frozenset(("co", "com", "net", "org", "gov", "ac", "edu", "ne", "or"))
_TYPES = {10: "NULL", 16: "TXT", 5: "CNAME", 15: "MX", 1: "A", 28: "AAAA", 255: "ANY"}
MAX_UNIQUE = 50_000  # names remembered per domain; counts go on beyond it


def registered_domain(name: str) -> tuple[str, str]:
    """Split ``a1b2.c3.tunnel.example.co.uk`` into (``a1b2.c3``, ``tunnel.example.co.uk``)."""
    labels = name.rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[:-keep]), ".".join(labels[-keep:])


class _Domain:
    __slots__ = ("queries", "names", "unique", "bytes", "chars", "longest", "types", "evidence",
                 "first", "last")

    def __init__(self, ts_ns: int) -> None:
        self.queries = self.unique = self.bytes = self.longest = 0
        self.names: set[str] = set()
        self.chars: dict[str, int] = {}
        self.types: dict[str, int] = {}
        self.evidence = Evidence()
        self.first = self.last = ts_ns


def entropy(counts: dict[str, int]) -> float:
    """Shannon entropy in bits per character of a character histogram."""
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values()) if total else 0.0


class DnsTunnel(Detector):
    """Many unique, long, high-entropy names under one domain from one client."""

    name = "dnstunnel"
    options = {
        "min_unique": 30,  # distinct names under the domain
        "min_length": 16.0,  # mean length of the subdomain part
        "min_entropy": 3.5,  # bits per character over all subdomain bytes
        "min_bytes": 1000,  # bytes carried in subdomain parts
    }

    def __init__(self, **values) -> None:
        super().__init__(**values)
        self.domains: dict[tuple[str, str], _Domain] = {}

    def packet(self, pkt: Packet) -> None:
        d = pkt.ip
        if d is None or d[1] != 17 or d[5] != 53 or len(pkt.payload) < 17 or pkt.payload[2] & 0x80:
            return
        name, qtype = question(pkt.payload)
        if not name or name == ".":
            return
        sub, domain = registered_domain(name)
        key = (pkt.src, domain)
        entry = self.domains.get(key)
        if entry is None:
            if not sub:
                return  # a bare domain alone carries nothing; start counting at the first subdomain
            entry = self.domains[key] = _Domain(pkt.ts_ns)
        entry.queries += 1
        entry.last = pkt.ts_ns
        entry.evidence.add(pkt.number)
        kind = _TYPES.get(qtype, str(qtype))
        entry.types[kind] = entry.types.get(kind, 0) + 1
        if name in entry.names:
            return
        entry.unique += 1
        if len(entry.names) < MAX_UNIQUE:
            entry.names.add(name)
        data = sub.replace(".", "")
        entry.bytes += len(data)
        entry.longest = max(entry.longest, max((len(x) for x in sub.split(".")), default=0))
        chars = entry.chars
        for ch in data:
            chars[ch] = chars.get(ch, 0) + 1

    def finish(self) -> list[Finding]:
        findings = []
        o = self.opt
        for (client, domain), e in self.domains.items():
            if e.unique < o["min_unique"] or e.bytes < o["min_bytes"]:
                continue
            bits = entropy(e.chars)
            mean = e.bytes / e.unique
            if bits < o["min_entropy"] and mean < o["min_length"]:
                continue
            txt = e.types.get("TXT", 0) + e.types.get("NULL", 0)
            numbers = {"queries": e.queries, "unique_names": e.unique, "bytes": e.bytes,
                       "mean_length": round(mean, 1), "longest_label": e.longest,
                       "entropy": round(bits, 2), "txt_null_queries": txt, "qtypes": dict(e.types),
                       "duration_s": round((e.last - e.first) / 1e9, 3)}
            parts = [("dns-tunnel.txt" if txt else "dns-tunnel",
                      {"client": client, "unique": e.unique, "domain": domain, "bytes": e.bytes, "bits": bits,
                       "txt": txt})]
            findings.append(Finding("dns-tunnel", parts, client, [domain], numbers, e.evidence.frames,
                                    e.evidence.count, iso(e.first), iso(e.last)))
        return findings
