"""TCP stream reassembly: in-order payload bytes per direction of a connection.

Segments are put in sequence order; bytes already delivered (retransmissions,
overlaps) are dropped, the first copy seen wins, as in Wireshark. Each
delivered piece carries the frame that made it available: for a segment that
arrived early, that is the frame which closed the gap before it, so "the
frame where a message completes" means the same here as in tshark.

Data carried on a SYN (TCP Fast Open, RFC 7413) is the stream's first bytes,
as tshark follows it; the client's retransmission of that data after the
handshake (when the server refused the cookie) is then a duplicate.

A consumer (HTTP, DNS over TCP) gets three callbacks through a
:class:`StreamSink`: data, a gap (bytes never captured, so the consumer can
resynchronise) and the end of the direction. Waiting out-of-order data is
bounded; when the bound is hit the missing bytes are declared a gap.

A finished direction is replaced by one shared closed marker (late
retransmissions are still ignored). With ``forget_after_ns`` the marker is
dropped that long (capture time) after the direction ended, and the sink's
``forget`` is called, so state does not pile up over a long capture.
"""

from __future__ import annotations

from collections import deque
from typing import Protocol

_MASK = 0xFFFFFFFF
_HALF = 0x80000000
FIN, SYN, RST = 0x01, 0x02, 0x04
MAX_PENDING_SEGMENTS = 256
MAX_PENDING_BYTES = 8 << 20

HalfKey = tuple  # (src, sport, dst, dport) with raw address bytes


class StreamSink(Protocol):
    """What a reassembly consumer implements."""

    def data(self, key: HalfKey, payload: bytes, frame: int, ts_ns: int) -> None:
        """In-order bytes of one direction, with the frame that completed them."""

    def gap(self, key: HalfKey, missing: int, frame: int) -> None:
        """``missing`` bytes of this direction were never captured."""

    def close(self, key: HalfKey, frame: int, ts_ns: int) -> None:
        """This direction ended (FIN, RST or end of capture)."""


class _Half:
    __slots__ = ("next_seq", "pending", "pending_bytes", "closed")

    def __init__(self) -> None:
        self.next_seq: int | None = None
        self.pending: dict[int, tuple[bytes, int]] = {}
        self.pending_bytes = 0
        self.closed = False


_CLOSED = _Half()
_CLOSED.closed = True


class TcpReassembler:
    """Reassembles every TCP direction it is fed and reports to a sink."""

    def __init__(self, sink: StreamSink, forget_after_ns: int | None = None) -> None:
        self.sink = sink
        self._halves: dict[HalfKey, _Half] = {}
        self._last_frame = 0
        self._last_ts = 0
        self._forget_after = forget_after_ns
        self._ended: deque[tuple[int, HalfKey]] = deque()

    def feed(
        self, key: HalfKey, seq: int, flags: int, payload: bytes, frame: int, ts_ns: int
    ) -> None:
        """Add one TCP segment of direction ``key``."""
        self._last_frame, self._last_ts = frame, ts_ns
        ended = self._ended
        if ended and ended[0][0] < ts_ns:
            self._forget(ts_ns)
        half = self._halves.get(key)
        if half is None or (flags & SYN and half.closed):
            half = self._halves[key] = _Half()
        if flags & SYN:
            if half.next_seq is None or not payload:
                half.next_seq = (seq + 1) & _MASK
            if not payload:
                return
            seq = (seq + 1) & _MASK  # TCP Fast Open: data on the SYN is the stream's first bytes
        if payload and not half.closed:
            if half.next_seq is None:
                if len(payload) == 1:  # keep-alive probe before any real data: not the start
                    return
                half.next_seq = seq
            self._add(key, half, seq, payload, frame, ts_ns)
        if flags & (FIN | RST) and not half.closed:
            if flags & RST or not half.pending:
                self._finish(key, half, frame, ts_ns)

    def _add(self, key: HalfKey, half: _Half, seq: int, payload: bytes, frame: int,
             ts_ns: int) -> None:
        offset = (seq - half.next_seq) & _MASK
        if offset and offset < _HALF:  # in the future: keep until the gap is filled
            if seq not in half.pending:
                half.pending[seq] = (payload, frame)
                half.pending_bytes += len(payload)
            if len(half.pending) > MAX_PENDING_SEGMENTS or half.pending_bytes > MAX_PENDING_BYTES:
                self._skip_gap(key, half, frame, ts_ns)
            return
        if offset:  # starts before next_seq: drop what was already delivered
            behind = (half.next_seq - seq) & _MASK
            if behind >= len(payload):
                return
            payload = payload[behind:]
        half.next_seq = (half.next_seq + len(payload)) & _MASK
        self.sink.data(key, payload, frame, ts_ns)
        if half.pending:
            self._drain(key, half, frame, ts_ns)

    def _drain(self, key: HalfKey, half: _Half, frame: int, ts_ns: int) -> None:
        """Deliver waiting segments that the last delivery made contiguous."""
        while half.pending:
            nxt = half.next_seq
            seq = min(half.pending, key=lambda s: (s - nxt) & _MASK ^ _HALF)
            offset = (seq - nxt) & _MASK
            if offset and offset < _HALF:
                return
            payload, _ = half.pending.pop(seq)
            half.pending_bytes -= len(payload)
            behind = (nxt - seq) & _MASK
            if behind < len(payload):
                payload = payload[behind:]
                half.next_seq = (nxt + len(payload)) & _MASK
                self.sink.data(key, payload, frame, ts_ns)

    def _skip_gap(self, key: HalfKey, half: _Half, frame: int, ts_ns: int) -> None:
        """Give up on missing bytes: jump to the first waiting segment and go on."""
        nxt = half.next_seq
        seq = min(half.pending, key=lambda s: (s - nxt) & _MASK)
        self.sink.gap(key, (seq - nxt) & _MASK, frame)
        half.next_seq = seq
        self._drain(key, half, frame, ts_ns)

    def _finish(self, key: HalfKey, half: _Half, frame: int, ts_ns: int) -> None:
        while half.pending:
            self._skip_gap(key, half, frame, ts_ns)
        half.closed = True
        self._halves[key] = _CLOSED
        self.sink.close(key, frame, ts_ns)
        if self._forget_after is not None:
            self._ended.append((ts_ns + self._forget_after, key))

    def _forget(self, now_ns: int) -> None:
        ended, halves, forget = self._ended, self._halves, getattr(self.sink, "forget", None)
        while ended and ended[0][0] < now_ns:
            key = ended.popleft()[1]
            if halves.get(key) is _CLOSED:
                del halves[key]
                if forget is not None:
                    forget(key)

    def flush(self) -> None:
        """End of capture: deliver what waits behind gaps and close every direction."""
        for key, half in list(self._halves.items()):
            if not half.closed:
                self._finish(key, half, self._last_frame, self._last_ts)
