"""ARP spoofing: an IP address claimed by a new MAC, and floods of gratuitous ARP.

A man in the middle poisons caches by telling hosts that the gateway's IP is
at its own MAC, over and over, usually in unicast replies nobody asked for.
Every ARP packet's sender pair (IP, MAC) is learned; a later claim of the same
IP by another MAC is reported as spoofing, with the IP, the old and the new MAC
and the frames that made the claim. A gratuitous ARP is an announcement to
everyone: sender IP = target IP, or a reply sent to the broadcast address. A MAC
sending many of them is a flood; announcements already reported as a spoofing
claim are not counted again, so forged replies give one finding, not two.
"""

from __future__ import annotations

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso


def _mac(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def _ip(raw: bytes) -> str:
    return ".".join(str(b) for b in raw)


class _Claim:
    __slots__ = ("old", "new", "evidence", "first", "last")

    def __init__(self, old: str, new: str, ts_ns: int) -> None:
        self.old, self.new = old, new
        self.evidence = Evidence()
        self.first = self.last = ts_ns


class ArpSpoof(Detector):
    """IP -> MAC changes and gratuitous ARP floods."""

    name = "arpspoof"
    options = {
        "min_claims": 1,  # frames claiming an IP for the new MAC before it is reported
        "min_gratuitous": 10,  # gratuitous/unsolicited ARPs from one MAC = a flood
    }

    def __init__(self, **values) -> None:
        super().__init__(**values)
        self.owner: dict[str, str] = {}
        self.claims: dict[tuple[str, str], _Claim] = {}
        self.asked: set[tuple[str, str]] = set()  # (asker IP, asked IP) with a pending request
        self.gratuitous: dict[str, tuple[Evidence, set[str], list[int]]] = {}

    def packet(self, pkt: Packet) -> None:
        d = pkt.ip
        if d is None or d[0] or d[1] != 0x0806:
            return
        a = pkt.data[d[6] : d[6] + 28]
        if len(a) < 28 or a[0:6] != b"\x00\x01\x08\x00\x06\x04":
            return
        op = (a[6] << 8) | a[7]
        smac, sip, tip = _mac(a[8:14]), _ip(a[14:18]), _ip(a[24:28])
        if sip == "0.0.0.0":
            return  # ARP probe (RFC 5227): claims nothing yet
        if op == 1 and sip != tip:
            self.asked.add((sip, tip))
        broadcast = pkt.linktype == 1 and pkt.data[:6] == b"\xff" * 6
        gratuitous = sip == tip or (op == 2 and broadcast and (tip, sip) not in self.asked)
        if op == 2:
            self.asked.discard((tip, sip))
        old = self.owner.get(sip)
        if old is None:
            self.owner[sip] = smac
        elif old != smac:
            claim = self.claims.get((sip, smac))
            if claim is None:
                claim = self.claims[(sip, smac)] = _Claim(old, smac, pkt.ts_ns)
            claim.evidence.add(pkt.number)
            claim.last = pkt.ts_ns
            return  # a spoofing claim, reported as such
        if gratuitous:
            entry = self.gratuitous.setdefault(smac, (Evidence(), set(), [pkt.ts_ns, pkt.ts_ns]))
            entry[0].add(pkt.number)
            entry[1].add(sip)
            entry[2][1] = pkt.ts_ns

    def finish(self) -> list[Finding]:
        findings = []
        for (ip, mac), c in self.claims.items():
            if c.evidence.count < self.opt["min_claims"]:
                continue
            others = sorted(i for (i, m) in self.claims if m == mac and i != ip)
            numbers = {"ip": ip, "old_mac": c.old, "new_mac": mac, "claims": c.evidence.count,
                       "other_ips_claimed": others}
            parts = [("arp-spoof", {"ip": ip, "old_mac": c.old, "new_mac": mac, "claims": c.evidence.count})]
            findings.append(Finding("arp-spoof", parts, mac, [ip], numbers, c.evidence.frames,
                                    c.evidence.count, iso(c.first), iso(c.last)))
        for mac, (evidence, ips, span) in self.gratuitous.items():
            if evidence.count < self.opt["min_gratuitous"]:
                continue
            numbers = {"mac": mac, "gratuitous": evidence.count, "ips": sorted(ips),
                       "duration_s": round((span[1] - span[0]) / 1e9, 3)}
            parts = [("arp-flood", {"mac": mac, "count": evidence.count, "ips": ", ".join(sorted(ips)[:4])})]
            findings.append(Finding("arp-flood", parts, mac, sorted(ips), numbers, evidence.frames,
                                    evidence.count, iso(span[0]), iso(span[1])))
        return findings
