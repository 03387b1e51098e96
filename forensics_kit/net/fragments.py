"""IPv4 fragment reassembly with timeouts, bounded memory and a first-wins overlap policy.

Large DNS answers over UDP, big ICMP echo payloads (a classic exfiltration
channel) and some evasion tools arrive in IP fragments, and only the first
fragment carries ports. :class:`Ipv4Defragmenter` keys fragments by
(src, dst, id, proto), keeps the bytes that arrived first where fragments
overlap (as Wireshark does by default), and hands back the whole datagram at
the frame of the fragment that completes it, which is also where tshark shows
the reassembled packet. Datagrams that never complete are dropped after
``timeout`` seconds or when the limits are reached, and counted.

:func:`defragment` wraps the ``(number, ts_ns, orig_len, linktype, data,
interface)`` records of :meth:`CaptureReader.records` so any analysis can sit
on reassembled traffic: unfragmented frames pass through untouched, fragments
are held back, and the completing frame comes out rebuilt as its own link
header plus the reassembled IP datagram.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from forensics_kit.net.decode import ETH_IPV4, _network_offset

_FRAG = struct.Struct("!H").unpack_from


@dataclass(slots=True)
class _Datagram:
    first_ns: int
    header: bytes = b""  # IP header of the fragment at offset 0
    total: int | None = None  # payload length, known from the last fragment
    buf: bytearray = field(default_factory=bytearray)
    covered: list[tuple[int, int]] = field(default_factory=list)  # sorted, merged ranges
    frames: list[int] = field(default_factory=list)


def _add_range(covered: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The sub-ranges of [start, end) not yet covered; ``covered`` is updated in place."""
    fresh, pos = [], start
    for a, b in covered:
        if b <= pos:
            continue
        if a >= end:
            break
        if a > pos:
            fresh.append((pos, a))
        pos = max(pos, b)
    if pos < end:
        fresh.append((pos, end))
    merged = sorted(covered + fresh)
    covered[:] = []
    for a, b in merged:
        if covered and a <= covered[-1][1]:
            covered[-1] = (covered[-1][0], max(covered[-1][1], b))
        else:
            covered.append((a, b))
    return fresh


class Ipv4Defragmenter:
    """Reassembles IPv4 datagrams fed one fragment at a time.

    Args:
        timeout: seconds after its first fragment that an incomplete datagram is dropped
            (Linux uses 30 s).
        max_datagrams: incomplete datagrams held at once; the oldest is dropped beyond it.
        max_bytes: bytes held in incomplete datagrams at once; the oldest go beyond it.
    """

    def __init__(self, timeout: float = 30.0, max_datagrams: int = 4096,
                 max_bytes: int = 64 << 20) -> None:
        self.timeout_ns = int(timeout * 1e9)
        self.max_datagrams = max_datagrams
        self.max_bytes = max_bytes
        self._pending: dict[tuple, _Datagram] = {}
        self._bytes = 0
        self.reassembled = 0
        self.dropped = 0
        self.overlaps = 0

    def feed(self, packet: bytes, ts_ns: int, frame: int = 0) -> tuple[bytes, list[int]] | None:
        """Add one fragment (an IPv4 packet starting at its header).

        Returns ``(datagram, frames)`` when the datagram is complete: the IP
        packet with total length fixed and fragment fields cleared, and the
        frame numbers of its fragments; None otherwise or for garbage.
        """
        if len(packet) < 20:
            return None
        ihl = (packet[0] & 0x0F) * 4
        total_len = _FRAG(packet, 2)[0]
        if ihl < 20 or total_len < ihl or len(packet) < total_len:
            return None
        flags = _FRAG(packet, 6)[0]
        offset, more = (flags & 0x1FFF) * 8, bool(flags & 0x2000)
        payload = packet[ihl:total_len]
        key = (packet[12:20], packet[4:6], packet[9])
        self._expire(ts_ns)
        dgram = self._pending.get(key)
        if dgram is None:
            dgram = self._pending[key] = _Datagram(ts_ns)
            self._limit()
        end = offset + len(payload)
        if end > 65535 - 20 or (more and len(payload) % 8):
            return None  # impossible datagram: ignore this fragment
        if not more:
            if dgram.total is not None and dgram.total != end:
                self.overlaps += 1
            else:
                dgram.total = end
        if offset == 0 and not dgram.header:
            dgram.header = packet[:ihl]
        dgram.frames.append(frame)
        if len(dgram.buf) < end:
            self._bytes += end - len(dgram.buf)
            dgram.buf.extend(bytes(end - len(dgram.buf)))
        fresh = _add_range(dgram.covered, offset, end)
        if fresh != [(offset, end)]:
            self.overlaps += 1
        for a, b in fresh:  # first wins: only bytes not yet received are written
            dgram.buf[a:b] = payload[a - offset : b - offset]
        if dgram.total is None or not dgram.header or dgram.covered != [(0, dgram.total)]:
            return None
        del self._pending[key]
        self._bytes -= len(dgram.buf)
        self.reassembled += 1
        header = bytearray(dgram.header)
        struct.pack_into("!H", header, 2, len(header) + dgram.total)
        struct.pack_into("!H", header, 6, _FRAG(header, 6)[0] & 0x4000)  # keep DF, clear MF/offset
        struct.pack_into("!H", header, 10, 0)
        struct.pack_into("!H", header, 10, _checksum(header))
        return bytes(header) + bytes(dgram.buf[: dgram.total]), dgram.frames

    def _expire(self, ts_ns: int) -> None:
        if not self._pending:
            return
        oldest = next(iter(self._pending.values()))
        if ts_ns - oldest.first_ns <= self.timeout_ns:
            return
        for key in [k for k, d in self._pending.items() if ts_ns - d.first_ns > self.timeout_ns]:
            self._drop(key)

    def _limit(self) -> None:
        while self._pending and (len(self._pending) > self.max_datagrams or self._bytes > self.max_bytes):
            self._drop(next(iter(self._pending)))

    def _drop(self, key: tuple) -> None:
        dgram = self._pending.pop(key)
        self._bytes -= len(dgram.buf)
        self.dropped += 1

    @property
    def pending(self) -> int:
        """Incomplete datagrams currently held."""
        return len(self._pending)


def _checksum(header: bytes | bytearray) -> int:
    total = sum(struct.unpack(f"!{len(header) // 2}H", bytes(header)))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def defragment(records: Iterable[tuple], defragmenter: Ipv4Defragmenter | None = None,
               ) -> Iterator[tuple]:
    """Pass capture records through, replacing IPv4 fragments by reassembled frames.

    A fragment is held back; the frame that completes a datagram comes out
    with its link header and the whole datagram (``orig_len`` becomes the new
    length). Fragments of datagrams that never complete do not come out: see
    ``defragmenter.dropped`` and ``.pending``.
    """
    frag = defragmenter or Ipv4Defragmenter()
    for record in records:
        data, linktype = record[4], record[3]
        if linktype == 1 and data[12:14] == b"\x08\x00" and len(data) >= 34:
            off = 14  # the common case, without a call
        else:
            found = _network_offset(linktype, data)
            if found is None or found[0] != ETH_IPV4 or len(data) < found[1] + 20:
                yield record
                continue
            off = found[1]
        if not _FRAG(data, off + 6)[0] & 0x3FFF or data[off] >> 4 != 4:
            yield record
            continue
        done = frag.feed(data[off:], record[1], record[0])
        if done is not None:
            rebuilt = data[:off] + done[0]
            yield (record[0], record[1], len(rebuilt), linktype, rebuilt, *record[5:])
