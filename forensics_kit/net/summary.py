"""Overview of a capture: size, time span, link types, talkers and protocols.

The figures follow ``capinfos`` where it has one: ``packets`` is its
"Number of packets", ``bytes`` its "Data size" (the sum of the original
frame lengths, not of the captured lengths, which are in
``captured_bytes``), ``first_time``/``last_time`` the earliest and latest
time stamps (not the first and last records, which differ when a capture
is out of order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from forensics_kit.hashing import hash_file
from forensics_kit.net.decode import (
    ETHERTYPE_NAMES,
    addr_text,
    decode,
    link_warnings,
    proto_name,
)
from forensics_kit.net.reader import CaptureReader, iso_ns, linktype_name

# Application protocols guessed from a well-known port (either side).
PORT_SERVICES = {
    20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "dns", 67: "dhcp",
    68: "dhcp", 69: "tftp", 80: "http", 88: "kerberos", 110: "pop3", 123: "ntp", 137: "netbios",
    138: "netbios", 139: "netbios", 143: "imap", 161: "snmp", 389: "ldap", 443: "tls",
    445: "smb", 500: "isakmp", 514: "syslog", 587: "smtp", 993: "imaps", 995: "pop3s",
    1723: "pptp", 1900: "ssdp", 3389: "rdp", 4500: "isakmp", 5353: "mdns", 5355: "llmnr",
    8080: "http", 8443: "tls",
}
TOP_TALKERS = 10


@dataclass(slots=True)
class CaptureSummary:
    """What ``capinfos`` and Wireshark's statistics menus tell about a capture."""

    path: str
    format: str
    packets: int
    bytes: int
    captured_bytes: int
    first_time: str | None
    last_time: str | None
    duration: float
    linktypes: dict[str, int]
    top_talkers: list[dict] = field(default_factory=list)
    protocols: dict[str, dict[str, int]] = field(default_factory=dict)
    file_size: int = 0
    hashes: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    first_ns: int | None = None
    last_ns: int | None = None

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {
            "path": self.path,
            "format": self.format,
            "packets": self.packets,
            "bytes": self.bytes,
            "captured_bytes": self.captured_bytes,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "duration": self.duration,
            "linktypes": dict(self.linktypes),
            "top_talkers": [dict(t) for t in self.top_talkers],
            "protocols": {k: dict(v) for k, v in self.protocols.items()},
            "file_size": self.file_size,
            "hashes": dict(self.hashes),
            "warnings": list(self.warnings),
            "first_ns": self.first_ns,
            "last_ns": self.last_ns,
        }


def _layers(linktype: int, data: bytes) -> tuple[list[str], bytes | None, bytes | None]:
    """Names of the layers of one frame, plus its source and destination addresses."""
    names = [linktype_name(linktype)]
    d = decode(linktype, data)
    if d is None:
        return names, None, None
    ipver, proto, src, dst, sport, dport = d[:6]
    if len(d) > 11:  # a tunnel: its layers are named too, and the talkers are the wire's endpoints
        for outer in reversed(d[11]):
            names += ["ipv4" if outer[0] == 4 else "ipv6", proto_name(outer[1])]
        src, dst = d[11][-1][2], d[11][-1][3]
    if not ipver:
        if proto >= 0:
            names.append(ETHERTYPE_NAMES.get(proto, f"ethertype-0x{proto:04x}"))
        return names, None, None
    names.append("ipv4" if ipver == 4 else "ipv6")
    if proto < 0:
        names.append("malformed")
        return names, src or None, dst or None
    names.append(proto_name(proto))
    if sport is not None:
        service = PORT_SERVICES.get(min(sport, dport)) or PORT_SERVICES.get(max(sport, dport))
        if service:
            names.append(service)
    return names, src, dst


def summarize(path: str | Path, with_hashes: bool = True) -> CaptureSummary:
    """Read a capture once and return its :class:`CaptureSummary`.

    Protocol counts give, for each layer name (link, network, transport and a
    port-based guess of the application), the frames and original bytes that
    contain it. Top talkers rank IP addresses by bytes sent plus received.
    """
    reader = CaptureReader(path)
    packets = total = captured = 0
    first = last = None
    linktypes: dict[str, int] = {}
    seen_links: set[int] = set()
    protocols: dict[str, list[int]] = {}
    talkers: dict[bytes, list[int]] = {}
    for _, ts_ns, length, linktype, data, _ in reader.records():
        packets += 1
        total += length
        captured += len(data)
        if first is None or ts_ns < first:
            first = ts_ns
        if last is None or ts_ns > last:
            last = ts_ns
        seen_links.add(linktype)
        names, src, dst = _layers(linktype, data)
        linktypes[names[0]] = linktypes.get(names[0], 0) + 1
        for name in dict.fromkeys(names):
            counter = protocols.setdefault(name, [0, 0])
            counter[0] += 1
            counter[1] += length
        for addr in (src, dst):
            if addr:
                counter = talkers.setdefault(addr, [0, 0])
                counter[0] += 1
                counter[1] += length
    ranked = sorted(talkers.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
    top = [
        {"address": addr_text(addr), "packets": c[0], "bytes": c[1]}
        for addr, c in ranked[:TOP_TALKERS]
    ]
    return CaptureSummary(
        path=str(path),
        format=reader.format,
        packets=packets,
        bytes=total,
        captured_bytes=captured,
        first_time=_iso(first),
        last_time=_iso(last),
        duration=(last - first) / 1e9 if packets else 0.0,
        linktypes=linktypes,
        top_talkers=top,
        protocols={
            name: {"packets": c[0], "bytes": c[1]}
            for name, c in sorted(protocols.items(), key=lambda item: -item[1][1])
        },
        file_size=Path(path).stat().st_size,
        hashes=hash_file(path) if with_hashes else {},
        warnings=reader.warnings + link_warnings(reader.link_counts),
        first_ns=first,
        last_ns=last,
    )


def _iso(ts_ns: int | None) -> str | None:
    return iso_ns(ts_ns)  # None for stamps a damaged header put outside years 1-9999
