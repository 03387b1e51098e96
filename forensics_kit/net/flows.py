"""Conversations in a capture, one record per flow, like ``tshark -z conv``.

TCP and UDP flows are keyed by the 5-tuple, other IP protocols by address
pair and protocol. The side that sent the first packet is ``src`` (as
tshark's address A). Packet and byte counts use the original frame length,
so totals agree with tshark's conversation tables.

Only counters are kept per flow, never frames, so memory grows with the
number of flows, not of packets. A real capture's conversations are mostly
short (a DNS exchange, one HTTP session), so the work is split in two:

- *active* tables, dicts from a packet's key (addresses then ports, a slice
  of the frame itself; one entry per direction) to its flow, answer nearly
  every packet in one look-up. They are generations: every 8192 new
  conversations the young table becomes the old one and the old one is
  dropped, so they hold the last few thousand conversations, whatever the
  capture's size;
- every conversation lives in compact arrays: its 12 key bytes (IPv4 with
  ports), kind, five 64-bit counters, its first frame, a 32-bit hash and a
  slot in an open-addressing index on that hash, 70-80 bytes in all, against
  ~350 for the dict form. A packet the active tables do not know is looked up
  there, so a conversation that wakes up after its generation was dropped
  continues where it was. IPv6 and port-less flows (rare) keep a table of
  their own that is never dropped.

Results do not depend on the generations. :class:`FlowList` keeps the
compact form and builds a :class:`Flow` (or its dict, or its JSON line) when
one is read. The loop is the hot path of the benchmarks against tshark:
Ethernet/IPv4 TCP and UDP frames, nearly all of a real capture, are keyed by
one slice and one look-up without a full decode.
"""

from __future__ import annotations

import struct
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
_STRIDE = 5  # per flow in the stats array: packets, bytes ab, bytes ba, first_ns, last_ns
_COUNTERS = struct.Struct(f"{_STRIDE}q")  # one flow's counters, as the array holds them
_KEY4 = struct.Struct("!4s4sHH")  # an IPv4 key with ports: source, destination, source port, destination port
_BLANK_KEY4 = bytes(_KEY4.size)
_PORTS = struct.Struct("!HH").pack
_ETH_IPV4_IHL5 = b"\x08\x00\x45"  # Ethernet type IPv4, then version 4 with a 20-byte header
# Kind of a flow, in the rows' array: IP version << 9 | has ports << 8 | protocol.
_PORTED = 1 << 8
_TCP4 = (4 << 9) | _PORTED | 6
_UDP4 = (4 << 9) | _PORTED | 17
_IPV4_PORTED = ((4 << 9) | _PORTED) >> 8  # kind >> 8 of every flow whose key is a _KEY4
# The active tables are generations: after this many new conversations the young tables
# become the old ones (the old ones are dropped whole); a packet found only in the old table
# moves its key to the young one, a packet in neither is looked up in the index.
_GENERATION = 8192
_FIRST_INDEX = 1 << 12  # slots of the open-addressing index at the start; four times more at half full


def _times(cache: dict[int, str | None], ts_ns: int) -> str | None:
    """ISO text of a time stamp; the whole-second part is formatted once per second seen."""
    seconds, frac = divmod(ts_ns, 1_000_000_000)
    base = cache.get(seconds)
    if base is None:
        if seconds == 0 or not MIN_TS_NS <= ts_ns <= MAX_TS_NS:
            return iso_ns(ts_ns)
        base = cache[seconds] = iso_ns(seconds * 1_000_000_000)[:-1]  # type: ignore[index]
    # str(frac + 10**9)[1:] is frac in nine digits, in a third of the time of f"{frac:09d}".
    return f"{base}.{str(frac + 1_000_000_000)[1:].rstrip('0')}Z" if frac else base + "Z"


def _split(key: bytes, kind: int) -> tuple[bytes, bytes, int | None, int | None]:
    """Source and destination address bytes and ports (None without) of a key not in _KEY4 form."""
    size = 4 if kind >> 9 == 4 else 16
    if kind & _PORTED:
        return key[:size], key[size : 2 * size], int.from_bytes(key[-4:-2], "big"), int.from_bytes(key[-2:], "big")
    return key[:size], key[size : 2 * size], None, None


class FlowList(Sequence[Flow]):
    """The conversations of a capture in order of their first packet.

    A read-only list: indexing, slicing, ``len`` and iteration give
    :class:`Flow` records (equal to a ``list`` of the same flows), built on
    access from the compact form :func:`flows` fills (per flow: 12 key bytes,
    one kind number, five counters and its first frame), so holding the
    result costs ~70 bytes per IPv4 conversation. :meth:`records` gives the
    ``to_dict()`` form of every flow and :meth:`json_lines` its JSON text,
    without making :class:`Flow` objects, which is what a listing of 500k
    flows needs.
    """

    __slots__ = ("_frames", "_keys4", "_kinds", "_others", "_stats")

    def __init__(self, keys4: bytes | bytearray, others: dict[int, bytes], kinds: array, stats: array,
                 frames: array) -> None:
        self._keys4 = keys4  # row r's key at r * 12 when the flow is IPv4 with ports, zeros otherwise
        self._others = others  # row -> key, for every other flow (IPv6, no ports)
        self._kinds = kinds
        self._stats = stats
        self._frames = frames

    def __len__(self) -> int:
        return len(self._kinds)

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
        return Flow(**dict(zip(_FIELDS, next(self._rows(index, index + 1)), strict=True)))

    def __iter__(self) -> Iterator[Flow]:
        for record in self.records():
            yield Flow(**record)

    def _columns(self, start: int, stop: int | None) -> Iterator[tuple]:
        """``(row, kind, key fields, counters, first frame)`` of rows ``start:stop``, unpacked in C."""
        start, stop, _ = slice(start, stop).indices(len(self))
        stop = max(start, stop)
        keys = _KEY4.iter_unpack(memoryview(self._keys4)[start * _KEY4.size : stop * _KEY4.size])
        counters = _COUNTERS.iter_unpack(memoryview(self._stats)[start * _STRIDE : stop * _STRIDE])
        return zip(range(start, stop), self._kinds[start:stop], keys, counters, self._frames[start:stop], strict=True)

    def _rows(self, start: int = 0, stop: int | None = None) -> Iterator[tuple]:
        """Every flow's values in the order of :meth:`Flow.to_dict`, as a tuple.

        Address texts, protocol names and the whole-second part of times are
        formatted once each and reused: a listing of 500k flows spends its time here.
        """
        names: dict[bytes, str] = {}
        times: dict[int, str | None] = {}
        protos: dict[int, str] = {}
        others = self._others
        for row, kind, (a, b, sport, dport), (packets, bab, bba, first, last), frame in self._columns(start, stop):
            if kind >> 8 != _IPV4_PORTED:
                a, b, sport, dport = _split(others[row], kind)
            src, dst = names.get(a), names.get(b)
            if src is None:
                src = names[a] = addr_text(a)
            if dst is None:
                dst = names[b] = addr_text(b)
            proto = protos.get(kind)
            if proto is None:
                proto = protos[kind] = proto_name(kind & 0xFF)
            pab, pba = packets & 0xFFFFFFFF, packets >> 32
            yield (proto, src, sport, dst, dport, pab + pba, bab + bba, pab, bab, pba, bba, _times(times, first),
                   (last - first) / 1e9, first, last, frame)

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
        others = self._others
        for row, kind, (a, b, sport, dport), (packets, bab, bba, first, last), frame in self._columns(start, stop):
            if kind >> 8 != _IPV4_PORTED:
                a, b, sport, dport = _split(others[row], kind)
            src, dst = names.get(a), names.get(b)
            if src is None:
                src = names[a] = addr_text(a)
            if dst is None:
                dst = names[b] = addr_text(b)
            head = heads.get(kind)
            if head is None:
                head = heads[kind] = f'{{"proto": "{proto_name(kind & 0xFF)}", "src": "'
            if sport is None:
                ports = f'", "sport": null, "dst": "{dst}", "dport": null'
            else:
                ports = f'", "sport": {sport}, "dst": "{dst}", "dport": {dport}'
            seconds, frac = divmod(first, 1_000_000_000)
            base = times.get(seconds)
            if base is None:
                began = _times(times, first)
                began = f'"{began}"' if began is not None else "null"
            elif frac:
                began = f'"{base}.{str(frac + 1_000_000_000)[1:].rstrip("0")}Z"'
            else:
                began = f'"{base}Z"'
            pab, pba = packets & 0xFFFFFFFF, packets >> 32
            yield (f'{head}{src}{ports}, "packets": {pab + pba}, "bytes": {bab + bba}, "packets_ab": {pab}, '
                   f'"bytes_ab": {bab}, "packets_ba": {pba}, "bytes_ba": {bba}, "start": {began}, '
                   f'"duration": {(last - first) / 1e9!r}, "start_ns": {first}, "end_ns": {last}, '
                   f'"first_frame": {frame}}}')

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FlowList | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FlowList({len(self)} flows)"


def _reindex(hashes: array, slots: int) -> array:
    """A new open-addressing index of ``slots`` (a power of two) over every row, by its hash."""
    index = array("I", bytes(4 * slots))
    mask = slots - 1
    for row, h in enumerate(hashes, 1):
        i = h & mask
        while index[i]:
            i = (i + 1) & mask
        index[i] = row
    return index


def flows(path: str | Path, warnings: list[str] | None = None) -> FlowList:
    """Return the conversations of a capture in order of their first packet.

    Non-IP frames (ARP, LLDP...) and frames whose IP header is malformed
    belong to no flow. IP fragments after the first carry no ports; they are
    counted in a port-less flow of their protocol. Problems (damaged records,
    link types we cannot decode) are appended to ``warnings`` when given.
    """
    reader = CaptureReader(path)
    # Active tables: each conversation has two keys, one per direction (source address,
    # destination address, then the ports), both mapped to ``start * 2 + direction``
    # where ``start = row * _STRIDE`` is where its counters begin (the hot path multiplies
    # nothing): a packet's key is a slice of its frame, found in one dict look-up. TCP and UDP over
    # IPv4 have a young and an old table each; other protocols and IPv6 (rare) have one
    # per (version, protocol, with ports) that keeps every conversation.
    tcp: dict[bytes, int] = {}
    udp: dict[bytes, int] = {}
    old_tcp: dict[bytes, int] = {}
    old_udp: dict[bytes, int] = {}
    tables: dict[int, dict[bytes, int]] = {_TCP4: tcp, _UDP4: udp}
    next_generation = _GENERATION
    # The compact rows, one per conversation. Every row is in ``index`` (row + 1; 0 is a
    # free slot) by a 32-bit hash: of an IPv4 TCP/UDP key, in the direction that sorts first.
    keys4 = bytearray()
    others: dict[int, bytes] = {}
    kinds = array("H")
    stats = array("q")
    # A frame number fits in 32 bits unless the file could hold 2**32 records of 12+ bytes.
    frames = array("I" if Path(path).stat().st_size < 12 << 32 else "Q")
    hashes = array("I")
    index = array("I", bytes(4 * _FIRST_INDEX))
    mask = _FIRST_INDEX - 1
    extend, add_kind, add_frame, add_hash = stats.extend, kinds.append, frames.append, hashes.append
    unknown_links: dict[int, int] = {}
    fast = _ETH_IPV4_IHL5
    for number, ts_ns, length, linktype, data, _ in reader.records():
        # Fast path: Ethernet, IPv4 without options, not a later fragment, TCP or UDP
        # whose header is whole; anything else goes through the full decoder.
        table = None
        if linktype == 1 and data[12:15] == fast and (size := len(data)) >= 42 and not (data[20] & 0x1F or data[21]):
            proto = data[23]
            total = (data[16] << 8) | data[17]
            end = size if not total or total + 14 > size else total + 14
            if total and total < 20:
                pass
            elif proto == 6:
                if end >= 54 and 20 <= (data[46] >> 4) * 4 <= end - 34:
                    table, kind = tcp, _TCP4
            elif proto == 17 and end >= 42:
                table, kind = udp, _UDP4
        if table is not None:
            key = data[26:38]
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
                kind, key = (d[0] << 9) | proto, src + dst
            else:
                kind, key = (d[0] << 9) | _PORTED | proto, src + dst + _PORTS(sport, d[5])
            table = tables.get(kind)
            if table is None:
                table = tables[kind] = {}
        slot = table.get(key)
        if slot is not None:
            pass
        elif kind == _TCP4 or kind == _UDP4:
            slot = (old_tcp if kind == _TCP4 else old_udp).get(key)
            if slot is not None:  # active a generation ago
                table[key] = slot
            else:  # a conversation of two generations ago or more, or a new one
                back = key[4:8] + key[:4] + key[10:] + key[8:10]
                h = hash(key if key <= back else back) & 0xFFFFFFFF
                i = h & mask
                row = index[i]
                while row:
                    row -= 1
                    if hashes[row] == h and kinds[row] == kind:
                        if keys4.startswith(key, row * 12):
                            slot = row * _STRIDE << 1
                            break
                        if keys4.startswith(back, row * 12):
                            slot = row * _STRIDE << 1 | 1
                            break
                    i = (i + 1) & mask
                    row = index[i]
                if slot is None:  # a new conversation, made with its first packet counted
                    row = len(kinds)
                    slot = row * _STRIDE << 1
                    index[i] = row + 1
                    keys4 += key
                    add_kind(kind)
                    add_hash(h)
                    add_frame(number)
                    extend((1, length, 0, ts_ns, ts_ns))
                    if row * 2 >= mask:
                        mask = mask * 4 + 3
                        index = _reindex(hashes, mask + 1)
                    if row >= next_generation:
                        next_generation = row + _GENERATION
                        old_tcp, old_udp, tcp, udp = tcp, udp, {}, {}
                        tables[_TCP4], tables[_UDP4] = tcp, udp
                        table = tcp if kind == _TCP4 else udp
                    table[back] = slot | 1  # the key last: a flow to itself (key == back) counts as src -> dst
                    table[key] = slot
                    continue
                table[back] = slot ^ 1
                table[key] = slot
        else:
            row = len(kinds)
            slot = row * _STRIDE << 1
            if sport is None:
                back = dst + src
            else:
                back = dst + src + _PORTS(d[5], sport)
            table[back] = slot | 1
            table[key] = slot
            if kind >> 8 == _IPV4_PORTED:
                keys4 += key
            else:
                keys4 += _BLANK_KEY4
                others[row] = key
            add_kind(kind)
            h = hash(key) & 0xFFFFFFFF  # in the index too, so that it is one table of every row
            add_hash(h)
            i = h & mask
            while index[i]:
                i = (i + 1) & mask
            index[i] = row + 1
            if row * 2 >= mask:
                mask = mask * 4 + 3
                index = _reindex(hashes, mask + 1)
            add_frame(number)
            extend((1, length, 0, ts_ns, ts_ns))
            continue
        j = slot >> 1
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
    return FlowList(keys4, others, kinds, stats, frames)
