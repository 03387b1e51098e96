"""DNS queries and responses in a capture, one record per message.

Read from UDP port 53 (and the same wire format on mDNS 5353 and LLMNR 5355,
which tshark also shows as DNS) and from TCP port 53, where messages are
length-prefixed inside the reassembled stream. A malformed message is
skipped, never fatal; DNS on other ports is not looked for.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from forensics_kit.net.decode import addr_text, decode, link_warnings
from forensics_kit.net.dns_wire import DnsFormatError, ResourceRecord, parse_message
from forensics_kit.net.fragments import defragment
from forensics_kit.net.reader import CaptureReader, iso_ns
from forensics_kit.net.tcpstream import HalfKey, TcpReassembler

UDP_PORTS = frozenset((53, 5353, 5355))
TCP_PORTS = frozenset((53,))
_SERVICE = {53: "dns", 5353: "mdns", 5355: "llmnr"}


@dataclass(slots=True)
class DnsMessage:
    """One DNS message; ``qname``/``qtype`` are those of its first question, ``queries`` all of them.

    mDNS packs several questions into one message (a browser asking for every
    service at once); tshark lists each, and so does ``queries`` as (name, type).
    """

    frame: int
    time: str | None
    src: str
    dst: str
    sport: int
    dport: int
    transport: str
    service: str
    id: int
    qname: str | None
    qtype: str | None
    response: bool
    rcode: str
    answers: list[str] = field(default_factory=list)
    records: list[ResourceRecord] = field(default_factory=list)
    questions: int = 0
    malformed: bool = False
    queries: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {
            "frame": self.frame,
            "time": self.time,
            "src": self.src,
            "dst": self.dst,
            "sport": self.sport,
            "dport": self.dport,
            "transport": self.transport,
            "service": self.service,
            "id": self.id,
            "qname": self.qname,
            "qtype": self.qtype,
            "response": self.response,
            "rcode": self.rcode,
            "answers": list(self.answers),
            "records": [r.to_dict() for r in self.records],
            "questions": self.questions,
            "queries": [{"name": name, "type": qtype} for name, qtype in self.queries],
            "malformed": self.malformed,
        }


def _message(payload: bytes, frame: int, ts_ns: int, key: HalfKey, transport: str,
             ) -> DnsMessage | None:
    try:
        wire = parse_message(payload)
    except (DnsFormatError, IndexError, struct.error, ValueError):
        return None
    src, sport, dst, dport = key
    first = wire.questions[0] if wire.questions else (None, None)
    return DnsMessage(
        frame=frame,
        time=iso_ns(ts_ns),
        src=addr_text(src),
        dst=addr_text(dst),
        sport=sport,
        dport=dport,
        transport=transport,
        service=_SERVICE.get(min(sport, dport)) or _SERVICE.get(max(sport, dport), "dns"),
        id=wire.id,
        qname=first[0],
        qtype=first[1],
        response=wire.response,
        rcode=wire.rcode,
        answers=[r.data for r in wire.answers],
        records=wire.answers,
        questions=len(wire.questions),
        malformed=wire.truncated_parse,
        queries=list(wire.questions),
    )


class _TcpDnsSink:
    """Cuts each direction's byte stream into length-prefixed DNS messages."""

    def __init__(self) -> None:
        self.buffers: dict[HalfKey, bytearray] = {}
        self.ready: list[DnsMessage] = []

    def data(self, key: HalfKey, payload: bytes, frame: int, ts_ns: int) -> None:
        buf = self.buffers.setdefault(key, bytearray())
        buf += payload
        while len(buf) >= 2:
            size = (buf[0] << 8) | buf[1]
            if len(buf) < 2 + size:
                break
            message = _message(bytes(buf[2 : 2 + size]), frame, ts_ns, key, "tcp")
            if message is not None:
                self.ready.append(message)
            del buf[: 2 + size]

    def gap(self, key: HalfKey, missing: int, frame: int) -> None:
        self.buffers.pop(key, None)  # cannot find the next length prefix after a hole

    def close(self, key: HalfKey, frame: int, ts_ns: int) -> None:
        self.buffers.pop(key, None)


def dns_messages(path: str | Path, warnings: list[str] | None = None) -> Iterator[DnsMessage]:
    """Yield every DNS message in the capture in frame order.

    Raises EvidenceError at once if the file is not a capture; reading
    problems are appended to ``warnings`` when given.
    """
    reader = CaptureReader(path)
    return _iterate(reader, warnings)


def _iterate(reader: CaptureReader, warnings: list[str] | None) -> Iterator[DnsMessage]:
    sink = _TcpDnsSink()
    tcp = TcpReassembler(sink)
    # Large answers (DNSSEC, long TXT records) arrive in IPv4 fragments: read the whole
    # datagram, at the frame that completes it, as tshark shows it.
    for number, ts_ns, _, linktype, data, _ in defragment(reader.records()):
        d = decode(linktype, data)
        if d is None or d[4] is None:
            continue
        proto, sport, dport = d[1], d[4], d[5]
        if proto == 17 and (sport in UDP_PORTS or dport in UDP_PORTS):
            message = _message(data[d[6] : d[7]], number, ts_ns, (d[2], sport, d[3], dport), "udp")
            if message is not None:
                yield message
        elif proto == 6 and (sport in TCP_PORTS or dport in TCP_PORTS):
            tcp.feed((d[2], sport, d[3], dport), d[8], d[9], data[d[6] : d[7]], number, ts_ns)
            if sink.ready:
                yield from sink.ready
                sink.ready.clear()
    tcp.flush()
    yield from sink.ready
    if warnings is not None:
        warnings.extend(reader.warnings + link_warnings(reader.link_counts))
