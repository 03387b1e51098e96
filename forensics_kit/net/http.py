"""HTTP/1.x requests and their responses, from reassembled TCP streams on any port.

A direction of a TCP connection is HTTP when its first bytes are a request
line (client) or ``HTTP/`` (server), after a SOCKS CONNECT handshake if there
is one (:mod:`.socks`); anything else (TLS, SSH...) is dropped
after a few bytes, so non-HTTP traffic costs little. Responses are paired
with requests in order (pipelining works). ``frame`` is where the whole
request (head and body) has arrived and ``response_frame`` where the whole
response has, as tshark reports ``http.request``/``http.response`` with its
default reassembly. Bodies are de-chunked and gzip/deflate-decoded.

Transactions are yielded while the capture is read, in order of their
request frame: one is held only until its response is complete (or can no
longer come: the server's side of the connection ended or stopped being
HTTP), together with those whose requests followed it. So memory follows the
transactions in flight, not the HTTP content of the whole capture; a request
that is never answered on a connection left open holds back the later ones
until the end.

A response whose request is not in the capture (the capture began after
it) is dropped by default, as tshark's ``http.request`` list has no such
row; with ``orphan_responses=True`` it becomes a transaction with
``method``/``uri`` None and ``frame`` at the response, as Wireshark's
*Export Objects* lists it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from forensics_kit.hashing import hash_bytes
from forensics_kit.net.decode import addr_text, decode, link_warnings
from forensics_kit.net.fragments import defragment
from forensics_kit.net.http_wire import (
    BodyReader,
    HttpFormatError,
    decode_content,
    header,
    looks_like_request,
    looks_like_response,
    split_head,
)
from forensics_kit.net.reader import CaptureReader, iso_ns
from forensics_kit.net.socks import SocksUnwrap
from forensics_kit.net.tcpstream import HalfKey, TcpReassembler


@dataclass(slots=True)
class HttpTransaction:
    """One request and, when captured, its response."""

    frame: int
    time: str | None
    src: str
    sport: int
    dst: str
    dport: int
    method: str | None
    uri: str | None
    version: str
    host: str | None
    user_agent: str | None
    referer: str | None
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    status: int | None = None
    reason: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    content_encoding: str | None = None
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    sha256: str | None = None
    response_frame: int | None = None
    response_time: str | None = None
    notes: list[str] = field(default_factory=list)
    request_body_truncated: bool = False  # cut at http_wire.MAX_BODY (64 MiB)
    body_truncated: bool = False  # cut at MAX_BODY, before or after decoding

    def to_dict(self) -> dict:
        """JSON-ready values; the raw bodies are left out (sizes and SHA-256 stay)."""
        return {
            "frame": self.frame,
            "time": self.time,
            "src": self.src,
            "sport": self.sport,
            "dst": self.dst,
            "dport": self.dport,
            "method": self.method,
            "uri": self.uri,
            "version": self.version,
            "host": self.host,
            "user_agent": self.user_agent,
            "referer": self.referer,
            "request_headers": [list(h) for h in self.request_headers],
            "request_body_size": len(self.request_body),
            "status": self.status,
            "reason": self.reason,
            "content_type": self.content_type,
            "content_length": self.content_length,
            "content_encoding": self.content_encoding,
            "response_headers": [list(h) for h in self.response_headers],
            "body_size": len(self.body),
            "sha256": self.sha256,
            "response_frame": self.response_frame,
            "response_time": self.response_time,
            "notes": list(self.notes),
            "request_body_truncated": self.request_body_truncated,
            "body_truncated": self.body_truncated,
        }


def _iso(ts_ns: int) -> str | None:
    return iso_ns(ts_ns)


def _body_mode(headers: list[tuple[str, str]], until_close: bool) -> tuple[str, int, str | None]:
    """Decide how a body is delimited: (mode, length, problem)."""
    coding = header(headers, "Transfer-Encoding")
    if coding and "chunked" in coding.lower():
        return "chunked", 0, None
    length = header(headers, "Content-Length")
    if length is not None:
        try:
            return "length", max(int(length), 0), None
        except ValueError:
            return "length", 0, f"bad Content-Length {length!r}"
    return ("close", 0, None) if until_close else ("length", 0, None)


class _Half:
    """Parse state of one direction of one connection."""

    __slots__ = ("buf", "role", "reader", "message", "dead", "entry")

    def __init__(self) -> None:
        self.buf = bytearray()
        self.role: str | None = None  # "client" or "server"
        self.reader: BodyReader | None = None
        self.message: HttpTransaction | None = None
        self.dead = False
        self.entry: list | None = None  # [transaction, done] of the response being read


# A direction that ended is forgotten this long (capture time) after, so a long
# capture does not pile up per-connection state; a retransmission later than
# that (a port reused without a SYN) is read as a new stream.
FORGET_AFTER_NS = 600 * 1_000_000_000

# A finished direction keeps only its role (or that it was not HTTP), so that a
# late retransmission is not parsed again and a closed connection costs little.
_DEAD = "dead"


class _HttpSink:
    """Receives reassembled bytes and turns them into transactions."""

    def __init__(self, orphan_responses: bool = False) -> None:
        self.halves: dict[HalfKey, _Half | str | None] = {}
        self.waiting: dict[tuple, deque[list]] = {}
        # [transaction, done] in order of request frame; the head is yielded once done.
        self.ready: deque[list] = deque()
        self.orphan_responses = orphan_responses

    @staticmethod
    def _conn(key: HalfKey) -> tuple:
        a, b = (key[0], key[1]), (key[2], key[3])
        return (a, b) if a <= b else (b, a)

    def is_dead(self, key: HalfKey) -> bool:
        half = self.halves.get(key)
        return half is _DEAD or (half is not None and half.__class__ is _Half and half.dead)

    def data(self, key: HalfKey, payload: bytes, frame: int, ts_ns: int) -> None:
        half = self.halves.get(key)
        if half is None or half.__class__ is not _Half:
            if half is _DEAD:
                return
            role = half
            half = self.halves[key] = _Half()
            half.role = role
        if half.dead:
            return
        half.buf += payload
        try:
            while half.buf and not half.dead:
                if not self._step(key, half, frame, ts_ns):
                    break
        except HttpFormatError as exc:
            self._kill(key, half, f"stream no longer parsed: {exc}")

    def _kill(self, key: HalfKey, half: _Half, note: str | None = None) -> None:
        if half.message is not None and note:
            half.message.notes.append(note)
        if half.entry is not None:
            half.entry[1] = True
        half.dead = True
        half.buf = bytearray()
        half.reader = half.message = half.entry = None
        if half.role != "client":
            self._unanswerable(key)

    def _unanswerable(self, key: HalfKey) -> None:
        """The server side ``key`` sends no more: the requests still waiting on it are done."""
        for entry in self.waiting.pop(self._conn(key), ()):
            entry[1] = True

    def _step(self, key: HalfKey, half: _Half, frame: int, ts_ns: int) -> bool:
        """Advance the parse of one half by one head or body; False when data is short."""
        if half.reader is not None:
            if not half.reader.feed(half.buf):
                return False
            self._complete(key, half, frame, ts_ns)
            return True
        while half.buf[:2] == b"\r\n":
            del half.buf[:2]
        if not half.buf:
            return False
        if half.role is None:
            if looks_like_request(half.buf):
                half.role = "client"
            elif looks_like_response(half.buf):
                half.role = "server"
            elif looks_like_request(half.buf) is False and looks_like_response(half.buf) is False:
                self._kill(key, half)
                return False
            else:
                return False
        found = split_head(half.buf)
        if found is None:
            return False
        start, headers, size = found
        del half.buf[:size]
        if half.role == "client":
            return self._request_head(key, half, start, headers, frame, ts_ns)
        return self._response_head(key, half, start, headers, frame, ts_ns)

    def _request_head(self, key, half, start, headers, frame, ts_ns) -> bool:
        parts = start.split(" ")
        if not parts[0]:
            raise HttpFormatError(f"not a request line: {start[:40]!r}")
        # "METHOD URI VERSION"; without a version ("GET /x", HTTP/0.9 style) or even a URI
        # ("OPTIONS" and a Host header), as tshark still reports the request.
        versioned = len(parts) > 2 and parts[-1].startswith("HTTP/")
        uri = " ".join(parts[1:-1]) if versioned else " ".join(parts[1:])
        src, sport, dst, dport = key
        message = HttpTransaction(
            frame=frame, time=_iso(ts_ns), src=addr_text(src), sport=sport, dst=addr_text(dst),
            dport=dport, method=parts[0], uri=uri,
            version=parts[-1] if versioned else "HTTP/0.9",
            host=header(headers, "Host"), user_agent=header(headers, "User-Agent"),
            referer=header(headers, "Referer"), request_headers=headers,
        )
        mode, length, problem = _body_mode(headers, until_close=False)
        if problem:
            message.notes.append(problem)
        half.message = message
        half.reader = BodyReader(mode, length)
        if half.reader.feed(half.buf):
            self._complete(key, half, frame, ts_ns)
        return True

    def _response_head(self, key, half, start, headers, frame, ts_ns) -> bool:
        parts = start.split(" ", 2)
        try:
            status = int(parts[1])
        except (IndexError, ValueError) as exc:
            raise HttpFormatError(f"not a status line: {start[:40]!r}") from exc
        queue = self.waiting.get(self._conn(key))
        if 100 <= status < 200 and status != 101:
            return True  # interim response: the real one follows
        if not queue:  # response to a request we did not see
            server, sport, client, cport = key
            message = HttpTransaction(frame=frame, time=_iso(ts_ns), src=addr_text(client), sport=cport,
                                      dst=addr_text(server), dport=sport, method=None, uri=None,
                                      version=parts[0], host=None, user_agent=None, referer=None)
            half.entry = [message, False] if self.orphan_responses else None
        else:
            half.entry = queue.popleft()
            message = half.entry[0]
        message.status = status
        message.reason = parts[2] if len(parts) > 2 else ""
        message.response_headers = headers
        message.content_type = header(headers, "Content-Type")
        message.content_encoding = header(headers, "Content-Encoding")
        length = header(headers, "Content-Length")
        message.content_length = int(length) if length and length.strip().isdigit() else None
        half.message = message
        if message.method == "HEAD" or status in (204, 304) or status == 101 or (
            message.method == "CONNECT" and 200 <= status < 300
        ):
            half.reader = BodyReader("length", 0)
        else:
            mode, size, problem = _body_mode(headers, until_close=True)
            if problem:
                message.notes.append(problem)
            half.reader = BodyReader(mode, size)
        if half.reader.feed(half.buf):
            self._complete(key, half, frame, ts_ns)
        if status == 101 or (message.method == "CONNECT" and 200 <= status < 300):
            self._kill(key, half)  # the connection now carries another protocol
        return True

    def _complete(self, key: HalfKey, half: _Half, frame: int, ts_ns: int) -> None:
        message, reader, entry = half.message, half.reader, half.entry
        half.message = half.reader = half.entry = None
        if message is None or reader is None:
            return
        body = bytes(reader.body)
        if reader.overflow:
            message.notes.append("body longer than 64 MiB, cut")
        if half.role == "client":
            message.frame, message.time = frame, _iso(ts_ns)
            message.request_body = body
            message.request_body_truncated = reader.overflow
            entry = [message, False]
            self.ready.append(entry)
            self.waiting.setdefault(self._conn(key), deque()).append(entry)
            return
        body, problem = decode_content(body, message.content_encoding)
        if problem:
            message.notes.append(problem)
        message.body_truncated = reader.overflow or bool(problem and "64 MiB" in problem)
        message.body = body
        message.sha256 = hash_bytes(body, ("sha256",))["sha256"]
        message.response_frame, message.response_time = frame, _iso(ts_ns)
        if entry is not None:
            if message.method is None:  # an orphan completes where it is yielded: in frame order
                message.frame, message.time = frame, _iso(ts_ns)
                self.ready.append(entry)
            entry[1] = True

    def forget(self, key: HalfKey) -> None:
        """The direction ended long ago: drop what is left of it."""
        if self.halves.get(key).__class__ is not _Half:
            self.halves.pop(key, None)

    def gap(self, key: HalfKey, missing: int, frame: int) -> None:
        half = self.halves.get(key)
        if half.__class__ is _Half and not half.dead:
            self._kill(key, half, f"{missing} bytes missing from the capture near frame {frame}")

    def close(self, key: HalfKey, frame: int, ts_ns: int) -> None:
        half = self.halves.get(key)
        if half.__class__ is not _Half:
            if half is None:
                self._unanswerable(key)
            return
        if not half.dead and half.reader is not None:
            if half.reader.mode != "close" and half.message is not None:
                half.message.notes.append("message incomplete when the connection ended")
            self._complete(key, half, frame, ts_ns)
        if half.dead:
            self.halves[key] = _DEAD
            return
        if half.entry is not None:  # pragma: no cover - _complete clears it
            half.entry[1] = True
        if half.role != "client":
            self._unanswerable(key)
        if not half.buf:
            self.halves[key] = half.role


def http_transactions(path: str | Path, warnings: list[str] | None = None,
                      orphan_responses: bool = False) -> Iterator[HttpTransaction]:
    """Yield each HTTP request in the capture, in order of its frame, with its response.

    With ``orphan_responses``, responses whose request was not captured are
    yielded too (``method`` and ``uri`` None, ``frame`` where the response
    completes).
    """
    reader = CaptureReader(path)
    return _iterate(reader, warnings, orphan_responses)


def _iterate(reader: CaptureReader, warnings: list[str] | None,
             orphan_responses: bool) -> Iterator[HttpTransaction]:
    sink = _HttpSink(orphan_responses)
    tcp = TcpReassembler(SocksUnwrap(sink), FORGET_AFTER_NS)  # HTTP through a SOCKS proxy too
    ready = sink.ready
    for number, ts_ns, _, linktype, data, _ in defragment(reader.records()):
        d = decode(linktype, data)
        if d is None or d[1] != 6 or d[4] is None:
            continue
        key = (d[2], d[4], d[3], d[5])
        if sink.is_dead(key):
            continue
        tcp.feed(key, d[8], d[9], data[d[6] : d[7]], number, ts_ns)
        while ready and ready[0][1]:
            yield ready.popleft()[0]
    tcp.flush()
    if warnings is not None:
        warnings.extend(reader.warnings + link_warnings(reader.link_counts))
    while ready:
        yield ready.popleft()[0]
