"""DNS query and response messages (RFC 1035) for one question.

Answers are given as trainers write them: for an ``A``/``AAAA`` question a
name in the list is a CNAME, and the records after it belong to that name,
so ``["cdn.example.net", "93.184.216.34"]`` gives the usual CNAME-then-A chain.
"""

from __future__ import annotations

import ipaddress
import struct

from forensics_kit.errors import RecipeError

QTYPES = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}
_NAME_TYPES = {"NS", "CNAME", "PTR"}
CLASS_IN = 1


def _fail(item: str, problem: str) -> RecipeError:
    return RecipeError("traffic", item, problem)


def encode_name(name: str, item: str) -> bytes:
    """A domain name as DNS labels; ``item`` names the session in errors."""
    labels = [label for label in name.rstrip(".").split(".")]
    if name in ("", ".") or any(not label for label in labels):
        raise _fail(item, f"invalid domain name {name!r}")
    out = b""
    for label in labels:
        raw = label.encode("idna") if not label.isascii() else label.encode("ascii")
        if len(raw) > 63:
            raise _fail(item, f"label {label!r} of {name!r} is longer than 63 bytes")
        out += bytes([len(raw)]) + raw
    if len(out) + 1 > 255:
        raise _fail(item, f"domain name {name!r} is longer than 255 bytes")
    return out + b"\x00"


def qtype_code(qtype: str, item: str) -> int:
    """The numeric type of ``qtype`` (case-insensitive), or a RecipeError naming the known ones."""
    try:
        return QTYPES[qtype.upper()]
    except KeyError:
        known = ", ".join(QTYPES)
        raise _fail(item, f"unknown DNS query type {qtype!r} (known: {known})") from None


def _rdata(rtype: str, value: str, item: str) -> bytes:
    if rtype in ("A", "AAAA"):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            raise _fail(item, f"answer {value!r} is not an IP address") from None
        if (address.version == 4) != (rtype == "A"):
            raise _fail(item, f"answer {value!r} does not fit a {rtype} record")
        return address.packed
    if rtype in _NAME_TYPES:
        return encode_name(value, item)
    if rtype == "MX":
        preference, _, host = value.partition(" ")
        if not preference.isdigit() or not host:
            raise _fail(item, f"MX answer {value!r} must read '<preference> <host>'")
        return struct.pack("!H", int(preference)) + encode_name(host, item)
    raw = value.encode("utf-8")  # TXT: character-strings of at most 255 bytes each
    parts = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]
    return b"".join(bytes([len(part)]) + part for part in parts)


def _records(qname: str, qtype: str, answers: list[str], item: str) -> list[tuple[str, str, str]]:
    """(owner, type, value) for each answer, following CNAMEs for address questions."""
    records, owner = [], qname
    for value in answers:
        rtype = qtype
        if qtype in ("A", "AAAA"):
            try:
                ipaddress.ip_address(value)
            except ValueError:
                rtype = "CNAME"
        records.append((owner, rtype, value))
        if rtype == "CNAME":
            owner = value
    return records


def build_query(txid: int, qname: str, qtype: str, item: str) -> bytes:
    """A recursive (RD) standard query for one name."""
    header = struct.pack("!HHHHHH", txid, 0x0100, 1, 0, 0, 0)
    return header + encode_name(qname, item) + struct.pack("!HH", qtype_code(qtype, item), CLASS_IN)


def build_response(
    txid: int, qname: str, qtype: str, answers: list[str], *, rcode: int, ttl: int, item: str,
) -> bytes:
    """The resolver's answer: QR, RD, RA set, the question echoed, one record per answer.

    The first record's owner is a pointer to the question name (as real servers
    compress); later owners are written in full.
    """
    if not 0 <= rcode <= 15:
        raise _fail(item, f"DNS rcode {rcode} is not between 0 and 15")
    qtype = qtype.upper()
    records = _records(qname, qtype, answers, item)
    flags = 0x8180 | rcode
    header = struct.pack("!HHHHHH", txid, flags, 1, len(records), 0, 0)
    body = encode_name(qname, item) + struct.pack("!HH", qtype_code(qtype, item), CLASS_IN)
    for owner, rtype, value in records:
        name = b"\xc0\x0c" if owner == qname else encode_name(owner, item)
        rdata = _rdata(rtype, value, item)
        body += name + struct.pack("!HHIH", QTYPES[rtype], CLASS_IN, ttl, len(rdata)) + rdata
    return header + body
