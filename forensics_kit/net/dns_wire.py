"""A small, hostile-input-safe parser for DNS messages (RFC 1035 wire format).

Captures in a forensic lab may be crafted: names with compression pointers
that loop, labels running past the end, counts that lie. Every compression
pointer must point strictly before the previous one, so a name is read in a
bounded number of steps; any inconsistency raises :class:`DnsFormatError`,
which callers turn into "skip this message" (never into a crash).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

MAX_NAME = 255
MAX_RECORDS = 1024

QTYPES = {
    1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT",
    17: "RP", 18: "AFSDB", 24: "SIG", 25: "KEY", 28: "AAAA", 29: "LOC", 33: "SRV", 35: "NAPTR",
    36: "KX", 37: "CERT", 39: "DNAME", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
    45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3",
    51: "NSEC3PARAM", 52: "TLSA", 59: "CDS", 60: "CDNSKEY", 64: "SVCB", 65: "HTTPS",
    99: "SPF", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 255: "ANY", 256: "URI",
    257: "CAA",
}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
          6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE"}

_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")


class DnsFormatError(ValueError):
    """The bytes are not a well-formed DNS message."""


def type_name(qtype: int) -> str:
    """Mnemonic of a record type, ``TYPE<n>`` (RFC 3597) when unknown."""
    return QTYPES.get(qtype, f"TYPE{qtype}")


@dataclass(slots=True)
class ResourceRecord:
    """One answer record with its data as presentation text."""

    name: str
    type: str
    ttl: int
    data: str

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"name": self.name, "type": self.type, "ttl": self.ttl, "data": self.data}


@dataclass(slots=True)
class DnsWire:
    """The parts of a DNS message an investigation needs."""

    id: int
    response: bool
    opcode: int
    rcode: str
    questions: list[tuple[str, str]] = field(default_factory=list)
    answers: list[ResourceRecord] = field(default_factory=list)
    truncated_parse: bool = False


def read_name(msg: bytes, pos: int) -> tuple[str, int]:
    """Read a possibly compressed name at ``pos``; return (text, position after it)."""
    labels: list[str] = []
    after = None
    floor = pos
    size = 0
    end = len(msg)
    while True:
        if pos >= end:
            raise DnsFormatError("name runs past the end")
        length = msg[pos]
        if length == 0:
            pos += 1
            break
        if length & 0xC0 == 0xC0:
            if pos + 1 >= end:
                raise DnsFormatError("truncated compression pointer")
            target = ((length & 0x3F) << 8) | msg[pos + 1]
            if target >= floor:
                raise DnsFormatError("compression pointer does not point backwards")
            if after is None:
                after = pos + 2
            floor = pos = target
            continue
        if length & 0xC0:
            raise DnsFormatError("unsupported label type")
        if pos + 1 + length > end:
            raise DnsFormatError("label runs past the end")
        size += length + 1
        if size > MAX_NAME:
            raise DnsFormatError("name longer than 255 bytes")
        labels.append(msg[pos + 1 : pos + 1 + length].decode("utf-8", "backslashreplace"))
        pos += 1 + length
    return (".".join(labels) if labels else "<Root>"), (after if after is not None else pos)


def _rdata_text(msg: bytes, rtype: int, start: int, rdlen: int) -> str:
    rdata = msg[start : start + rdlen]
    if rtype == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, rdata)
    if rtype == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, rdata)
    if rtype in (2, 5, 12, 39):
        return read_name(msg, start)[0]
    if rtype == 15 and rdlen >= 3:
        return f"{struct.unpack_from('!H', msg, start)[0]} {read_name(msg, start + 2)[0]}"
    if rtype == 33 and rdlen >= 7:
        prio, weight, port = struct.unpack_from("!HHH", msg, start)
        return f"{prio} {weight} {port} {read_name(msg, start + 6)[0]}"
    if rtype == 6:
        mname, pos = read_name(msg, start)
        rname, pos = read_name(msg, pos)
        if pos + 20 > start + rdlen:
            raise DnsFormatError("short SOA record")
        numbers = " ".join(str(n) for n in struct.unpack_from("!IIIII", msg, pos))
        return f"{mname} {rname} {numbers}"
    if rtype in (16, 99):
        parts, pos = [], 0
        while pos < rdlen:
            n = rdata[pos]
            parts.append(rdata[pos + 1 : pos + 1 + n].decode("utf-8", "backslashreplace"))
            pos += 1 + n
        return " ".join(f'"{p}"' for p in parts)
    return f"\\# {rdlen} {rdata.hex()}" if rdlen else "\\# 0"


def parse_message(msg: bytes) -> DnsWire:
    """Parse a DNS message: header, questions and the answer section.

    Authority and additional sections are not decoded. A damaged answer
    section keeps the answers read so far and sets ``truncated_parse``.
    """
    if len(msg) < 12:
        raise DnsFormatError("shorter than a DNS header")
    ident, flags, qdcount, ancount, _, _ = _HEADER.unpack_from(msg)
    if qdcount > MAX_RECORDS:
        raise DnsFormatError("implausible question count")
    wire = DnsWire(
        id=ident,
        response=bool(flags & 0x8000),
        opcode=(flags >> 11) & 0x0F,
        rcode=RCODES.get(flags & 0x0F, str(flags & 0x0F)),
    )
    pos = 12
    for _ in range(qdcount):
        name, pos = read_name(msg, pos)
        if pos + 4 > len(msg):
            raise DnsFormatError("truncated question")
        qtype = struct.unpack_from("!H", msg, pos)[0]
        wire.questions.append((name, type_name(qtype)))
        pos += 4
    try:
        for _ in range(min(ancount, MAX_RECORDS)):
            name, pos = read_name(msg, pos)
            if pos + 10 > len(msg):
                raise DnsFormatError("truncated record")
            rtype, _, ttl, rdlen = _RR.unpack_from(msg, pos)
            pos += 10
            if pos + rdlen > len(msg):
                raise DnsFormatError("record data runs past the end")
            wire.answers.append(
                ResourceRecord(name, type_name(rtype), ttl, _rdata_text(msg, rtype, pos, rdlen))
            )
            pos += rdlen
    except (DnsFormatError, IndexError, struct.error, ValueError):
        wire.truncated_parse = True
    return wire
