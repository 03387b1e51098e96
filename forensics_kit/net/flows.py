"""Conversations in a capture, one record per flow, like ``tshark -z conv``.

TCP and UDP flows are keyed by the 5-tuple, other IP protocols by address
pair and protocol. The side that sent the first packet is ``src`` (as
tshark's address A). Packet and byte counts use the original frame length,
so totals agree with tshark's conversation tables.

Only counters are kept per flow, never frames, so memory grows with the
number of flows, not of packets. The loop is the hot path of the benchmark
against tshark: it works on tuples and locals only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from forensics_kit.net.decode import (
    SUPPORTED_LINKTYPES,
    addr_text,
    decode,
    link_warnings,
    proto_name,
)
from forensics_kit.net.reader import CaptureReader, linktype_name
from forensics_kit.timefmt import iso_utc


@dataclass(slots=True)
class Flow:
    """One conversation; ``_ab`` counts go from src to dst, ``_ba`` back."""

    proto: str
    src: str
    sport: int | None
    dst: str
    dport: int | None
    packets: int
    bytes: int
    packets_ab: int
    bytes_ab: int
    packets_ba: int
    bytes_ba: int
    start: str | None
    duration: float
    start_ns: int
    end_ns: int
    first_frame: int

    def to_dict(self) -> dict:
        """JSON-ready values (``start_ns``/``end_ns`` kept for exact arithmetic)."""
        return {
            "proto": self.proto,
            "src": self.src,
            "sport": self.sport,
            "dst": self.dst,
            "dport": self.dport,
            "packets": self.packets,
            "bytes": self.bytes,
            "packets_ab": self.packets_ab,
            "bytes_ab": self.bytes_ab,
            "packets_ba": self.packets_ba,
            "bytes_ba": self.bytes_ba,
            "start": self.start,
            "duration": self.duration,
            "start_ns": self.start_ns,
            "end_ns": self.end_ns,
            "first_frame": self.first_frame,
        }


def flows(path: str | Path, warnings: list[str] | None = None) -> list[Flow]:
    """Return the conversations of a capture in order of their first packet.

    Non-IP frames (ARP, LLDP...) and frames whose IP header is malformed
    belong to no flow. IP fragments after the first carry no ports; they are
    counted in a port-less flow of their protocol. Problems (damaged records,
    link types we cannot decode) are appended to ``warnings`` when given.
    """
    reader = CaptureReader(path)
    table: dict[tuple, tuple[list, int]] = {}
    order: list[tuple] = []
    unknown_links: dict[int, int] = {}
    _decode = decode
    for number, ts_ns, length, linktype, data, _ in reader.records():
        d = _decode(linktype, data)
        if d is None:
            unknown_links[linktype] = unknown_links.get(linktype, 0) + 1
            continue
        proto = d[1]
        if not d[0] or proto < 0:
            continue
        key = (proto, d[2], d[4], d[3], d[5])
        entry = table.get(key)
        if entry is None:
            # stats: packets_ab, bytes_ab, packets_ba, bytes_ba, first_ns, last_ns, frame
            stats = [0, 0, 0, 0, ts_ns, ts_ns, number]
            table[key] = (stats, 0)
            reverse = (proto, d[3], d[5], d[2], d[4])
            if reverse != key:
                table[reverse] = (stats, 2)
            order.append(key)
            entry = (stats, 0)
        stats, side = entry
        stats[side] += 1
        stats[side + 1] += length
        if ts_ns > stats[5]:
            stats[5] = ts_ns
        elif ts_ns < stats[4]:
            stats[4] = ts_ns
    if warnings is not None:
        warnings.extend(reader.warnings)
        warnings.extend(link_warnings(unknown_links))
        for linktype, count in unknown_links.items():
            if linktype not in SUPPORTED_LINKTYPES:
                continue
            warnings.append(
                f"{count} frame(s) of link type {linktype} ({linktype_name(linktype)})"
                " too short to decode"
            )
    result = []
    for key in order:
        stats = table[key][0]
        proto, src, sport, dst, dport = key
        pab, bab, pba, bba, first, last, frame = stats
        result.append(
            Flow(
                proto=proto_name(proto),
                src=addr_text(src),
                sport=sport,
                dst=addr_text(dst),
                dport=dport,
                packets=pab + pba,
                bytes=bab + bba,
                packets_ab=pab,
                bytes_ab=bab,
                packets_ba=pba,
                bytes_ba=bba,
                start=iso_utc(first // 1_000_000_000, first % 1_000_000_000),
                duration=(last - first) / 1e9,
                start_ns=first,
                end_ns=last,
                first_frame=frame,
            )
        )
    return result
