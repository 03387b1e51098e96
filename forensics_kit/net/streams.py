"""TCP streams numbered like tshark's ``tcp.stream``, and their reassembled contents.

One pass over the capture gives every TCP packet a stream index: a new
address/port pair opens a new stream, and so does a SYN (without ACK) whose
sequence number differs from the one that pair started with (port reuse),
which is the rule tshark follows. Contents are rebuilt per direction with
:class:`~forensics_kit.net.tcpstream.TcpReassembler` (out-of-order segments
put in place, retransmissions and overlaps dropped, first copy wins).

:func:`collect_streams` is the engine the protocol parsers share: it
reassembles only the streams a ``want`` callback picks, hands each one to a
``done`` callback as soon as both directions have ended, and forgets it, so
memory is bounded by the open streams (each capped at
:data:`MAX_STREAM_BYTES`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from forensics_kit.errors import NotFoundError
from forensics_kit.net.decode import addr_text, decode, link_warnings
from forensics_kit.net.fragments import defragment
from forensics_kit.net.reader import CaptureReader, iso_ns
from forensics_kit.net.tcpstream import RST, SYN, TcpReassembler

ACK = 0x10
MAX_STREAM_BYTES = 64 << 20
C2S, S2C = "c2s", "s2c"
Progress = Callable[[str, int, int], None]


def _iso(ts_ns: int) -> str | None:
    return iso_ns(ts_ns)


@dataclass(slots=True)
class StreamInfo:
    """One TCP stream: who opened it, its frames and payload bytes each way.

    The client is the side that sent the SYN (or, without a handshake in the
    capture, the side that sent first). ``bytes_c2s``/``bytes_s2c`` add up TCP
    payload lengths as captured (retransmissions included, like tshark's
    ``tcp.len``).
    """

    index: int
    client: str
    cport: int
    server: str
    sport: int
    first_frame: int
    last_frame: int
    packets: int = 0
    bytes_c2s: int = 0
    bytes_s2c: int = 0
    start_ns: int = 0
    end_ns: int = 0

    @property
    def start(self) -> str | None:
        return _iso(self.start_ns)

    @property
    def duration(self) -> float:
        return (self.end_ns - self.start_ns) / 1e9

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {
            "index": self.index, "client": self.client, "cport": self.cport, "server": self.server,
            "sport": self.sport, "first_frame": self.first_frame, "last_frame": self.last_frame,
            "packets": self.packets, "bytes_c2s": self.bytes_c2s, "bytes_s2c": self.bytes_s2c,
            "start": self.start, "duration": self.duration,
        }


class StreamIndex:
    """Which TCP stream a packet belongs to: the latest stream of its 4-tuple that began at or before it.

    A dict of 4-tuples to (first frames, stream numbers) found by bisection, so a capture with
    many streams and transactions is not scanned once per transaction.
    """

    def __init__(self, table: list[StreamInfo]) -> None:
        self._by_key: dict[tuple[str, int, str, int], tuple[list[int], list[int]]] = {}
        for info in sorted(table, key=lambda i: i.first_frame):
            frames, numbers = self._by_key.setdefault((info.client, info.cport, info.server, info.sport), ([], []))
            frames.append(info.first_frame)
            numbers.append(info.index)

    def find(self, client: str, cport: int, server: str, sport: int, frame: int) -> int | None:
        found = self._by_key.get((client, cport, server, sport))
        if found is None:
            return None
        position = bisect.bisect_right(found[0], frame)
        return found[1][position - 1] if position else None


@dataclass(slots=True)
class Segment:
    """In-order bytes of one direction and the frame that made them available."""

    direction: str
    frame: int
    ts_ns: int
    data: bytes

    @property
    def time(self) -> str | None:
        return _iso(self.ts_ns)

    def to_dict(self) -> dict:
        """JSON-ready values; the data as text (latin-1 never fails) and as hex."""
        return {"direction": self.direction, "frame": self.frame, "time": self.time,
                "size": len(self.data), "hex": self.data.hex()}


@dataclass(slots=True)
class Conversation:
    """A reassembled stream: its :class:`StreamInfo` and the segments in delivery order."""

    info: StreamInfo
    segments: list[Segment] = field(default_factory=list)
    label: str = ""
    notes: list[str] = field(default_factory=list)
    size: int = 0
    truncated: bool = False  # more than MAX_STREAM_BYTES: the rest was dropped

    def data(self, direction: str) -> bytes:
        """All bytes of one direction joined."""
        return b"".join(s.data for s in self.segments if s.direction == direction)


class _State:
    """Per-stream bookkeeping of the pass: index, client side, first sequence numbers."""

    __slots__ = ("info", "client_key", "base", "conv", "tcp", "decided", "closed")

    def __init__(self, info: StreamInfo, client_key: tuple) -> None:
        self.info = info
        self.client_key = client_key
        self.base: dict[bool, int] = {}  # from_client -> base sequence number (tshark's base_seq)
        self.conv: Conversation | None = None
        self.tcp: TcpReassembler | None = None
        self.decided = False
        self.closed: set[str] = set()


class _Sink:
    """Receives one stream's reassembled bytes."""

    def __init__(self, state: _State, watch: Callable | None) -> None:
        self.state = state
        self.watch = watch

    def data(self, key, payload: bytes, frame: int, ts_ns: int) -> None:
        conv = self.state.conv
        if conv.size + len(payload) > MAX_STREAM_BYTES:
            if not conv.truncated:
                conv.notes.append(f"stream {conv.info.index}: more than {MAX_STREAM_BYTES >> 20} MiB, rest dropped")
            conv.truncated = True
            payload = payload[: max(MAX_STREAM_BYTES - conv.size, 0)]  # keep what fits
            if not payload:
                return
        conv.size += len(payload)
        segment = Segment(key, frame, ts_ns, payload)
        conv.segments.append(segment)
        if self.watch is not None:
            self.watch(conv, segment)

    def gap(self, key, missing: int, frame: int) -> None:
        self.state.conv.notes.append(f"{key}: {missing} bytes missing from the capture before frame {frame}")

    def close(self, key, frame: int, ts_ns: int) -> None:
        self.state.closed.add(key)


def collect_streams(
    path: str | Path,
    want: Callable[[StreamInfo, bytes, str], str | None] | None = None,
    done: Callable[[Conversation], None] | None = None,
    *,
    watch: Callable[[Conversation, Segment], None] | None = None,
    warnings: list[str] | None = None,
    progress: Progress | None = None,
) -> list[StreamInfo]:
    """Number every TCP stream; reassemble the wanted ones; return the stream table.

    ``want(info, first_payload, direction)`` is asked at a stream's first
    packet (with ``b""``) and, if it said no, again at its first payload (for
    content sniffing); a non-empty label means "reassemble". ``done(conversation)``
    gets each wanted stream when both directions have ended (or at the end of
    the capture); ``watch(conversation, segment)`` sees each piece as it is
    delivered, for parsers that must react early (FTP data ports).
    """
    reader = CaptureReader(path)
    table: dict[tuple, _State] = {}
    infos: list[StreamInfo] = []
    total = Path(path).stat().st_size if progress else 0
    seen = 0

    def finish(state: _State) -> None:
        if state.tcp is not None:
            state.tcp.flush()
            state.tcp = None
            if done is not None:
                done(state.conv)
            state.conv = None

    for number, ts_ns, _, linktype, data, _ in defragment(reader.records()):
        if progress is not None:
            seen += len(data) + 16
            if number % 4096 == 0:
                progress("reading packets", seen, total)
        d = decode(linktype, data)
        if d is None or d[1] != 6 or d[4] is None:
            continue
        src, dst, sport, dport, seq, flags = d[2], d[3], d[4], d[5], d[8], d[9]
        key = (src, sport, dst, dport) if (src, sport) <= (dst, dport) else (dst, dport, src, sport)
        state = table.get(key)
        here = (src, sport)
        if state is not None and flags & (SYN | ACK) == SYN:
            from_client = here == state.client_key
            base = state.base.get(from_client)
            if base is not None and base != seq:  # port reuse: a new stream
                finish(state)
                state = None
        if state is None:
            if flags & (SYN | ACK) == SYN | ACK:
                client = (dst, dport)
            elif flags & SYN or not (sport < 1024 <= dport):
                client = here
            else:
                client = (dst, dport)
            server = (dst, dport) if client == here else here
            info = StreamInfo(len(infos), addr_text(client[0]), client[1], addr_text(server[0]), server[1],
                              number, number, start_ns=ts_ns, end_ns=ts_ns)
            infos.append(info)
            state = table[key] = _State(info, client)
        info = state.info
        from_client = here == state.client_key
        if from_client not in state.base:
            state.base[from_client] = seq if flags & SYN else (seq - 1) & 0xFFFFFFFF
        payload = data[d[6] : d[7]]
        info.last_frame, info.end_ns = number, ts_ns
        info.packets += 1
        if from_client:
            info.bytes_c2s += len(payload)
        else:
            info.bytes_s2c += len(payload)
        if want is None:
            continue
        if not state.decided and (number == info.first_frame or payload):
            label = want(info, payload, C2S if from_client else S2C)
            if label or payload:
                state.decided = True
            if label:
                state.conv = Conversation(info, label=label)
                state.tcp = TcpReassembler(_Sink(state, watch))
                for side, base in state.base.items():  # replay the SYN(s) seen before
                    if side != from_client or not flags & SYN:
                        state.tcp.feed(C2S if side else S2C, base, SYN, b"", number, ts_ns)
        if state.tcp is not None:
            state.tcp.feed(C2S if from_client else S2C, seq, flags, payload, number, ts_ns)
            if flags & RST or len(state.closed) == 2:
                finish(state)  # the small _State stays: later packets keep the index
    for state in sorted(table.values(), key=lambda s: s.info.index):
        finish(state)
    if warnings is not None:
        warnings.extend(reader.warnings + link_warnings(reader.link_counts))
    return infos


def tcp_streams(path: str | Path, warnings: list[str] | None = None,
                progress: Progress | None = None) -> list[StreamInfo]:
    """The stream table of a capture, indexes as tshark's ``tcp.stream``."""
    return collect_streams(path, warnings=warnings, progress=progress)


def follow_stream(path: str | Path, index: int, warnings: list[str] | None = None) -> list[Segment]:
    """The reassembled bytes of stream ``index``, both directions in delivery order.

    Raises NotFoundError when the capture has no such stream.
    """
    found: list[Conversation] = []
    infos = collect_streams(path, lambda info, *_: "follow" if info.index == index else None,
                            found.append, warnings=warnings)
    if not found:
        raise NotFoundError(f"{path}: no TCP stream {index} (the capture has {len(infos)})")
    return found[0].segments


def write_raw(segments: list[Segment], index: int, out_dir: str | Path) -> list[dict]:
    """Write each direction's bytes to ``out_dir/stream-N-c2s.bin`` and ``-s2c.bin``; what was written.

    Written through :class:`~forensics_kit.safe_output.OutputFolder`: a link in
    the folder is never followed and an existing file is never replaced (ours is
    then ``stream-N-c2s (2).bin``), so the rows name the files actually made.
    """
    from forensics_kit.hashing import hash_bytes
    from forensics_kit.safe_output import OutputFolder

    rows = []
    with OutputFolder(Path(out_dir)) as folder:
        for direction in (C2S, S2C):
            data = b"".join(s.data for s in segments if s.direction == direction)
            name = folder.write(f"stream-{index}-{direction}.bin", data)
            rows.append({"stream": index, "direction": direction, "path": str(Path(out_dir) / name),
                         "size": len(data), "sha256": hash_bytes(data, ("sha256",))["sha256"]})
    return rows


def follow_text(info: StreamInfo, segments: list[Segment]) -> str:
    """Segments as text in the layout of ``tshark -q -z follow,tcp,ascii,N`` (server sizes indented)."""
    lines = [
        "",
        "=" * 67,
        "Follow: tcp,ascii",
        f"Filter: tcp.stream eq {info.index}",
        f"Node 0: {info.client}:{info.cport}",
        f"Node 1: {info.server}:{info.sport}",
    ]
    for segment in segments:
        text = "".join(chr(b) if 32 <= b < 127 or b == 10 else "." for b in segment.data)
        lines.append(("\t" if segment.direction == S2C else "") + str(len(segment.data)))
        lines.append(text)
    lines.append("=" * 67)
    return "\n".join(lines) + "\n"
