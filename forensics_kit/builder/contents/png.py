"""The ``png`` generator: a small RGB picture with optional text chunks, byte-identical everywhere.

The image data is wrapped in *stored* deflate blocks (no compression) so no zlib
version can change a byte; CRC-32 and Adler-32 are fixed arithmetic.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from forensics_kit.builder.content import ContentGenerator
from forensics_kit.timefmt import parse_iso

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_STORED_BLOCK = 0xFFFF


class PngContent(ContentGenerator):
    """A seeded colour gradient, ``width`` x ``height``; ``metadata`` adds tEXt chunks, ``time`` a tIME chunk."""

    name = "png"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        width, height = int(spec.get("width", 64)), int(spec.get("height", 48))
        base = [rng.randint(0, 255) for _ in range(3)]
        steps = [rng.randint(1, 4) for _ in range(3)]
        rows = bytearray()
        for y in range(height):
            rows.append(0)  # filter: none
            for x in range(width):
                rows += bytes((base[c] + steps[c] * (x + 2 * y * c)) % 256 for c in range(3))
        chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))]
        for keyword, text in (spec.get("metadata") or {}).items():
            chunks.append(_chunk(b"tEXt", _latin1(keyword)[:79] + b"\0" + _latin1(text)))
        if spec.get("time"):
            when = parse_iso(str(spec["time"]))
            fields = (when.year, when.month, when.day, when.hour, when.minute, when.second)
            chunks.append(_chunk(b"tIME", struct.pack(">HBBBBB", *fields)))
        chunks.append(_chunk(b"IDAT", stored_zlib(bytes(rows))))
        chunks.append(_chunk(b"IEND", b""))
        return _SIGNATURE + b"".join(chunks)


def stored_zlib(data: bytes) -> bytes:
    """A zlib stream of uncompressed deflate blocks: the same bytes with any zlib."""
    out = bytearray(b"\x78\x01")
    blocks = [data[i : i + _STORED_BLOCK] for i in range(0, len(data), _STORED_BLOCK)] or [b""]
    for index, block in enumerate(blocks):
        final = 1 if index == len(blocks) - 1 else 0
        out += struct.pack("<BHH", final, len(block), len(block) ^ 0xFFFF) + block
    return bytes(out + struct.pack(">I", zlib.adler32(data)))


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _latin1(value: Any) -> bytes:
    return str(value).encode("latin-1", errors="replace")
