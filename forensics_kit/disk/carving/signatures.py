"""Built-in carving signatures: JPEG, PNG, GIF, PDF and ZIP (Office Open XML recognised).

Each walks the format's own structure where that is cheap, which ends a file at its
real end (not at the first footer-looking bytes) and rejects headers that occur by
chance in other data.
"""

from __future__ import annotations

import struct

from forensics_kit.disk.carving.signature import Cursor, Signature

_RST = frozenset(range(0xD0, 0xD8))


class Jpeg(Signature):
    """JPEG: segments from SOI, entropy-coded scans skipped to the next marker, ends at EOI."""

    name, ext, headers = "jpg", "jpg", (b"\xff\xd8\xff",)

    def carve(self, cur: Cursor) -> tuple[int, str] | None:
        pos = 2
        while True:
            head = cur.get(pos, 4)
            if len(head) < 2 or head[0] != 0xFF:
                return None
            marker = head[1]
            if marker == 0xFF:  # fill byte
                pos += 1
                continue
            if marker == 0xD9:
                return pos + 2, self.ext
            if marker == 0x01 or marker in _RST:
                pos += 2
                continue
            if len(head) < 4 or marker == 0x00:
                return None
            length = (head[2] << 8) | head[3]
            if length < 2:
                return None
            pos += 2 + length
            if marker == 0xDA:
                pos = _skip_entropy(cur, pos)
                if pos < 0:
                    return None


def _skip_entropy(cur: Cursor, pos: int) -> int:
    """Position of the first real marker after entropy-coded data (stuffed 0xFF00 and RSTn skipped)."""
    while True:
        hit = cur.find(b"\xff", pos)
        if hit < 0:
            return -1
        nxt = cur.get(hit + 1, 1)
        if not nxt:
            return -1
        if nxt[0] == 0x00 or nxt[0] in _RST or nxt[0] == 0xFF:
            pos = hit + (1 if nxt[0] == 0xFF else 2)
            continue
        return hit


class Png(Signature):
    """PNG: chunk by chunk (length, type, data, CRC) to IEND."""

    name, ext, headers = "png", "png", (b"\x89PNG\r\n\x1a\n",)

    def carve(self, cur: Cursor) -> tuple[int, str] | None:
        pos = 8
        while True:
            head = cur.get(pos, 8)
            if len(head) < 8:
                return None
            length, kind = struct.unpack(">I4s", head)
            if not kind.isalpha() or length > self.max_size:
                return None
            pos += 12 + length
            if kind == b"IEND":
                return (pos, self.ext) if pos <= cur.limit else None


class Gif(Signature):
    """GIF: screen descriptor, colour tables, extension and image blocks, to the 0x3B trailer."""

    name, ext, headers = "gif", "gif", (b"GIF87a", b"GIF89a")

    def carve(self, cur: Cursor) -> tuple[int, str] | None:
        screen = cur.get(6, 7)
        if len(screen) < 7:
            return None
        pos = 13 + (3 << ((screen[4] & 7) + 1) if screen[4] & 0x80 else 0)
        while True:
            block = cur.get(pos, 1)
            if not block:
                return None
            if block == b"\x3b":
                return pos + 1, self.ext
            if block == b"\x21":
                pos = _skip_sub_blocks(cur, pos + 2)
            elif block == b"\x2c":
                desc = cur.get(pos, 10)
                if len(desc) < 10:
                    return None
                pos += 10 + (3 << ((desc[9] & 7) + 1) if desc[9] & 0x80 else 0) + 1  # + LZW code size
                pos = _skip_sub_blocks(cur, pos)
            else:
                return None
            if pos < 0:
                return None


def _skip_sub_blocks(cur: Cursor, pos: int) -> int:
    while True:
        size = cur.get(pos, 1)
        if not size:
            return -1
        pos += 1 + size[0]
        if size[0] == 0:
            return pos


class Pdf(Signature):
    """PDF: to the last ``%%EOF`` (incremental updates append more) before the next PDF header."""

    name, ext, headers = "pdf", "pdf", (b"%PDF-",)

    def carve(self, cur: Cursor) -> tuple[int, str] | None:
        next_header = cur.find(b"%PDF-", 5)
        end = next_header if next_header >= 0 else cur.limit
        last = -1
        pos = 5
        while (hit := cur.find(b"%%EOF", pos, end)) >= 0:
            last = pos = hit + 5
        if last < 0:
            return None
        for eol in (b"\r", b"\n"):
            if cur.get(last, 1) == eol:
                last += 1
        return last, self.ext


_OOXML = ((b"word/", "docx"), (b"xl/", "xlsx"), (b"ppt/", "pptx"))


class Zip(Signature):
    """ZIP: to the end-of-central-directory record whose directory fits, plus its comment.

    An archive whose directory names ``word/``, ``xl/`` or ``ppt/`` parts next to
    ``[Content_Types].xml`` is an Office Open XML document and gets that extension.
    """

    name, ext, headers = "zip", "zip", (b"PK\x03\x04",)
    max_size = 50 << 20

    def carve(self, cur: Cursor) -> tuple[int, str] | None:
        pos = 4
        while (eocd := cur.find(b"PK\x05\x06", pos)) >= 0:
            record = cur.get(eocd, 22)
            if len(record) < 22:
                return None
            cd_size, cd_offset, comment = struct.unpack_from("<IIH", record, 12)
            if cd_offset + cd_size == eocd:
                directory = cur.get(cd_offset, min(cd_size, 4 << 20))
                ext = self.ext
                if b"[Content_Types].xml" in directory:
                    ext = next((kind for prefix, kind in _OOXML if prefix in directory), self.ext)
                end = eocd + 22 + comment
                return (end, ext) if end <= cur.limit else None
            pos = eocd + 4
        return None
