"""The ``pdf`` generator: a one-page PDF 1.4 with text and an optional Info dictionary.

Objects are written in a fixed order with an exact cross-reference table, and the
page content is left uncompressed, so the bytes depend only on the recipe and seed.
"""

from __future__ import annotations

from typing import Any

from forensics_kit.builder import wordlists
from forensics_kit.builder.content import ContentGenerator
from forensics_kit.timefmt import parse_iso

_INFO_KEYS = (("title", "Title"), ("author", "Author"), ("subject", "Subject"), ("keywords", "Keywords"),
              ("creator", "Creator"), ("producer", "Producer"))
_LINES_PER_PAGE = 48


class PdfContent(ContentGenerator):
    """A page of Helvetica text (``body``, else seeded words); Info from author, title, created..."""

    name = "pdf"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        text = spec.get("body")
        if text is None:
            text = "\n".join(" ".join(rng.sample(wordlists.LOREM, 4)) for _ in range(6))
        lines = str(text).splitlines()[:_LINES_PER_PAGE] or [""]
        stream = "BT /F1 11 Tf 14 TL 56 780 Td\n" + "".join(f"({_escape(line)}) Tj T*\n" for line in lines) + "ET\n"
        body = stream.encode("latin-1", errors="replace")
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Length %d >>\nstream\n" % len(body) + body + b"endstream",
        ]
        info = _info(spec)
        if info:
            objects.append(info)
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, obj in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1)
        if info:
            trailer += b" /Info %d 0 R" % len(objects)
        doc_id = rng.randbytes(16).hex().encode()
        trailer += b" /ID [<" + doc_id + b"> <" + doc_id + b">] >>"
        out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


def _info(spec: dict[str, Any]) -> bytes:
    entries = [(key, _string(spec[option])) for option, key in _INFO_KEYS if spec.get(option) not in (None, "")]
    for option, key in (("created", "CreationDate"), ("modified", "ModDate")):
        if spec.get(option):
            entries.append((key, _string(pdf_date(spec[option], spec.get("utc_offset")))))
    if not entries:
        return b""
    return b"<< " + b" ".join(b"/" + key.encode() + b" " + value for key, value in entries) + b" >>"


def pdf_date(value: Any, utc_offset: Any = None) -> str:
    """A PDF date string ``D:YYYYMMDDHHmmSS+03'00'`` (``Z`` for UTC) of an ISO time."""
    try:
        when = parse_iso(str(value))
    except ValueError:
        raise ValueError(f"pdf: bad time {value!r} (use e.g. 2024-03-01T10:00:00Z)") from None
    if utc_offset not in (None, ""):
        from forensics_kit.builder.contents.exif import local_time

        when, _ = local_time(when.isoformat(), utc_offset)
    offset = when.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    zone = "Z" if not minutes else f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"
    return "D:" + when.strftime("%Y%m%d%H%M%S") + zone


def _string(value: Any) -> bytes:
    """A PDF text string: literal when ASCII, else UTF-16BE hex with a byte-order mark."""
    text = str(value)
    if text.isascii():
        return b"(" + _escape(text).encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\r", "")
