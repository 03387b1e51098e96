"""Conversations in a capture, one record per flow, like ``tshark -z conv``.

TCP and UDP flows are keyed by the 5-tuple, other IP protocols by address
pair and protocol. The side that sent the first packet is ``src`` (as
tshark's address A). Packet and byte counts use the original frame length,
so totals agree with tshark's conversation tables.

Only counters are kept per flow, never frames, so memory grows with the
number of flows, not of packets: a conversation is two dict entries (one key
per direction: addresses then ports, a slice of the frame itself), one kind
number and six 64-bit counters in an array, ~150 bytes in all; 500k
conversations stay near 100 MiB. :class:`FlowList` keeps that form and builds
a :class:`Flow` (or its dict) when one is read. The loop is the hot path of the
benchmark against tshark: Ethernet/IPv4 TCP and UDP frames, nearly all of a
real capture, are keyed by one slice and one look-up without a full decode.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import overload

from forensics_kit.net.decode import (
    SUPPORTED_LINKTYPES,
    addr_text,
    decode,
    link_warnings,
    proto_name,
)
from forensics_kit.net.reader import MAX_TS_NS, MIN_TS_NS, CaptureReader, iso_ns, linktype_name


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


_FIELDS = tuple(Flow.__dataclass_fields__)
_BA_PACKET = 1 << 32  # packets are counted src->dst in the low 32 bits, dst->src above
_STRIDE = 6  # per flow in the stats array: packets, bytes ab, bytes ba, first_ns, last_ns, first frame
_PORTS = struct.Struct("!HH").pack
_ETH_IPV4_IHL5 = b"\x08\x00\x45"  # Ethernet type IPv4, then version 4 with a 20-byte header
# Kind of a flow, in the rows' array: IP version << 9 | has ports << 8 | protocol.
_PORTED = 1 << 8


def _times(cache: dict[int, str | None], ts_ns: int) -> str | None:
    """ISO text of a time stamp; the whole-second part is formatted once per second seen."""
    seconds, frac = divmod(ts_ns, 1_000_000_000)
    base = cache.get(seconds)
    if base is None:
        if seconds == 0 or not MIN_TS_NS <= ts_ns <= MAX_TS_NS:
            return iso_ns(ts_ns)
        base = cache[seconds] = iso_ns(seconds * 1_000_000_000)[:-1]  # type: ignore[index]
    return f"{base}.{frac:09d}".rstrip("0") + "Z" if frac else base + "Z"


class FlowList(Sequence[Flow]):
    """The conversations of a capture in order of their first packet.

    A read-only list: indexing, slicing, ``len`` and iteration give
    :class:`Flow` records (equal to a ``list`` of the same flows), built on
    access from a compact form (per flow: its key bytes, one kind number and
    six counters), so holding the result costs ~150 bytes per conversation.
    :meth:`records` gives the ``to_dict()`` form of every flow without making
    the :class:`Flow` objects, which is what a listing of 500k flows needs.
    """

    __slots__ = ("_keys", "_kinds", "_stats")

    def __init__(self, keys: list[bytes], kinds: array, stats: array) -> None:
        self._keys = keys
        self._kinds = kinds
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
        return Flow(**self._record(index, {}, {}))

    def __iter__(self) -> Iterator[Flow]:
        for record in self.records():
            yield Flow(**record)


    def _record(self, index: int, names: dict, times: dict) -> dict:
        key, kind = self._keys[index], self._kinds[index]
        packets, bab, bba, first, last, frame = self._stats[index * _STRIDE : (index + 1) * _STRIDE]
        size = 4 if kind >> 9 == 4 else 16
        src, dst = names.get(key[:size]), names.get(key[size : 2 * size])
        if src is None:
            src = names[key[:size]] = addr_text(key[:size])
        if dst is None:
            dst = names[key[size : 2 * size]] = addr_text(key[size : 2 * size])
        sport, dport = (int.from_bytes(key[-4:-2], "big"), int.from_bytes(key[-2:], "big")) if kind & _PORTED \
            else (None, None)
        pab, pba = packets & 0xFFFFFFFF, packets >> 32
        return {
            "proto": proto_name(kind & 0xFF),
            "src": src,
            "sport": sport,
            "dst": dst,
            "dport": dport,
            "packets": pab + pba,
            "bytes": bab + bba,
            "packets_ab": pab,
            "bytes_ab": bab,
            "packets_ba": pba,
            "bytes_ba": bba,
            "start": _times(times, first),
            "duration": (last - first) / 1e9,
            "start_ns": first,
            "end_ns": last,
            "first_frame": frame,
        }

    def _rows(self, start: int = 0, stop: int | None = None) -> Iterator[tuple]:
        """Every flow's values in the order of :meth:`Flow.to_dict`, as a tuple.

        Address texts, protocol names and the whole-second part of times are
        formatted once each and reused: a listing of 500k flows spends its time here.
        """
        names: dict[bytes, str] = {}
        times: dict[int, str | None] = {}
        protos: dict[int, str] = {}
        stats, kinds = self._stats, self._kinds
        for index, key in enumerate(islice(self._keys, start, stop), start):
            kind = kinds[index]
            j = index * _STRIDE
            packets, bab, bba, first, last = stats[j], stats[j + 1], stats[j + 2], stats[j + 3], stats[j + 4]
            size = 4 if kind >> 9 == 4 else 16
            a, b = key[:size], key[size : 2 * size]
            src, dst = names.get(a), names.get(b)
            if src is None:
                src = names[a] = addr_text(a)
            if dst is None:
                dst = names[b] = addr_text(b)
            proto = protos.get(kind)
            if proto is None:
                proto = protos[kind] = proto_name(kind & 0xFF)
            if kind & _PORTED:
                sport, dport = (key[-4] << 8) | key[-3], (key[-2] << 8) | key[-1]
            else:
                sport = dport = None
            seconds, frac = divmod(first, 1_000_000_000)
            base = times.get(seconds)
            if base is None:
                began = _times(times, first)
            elif frac:
                began = f"{base}.{frac:09d}".rstrip("0") + "Z"
            else:
                began = base + "Z"
            pab, pba = packets & 0xFFFFFFFF, packets >> 32
            yield (proto, src, sport, dst, dport, pab + pba, bab + bba, pab, bab, pba, bba, began,
                   (last - first) / 1e9, first, last, stats[j + 5])

    def records(self, start: int = 0, stop: int | None = None) -> Iterator[dict]:
        """Every flow (or flows ``start:stop``) as its ``to_dict()``, in order, without :class:`Flow` objects."""
        for values in self._rows(start, stop):
            yield dict(zip(_FIELDS, values, strict=True))

    def json_lines(self, start: int = 0, stop: int | None = None) -> Iterator[str]:
        """Every flow as one line of JSON, the same text as ``json.dumps(flow.to_dict())``.

        Formatted directly, in one loop (the hot path of ``net flows --json`` on 500k
        flows): every string value is an address, a protocol name or an ISO time, none
        of which needs escaping, so no JSON encoder is needed.
        """
        names: dict[bytes, str] = {}
        times: dict[int, str | None] = {}
        heads: dict[int, str] = {}  # kind -> '{"proto": "udp", "src": "'
        stats, kinds = self._stats, self._kinds
        for index, key in enumerate(islice(self._keys, start, stop), start):
            kind = kinds[index]
            j = index * _STRIDE
            packets, bab, bba, first, last = stats[j], stats[j + 1], stats[j + 2], stats[j + 3], stats[j + 4]
            size = 4 if kind >> 9 == 4 else 16
            a, b = key[:size], key[size : 2 * size]
            src, dst = names.get(a), names.get(b)
            if src is None:
                src = names[a] = addr_text(a)
            if dst is None:
                dst = names[b] = addr_text(b)
            head = heads.get(kind)
            if head is None:
                head = heads[kind] = f'{{"proto": "{proto_name(kind & 0xFF)}", "src": "'
            if kind & _PORTED:
                ports = (f'", "sport": {(key[-4] << 8) | key[-3]}, "dst": "{dst}", '
                         f'"dport": {(key[-2] << 8) | key[-1]}')
            else:
                ports = f'", "sport": null, "dst": "{dst}", "dport": null'
            seconds, frac = divmod(first, 1_000_000_000)
            base = times.get(seconds)
            if base is None:
                start = _times(times, first)
                start = f'"{start}"' if start is not None else "null"
            elif frac:
                start = f'"{base}.{frac:09d}'.rstrip("0") + 'Z"'
            else:
                start = f'"{base}Z"'
            pab, pba = packets & 0xFFFFFFFF, packets >> 32
            yield (f'{head}{src}{ports}, "packets": {pab + pba}, "bytes": {bab + bba}, "packets_ab": {pab}, '
                   f'"bytes_ab": {bab}, "packets_ba": {pba}, "bytes_ba": {bba}, "start": {start}, '
                   f'"duration": {(last - first) / 1e9!r}, "start_ns": {first}, "end_ns": {last}, '
                   f'"first_frame": {stats[j + 5]}}}')

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
    # Each conversation has two keys, one per direction (source address, destination
    # address, then the ports), both mapped to ``row * 2 + direction``: a packet's key
    # is a slice of its frame, found in one dict look-up. TCP and UDP over IPv4 have a
    # table each; other protocols and IPv6 one per (version, protocol, with ports).
    tcp: dict[bytes, int] = {}
    udp: dict[bytes, int] = {}
    tables: dict[int, dict[bytes, int]] = {(4 << 9) | _PORTED | 6: tcp, (4 << 9) | _PORTED | 17: udp}
    keys: list[bytes] = []
    kinds = array("H")
    stats = array("q")
    extend, add_key, add_kind = stats.extend, keys.append, kinds.append
    unknown_links: dict[int, int] = {}
    fast = _ETH_IPV4_IHL5
    for number, ts_ns, length, linktype, data, _ in reader.records():
        # Fast path: Ethernet, IPv4 without options, not a later fragment, TCP or UDP
        # whose header is whole; anything else goes through the full decoder.
        table = None
        if linktype == 1 and data[12:15] == fast and len(data) >= 42 and not (data[20] & 0x1F or data[21]):
            proto = data[23]
            total = (data[16] << 8) | data[17]
            end = len(data) if not total or total + 14 > len(data) else total + 14
            if total and total < 20:
                pass
            elif proto == 6:
                if end >= 54 and 20 <= (data[46] >> 4) * 4 <= end - 34:
                    table = tcp
            elif proto == 17 and end >= 42:
                table = udp
        if table is not None:
            key = data[26:38]
            slot = table.get(key)
            if slot is None:
                slot = len(keys) << 1
                table[data[30:34] + data[26:30] + data[36:38] + data[34:36]] = slot | 1
                table[key] = slot
                add_key(key)
                add_kind((4 << 9) | _PORTED | proto)
                extend((0, 0, 0, ts_ns, ts_ns, number))
        else:
            d = decode(linktype, data)
            if d is None:
                unknown_links[linktype] = unknown_links.get(linktype, 0) + 1
                continue
            proto = d[1]
            if not d[0] or proto < 0:
                continue
            src, dst, sport = d[2], d[3], d[4]
            if sport is None:
                kind, key, back = (d[0] << 9) | proto, src + dst, dst + src
            else:
                kind = (d[0] << 9) | _PORTED | proto
                key, back = src + dst + _PORTS(sport, d[5]), dst + src + _PORTS(d[5], sport)
            table = tables.get(kind)
            if table is None:
                table = tables[kind] = {}
            slot = table.get(key)
            if slot is None:
                slot = len(keys) << 1
                table[back] = slot | 1
                table[key] = slot
                add_key(key)
                add_kind(kind)
                extend((0, 0, 0, ts_ns, ts_ns, number))
        j = (slot >> 1) * _STRIDE
        if slot & 1:
            stats[j] += _BA_PACKET
            stats[j + 2] += length
        else:
            stats[j] += 1
            stats[j + 1] += length
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
    return FlowList(keys, kinds, stats)
