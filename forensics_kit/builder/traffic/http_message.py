"""HTTP/1.1 request and response messages as browsers and nginx write them.

Bodies given by trainers are the *content* (what ``--export-objects http``
should give back); gzip and chunked encoding are applied here, byte-identical
on every run: the gzip header has mtime 0 and fixed flags, chunk sizes come
from the session's seeded random generator.
"""

from __future__ import annotations

import random
import struct
import zlib
from email.utils import formatdate
from http import HTTPStatus

from forensics_kit.builder.world.http_clients import request_headers
from forensics_kit.errors import RecipeError

SERVER_SOFTWARE = "nginx/1.24.0"
_NO_BODY_STATUS = (204, 304)


def _check_field(item: str, what: str, value: str) -> str:
    if not isinstance(value, str) or any(c in value for c in "\r\n\x00"):
        raise RecipeError("traffic", item, f"HTTP {what} {value!r} must be one line of text")
    return value


def _header_lines(item: str, headers: list[tuple[str, str]]) -> bytes:
    lines = []
    for name, value in headers:
        _check_field(item, "header name", name)
        if not name or ":" in name or " " in name:
            raise RecipeError("traffic", item, f"invalid HTTP header name {name!r}")
        lines.append(f"{name}: {_check_field(item, 'header value', str(value))}\r\n")
    return "".join(lines).encode("latin-1")


def gzip_bytes(data: bytes) -> bytes:
    """gzip member with a fixed header (mtime 0, OS unknown) so output depends on data only."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    deflated = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00" + struct.pack("<I", 0) + b"\x00\xff"
    return header + deflated + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def chunk_bytes(data: bytes, rng: random.Random) -> bytes:
    """Transfer-Encoding: chunked framing in several chunks of seeded sizes."""
    largest = max(1, min(8192, -(-len(data) // 3)))
    out, pos = [], 0
    while pos < len(data):
        size = rng.randint(max(1, largest // 2), largest)
        out.append(b"%x\r\n" % len(data[pos:pos + size]) + data[pos:pos + size] + b"\r\n")
        pos += size
    return b"".join(out) + b"0\r\n\r\n"


def build_request(
    item: str, *, method: str, host: str, uri: str, user_agent: str,
    body: bytes = b"", content_type: str | None = None,
    extra_headers: dict[str, str] | None = None,
) -> bytes:
    """A request line and headers as the client the User-Agent names sends them, plus the body."""
    if not method.isalpha() or not method.isupper():
        raise RecipeError("traffic", item, f"invalid HTTP method {method!r}")
    _check_field(item, "URI", uri)
    if not uri or " " in uri or not (uri.startswith("/") or "://" in uri):
        problem = f"HTTP URI {uri!r} must start with '/' and have no spaces"
        raise RecipeError("traffic", item, problem)
    typed = (content_type or "application/octet-stream", len(body)) if body or method in ("POST", "PUT") else None
    headers = request_headers(user_agent, _check_field(item, "host", host), typed)
    headers.extend((extra_headers or {}).items())
    head = f"{method} {uri} HTTP/1.1\r\n".encode("latin-1") + _header_lines(item, headers)
    return head + b"\r\n" + body


def build_response(
    item: str, *, status: int, body: bytes, content_type: str, date: int,
    rng: random.Random, chunked: bool = False, gzip: bool = False,
    extra_headers: dict[str, str] | None = None, server: str = SERVER_SOFTWARE,
) -> bytes:
    """Status line, headers (``server`` names the software; Date is ``date`` POSIX seconds) and the encoded body."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        raise RecipeError("traffic", item, f"unknown HTTP status {status}") from None
    if status in _NO_BODY_STATUS and body:
        raise RecipeError("traffic", item, f"HTTP status {status} cannot carry a body")
    payload = gzip_bytes(body) if gzip else body
    headers = [
        ("Server", server),
        ("Date", formatdate(date, usegmt=True)),
    ]
    if status not in _NO_BODY_STATUS:
        headers.append(("Content-Type", _check_field(item, "content type", content_type)))
        if chunked:
            headers.append(("Transfer-Encoding", "chunked"))
            payload = chunk_bytes(payload, rng)
        else:
            headers.append(("Content-Length", str(len(payload))))
    headers.append(("Connection", "keep-alive"))
    if gzip:
        headers.append(("Content-Encoding", "gzip"))
    headers.extend((extra_headers or {}).items())
    head = f"HTTP/1.1 {status} {reason}\r\n".encode("latin-1") + _header_lines(item, headers)
    return head + b"\r\n" + payload
