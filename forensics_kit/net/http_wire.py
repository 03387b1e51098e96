"""HTTP/1.x message framing: heads, bodies (length, chunked, until close) and encodings.

Pure byte-level helpers with no knowledge of captures, so they can be tested
alone and reused. Bodies are read incrementally from a ``bytearray`` the
caller keeps appending to; decoding of ``Content-Encoding`` is bounded so a
compression bomb in evidence cannot exhaust memory.
"""

from __future__ import annotations

import re
import zlib

MAX_HEAD = 64 * 1024
MAX_BODY = 64 << 20

# The request methods Wireshark's HTTP dissector knows (packet-http.c), HTTP, WebDAV, UPnP/SSDP
# and RPC over HTTP: a line starting with another word (an SMTP "EHLO", a mail body) is not HTTP.
METHODS = frozenset(m.encode() for m in (
    "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PATCH", "PROPFIND",
    "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT", "CHECKOUT",
    "CHECKIN", "UNCHECKOUT", "MKACTIVITY", "MERGE", "VERSION-CONTROL", "BASELINE-CONTROL",
    "MKWORKSPACE", "UPDATE", "LABEL", "ORDERPATCH", "ACL", "MKCALENDAR", "BIND", "UNBIND",
    "REBIND", "LINK", "UNLINK", "MKREDIRECTREF", "UPDATEREDIRECTREF", "POLL", "BCOPY",
    "BDELETE", "BMOVE", "BPROPFIND", "BPROPPATCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
    "M-SEARCH", "RPC_IN_DATA", "RPC_OUT_DATA", "SSTP_DUPLEX_POST"))
_LONGEST = max(len(m) for m in METHODS)
_METHOD_RE = re.compile(rb"([A-Z][A-Z_-]{1,%d})(?: |\r?\n)" % (_LONGEST - 1))


class HttpFormatError(ValueError):
    """Bytes that are not an HTTP/1.x message head."""


def looks_like_request(buf: bytes | bytearray) -> bool | None:
    """True if ``buf`` starts like a request line, False if it cannot, None if too short.

    A request line is a known method followed by a space, or alone on its line
    (``OPTIONS`` with only a Host header), as tshark accepts it.
    """
    head = bytes(buf[: _LONGEST + 2])
    found = _METHOD_RE.match(head)
    if found:
        return found.group(1) in METHODS
    if len(head) > _LONGEST + 1:
        return False
    return None if any(m.startswith(head) for m in METHODS) else False


def looks_like_response(buf: bytes | bytearray) -> bool | None:
    """True if ``buf`` starts with ``HTTP/``, False if it cannot, None if too short."""
    head = bytes(buf[:5])
    if head == b"HTTP/":
        return True
    return None if b"HTTP/".startswith(head) else False


def split_head(buf: bytearray) -> tuple[str, list[tuple[str, str]], int] | None:
    """Find a complete head at the start of ``buf``.

    Returns (start line, headers, size of the head including the blank line)
    or None when the head is not complete yet. Raises HttpFormatError when
    no head ends within MAX_HEAD bytes.
    """
    end = buf.find(b"\r\n\r\n", 0, MAX_HEAD + 4)
    size = end + 4
    if end < 0:
        end = buf.find(b"\n\n", 0, MAX_HEAD + 2)
        size = end + 2
        if end < 0:
            if len(buf) > MAX_HEAD:
                raise HttpFormatError("message head longer than 64 KiB")
            return None
    lines = bytes(buf[:end]).decode("latin-1").replace("\r\n", "\n").split("\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:  # obsolete line folding
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return lines[0], headers, size


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """Value of the first header called ``name`` (case-insensitive), or None."""
    name = name.lower()
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class BodyReader:
    """Reads one body from a growing buffer: by length, chunked, or until close.

    ``mode`` is ``"length"``, ``"chunked"`` or ``"close"``. Call
    :meth:`feed` after each append; it consumes what it can from the front of
    the buffer and returns True when the body is complete.
    """

    def __init__(self, mode: str, length: int = 0) -> None:
        self.mode = mode
        self.left = length
        self.body = bytearray()
        self._chunk_state = "size"
        self.overflow = False

    def _take(self, buf: bytearray, count: int) -> None:
        room = MAX_BODY - len(self.body)
        if count > room:  # keep what fits: the body is cut at MAX_BODY, not lost
            self.overflow = True
        self.body += buf[: min(count, max(room, 0))]
        del buf[:count]

    def feed(self, buf: bytearray) -> bool:
        """Consume body bytes from ``buf``; True once the body is complete."""
        if self.mode == "length":
            count = min(self.left, len(buf))
            self._take(buf, count)
            self.left -= count
            return self.left == 0
        if self.mode == "close":
            self._take(buf, len(buf))
            return False
        return self._feed_chunked(buf)

    def _feed_chunked(self, buf: bytearray) -> bool:
        while True:
            if self._chunk_state == "data":
                count = min(self.left, len(buf))
                self._take(buf, count)
                self.left -= count
                if self.left:
                    return False
                self._chunk_state = "crlf"
            newline = buf.find(b"\n")
            if newline < 0:
                if len(buf) > 4096:  # a size line is never that long: not chunked after all
                    raise HttpFormatError("chunk size line too long")
                return False
            line = bytes(buf[:newline]).strip()
            del buf[: newline + 1]
            if self._chunk_state == "crlf":
                self._chunk_state = "size"
                if not line:
                    continue
            if self._chunk_state == "trailer":
                if not line:
                    return True
                continue
            if not line:
                continue
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError as exc:
                raise HttpFormatError(f"bad chunk size {size_text[:20]!r}") from exc
            if size == 0:
                self._chunk_state = "trailer"
            else:
                self.left = size
                self._chunk_state = "data"


def decode_content(body: bytes, encoding: str | None) -> tuple[bytes, str | None]:
    """Undo gzip/deflate Content-Encoding; return (body, problem or None).

    On failure the body is returned as it was, with the reason.
    """
    if not encoding or not body:
        return body, None
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            attempts = (zlib.MAX_WBITS | 32,)
        elif coding == "deflate":
            attempts = (zlib.MAX_WBITS, -zlib.MAX_WBITS)
        else:
            return body, f"content-encoding {coding} is not decoded"
        for wbits in attempts:
            try:
                inflater = zlib.decompressobj(wbits)
                decoded = inflater.decompress(body, MAX_BODY)
                if inflater.unconsumed_tail:
                    return decoded, "decoded body larger than 64 MiB, cut"
                body = decoded
                break
            except zlib.error as exc:
                problem = f"content-encoding {coding} could not be decoded: {exc}"
        else:
            return body, problem
    return body, None
