"""Conversations in a capture, one record per flow, like ``tshark -z conv``.

TCP and UDP flows are keyed by the 5-tuple, other IP protocols by address
pair and protocol. The side that sent the first packet is ``src`` (as
tshark's address A). Packet and byte counts use the original frame length,
so totals agree with tshark's conversation tables.

Only counters are kept per flow, never frames, so memory grows with the
number of flows, not of packets, and little with them: a conversation is one
int key (addresses, ports, protocol; the same for both directions), kept in an
open-addressing table of arrays for IPv4 (no Python object per flow), and six
64-bit counters in one array. :class:`FlowList` keeps that form and builds a
:class:`Flow` when one is read, so a million-packet capture with a hundred
thousand conversations stays within a few tens of MiB. The loop is the hot
path of the benchmark against tshark: it works on tuples and locals only.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from forensics_kit.net.decode import (
    SUPPORTED_LINKTYPES,
    addr_text,
    decode,
    link_warnings,
    proto_name,
)
from forensics_kit.net.reader import CaptureReader, iso_ns, linktype_name


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


# Key layout, low bits first: protocol (8), IP version (3), dport (17), sport
# (17), then both addresses. A port of _NO_PORT stands for "no ports".
_NO_PORT = 0x10000
_PORT_MASK = 0x1FFFF
_ADDR_SHIFT = 45
# Per flow in the stats array: packets (ab + ba << 32), bytes ab, bytes ba, first_ns,
# last_ns, first frame << 1 | 1 when the first packet went from the key's second endpoint.
_STRIDE = 6
_BA_PACKET = 1 << 32
_LOW64 = (1 << 64) - 1
_FIRST_BITS = 12
_GOLDEN = 0x9E3779B97F4A7C15  # Fibonacci hashing: keys differing only in a port still spread


def _add_long_row(long_rows: dict[int, int], key: int, row: int, keys_lo: array, keys_hi: array) -> int:
    """Give a key of more than 128 bits (IPv6) its row; the arrays hold a placeholder."""
    long_rows[row] = key
    keys_lo.append(0)
    keys_hi.append(0)
    return row


def _grown(keys: _Keys, bits: int) -> array:
    """A slot table of ``2**bits`` slots refilled from the keys (load stays under one half)."""
    slots, mask, shift = array("I", bytes(4 << bits)), (1 << bits) - 1, 64 - bits
    long, lo, hi = keys.long, keys.lo, keys.hi
    for row in range(len(lo)):
        if row in long:
            continue
        slot = ((hash((hi[row] << 64) | lo[row]) * _GOLDEN) & _LOW64) >> shift
        while slots[slot]:
            slot = (slot + 1) & mask
        slots[slot] = row + 1
    return slots


def _flow(key: int, row: array | list) -> Flow:
    """Build the record of one conversation from its key and its counters."""
    packets, bab, bba, first, last, frame = row
    pab, pba, flip, frame = packets & 0xFFFFFFFF, packets >> 32, frame & 1, frame >> 1
    size = 4 if (key >> 8) & 7 == 4 else 16
    raw = (key >> _ADDR_SHIFT).to_bytes(2 * size, "big")
    a, b = addr_text(raw[:size]), addr_text(raw[size:])
    aport, bport = (key >> 28) & _PORT_MASK, (key >> 11) & _PORT_MASK
    if aport == _NO_PORT:
        aport = bport = None
    if flip:  # the first packet went from the second endpoint of the key
        a, aport, b, bport = b, bport, a, aport
    return Flow(
        proto=proto_name(key & 0xFF),
        src=a,
        sport=aport,
        dst=b,
        dport=bport,
        packets=pab + pba,
        bytes=bab + bba,
        packets_ab=pab,
        bytes_ab=bab,
        packets_ba=pba,
        bytes_ba=bba,
        start=iso_ns(first),
        duration=(last - first) / 1e9,
        start_ns=first,
        end_ns=last,
        first_frame=frame,
    )


class _Keys:
    """Conversation keys by row: IPv4 keys in two 64-bit arrays, longer (IPv6) keys in a dict."""

    __slots__ = ("lo", "hi", "long")

    def __init__(self) -> None:
        self.lo = array("Q")
        self.hi = array("Q")
        self.long: dict[int, int] = {}  # row -> key, for keys of more than 128 bits

    def __len__(self) -> int:
        return len(self.lo)

    def key(self, row: int) -> int:
        long = self.long.get(row)
        return long if long is not None else (self.hi[row] << 64) | self.lo[row]


class FlowList(Sequence[Flow]):
    """The conversations of a capture in order of their first packet.

    A read-only list: indexing, slicing, ``len`` and iteration give
    :class:`Flow` records (equal to a ``list`` of the same flows), built on
    access from a compact form so that holding the result costs about 80
    bytes per conversation instead of a kilobyte.
    """

    __slots__ = ("_keys", "_stats")

    def __init__(self, keys: _Keys, stats: array) -> None:
        self._keys = keys
        self._stats = stats

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, index: int) -> Flow: ...

    @overload
    def __getitem__(self, index: slice) -> list[Flow]: ...

    def __getitem__(self, index: int | slice) -> Flow | list[Flow]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("flow index out of range")
        return _flow(self._keys.key(index), self._stats[index * _STRIDE : (index + 1) * _STRIDE])

    def __iter__(self) -> Iterator[Flow]:
        stats, key = self._stats, self._keys.key
        for index in range(len(self)):
            yield _flow(key(index), stats[index * _STRIDE : (index + 1) * _STRIDE])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FlowList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FlowList({len(self)} flows)"


def flows(path: str | Path, warnings: list[str] | None = None) -> FlowList:
    """Return the conversations of a capture in order of their first packet.

    Non-IP frames (ARP, LLDP...) and frames whose IP header is malformed
    belong to no flow. IP fragments after the first carry no ports; they are
    counted in a port-less flow of their protocol. Problems (damaged records,
    link types we cannot decode) are appended to ``warnings`` when given.
    """
    reader = CaptureReader(path)
    # One int key per conversation, the same for both directions (endpoints in
    # canonical order), mapped to the conversation's row in ``stats``. IPv4 keys
    # (under 128 bits) live in an open-addressing table of arrays: no Python object
    # per conversation, so memory stays near 80 bytes a flow. Longer keys use a dict.
    keys = _Keys()
    keys_lo, keys_hi, long_rows = keys.lo, keys.hi, keys.long
    long_table: dict[int, int] = {}
    bits = _FIRST_BITS
    slots = array("I", bytes(4 << bits))  # row + 1, 0 = empty
    mask, shift = (1 << bits) - 1, 64 - bits
    rows = 0
    last_key, last_index = -1, 0
    stats = array("q")
    extend, from_bytes = stats.extend, int.from_bytes
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
        src, dst, sport = d[2], d[3], d[4]
        if sport is None:
            sport = dport = _NO_PORT
        else:
            dport = d[5]
        low = (d[0] << 8) | proto
        if src < dst or (src == dst and sport <= dport):
            key = (from_bytes(src + dst) << _ADDR_SHIFT) | (sport << 28) | (dport << 11) | low
            flip = 0
        else:
            key = (from_bytes(dst + src) << _ADDR_SHIFT) | (dport << 28) | (sport << 11) | low
            flip = 1
        if key == last_key:  # segments of one transfer come back to back
            index = last_index
        elif key >> 128:
            index = long_table.get(key)
            if index is None:
                index = long_table[key] = _add_long_row(long_rows, key, rows, keys_lo, keys_hi)
                rows += 1
                extend((0, 0, 0, ts_ns, ts_ns, number << 1 | flip))
        else:
            lo, hi = key & _LOW64, key >> 64
            slot = ((hash(key) * _GOLDEN) & _LOW64) >> shift
            while True:
                row = slots[slot]
                if not row:
                    index = rows
                    rows += 1
                    slots[slot] = rows
                    keys_lo.append(lo)
                    keys_hi.append(hi)
                    extend((0, 0, 0, ts_ns, ts_ns, number << 1 | flip))
                    if rows * 2 > mask:
                        bits += 1
                        slots = _grown(keys, bits)
                        mask, shift = (1 << bits) - 1, 64 - bits
                    break
                if keys_lo[row - 1] == lo and keys_hi[row - 1] == hi:
                    index = row - 1
                    break
                slot = (slot + 1) & mask
        last_key, last_index = key, index
        j = index * 6
        if flip == stats[j + 5] & 1:
            stats[j] += 1
            stats[j + 1] += length
        else:
            stats[j] += _BA_PACKET
            stats[j + 2] += length
        if ts_ns > stats[j + 4]:
            stats[j + 4] = ts_ns
        elif ts_ns < stats[j + 3]:
            stats[j + 3] = ts_ns
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
    return FlowList(keys, stats)
