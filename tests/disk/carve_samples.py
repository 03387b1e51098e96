"""Small valid files of every carvable type, and blobs that hide them among random filler.

Used by the carving tests and by ``tests/bench/bench_disk_carve.py``; everything is
generated from a seed, so no binary sample is committed.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

from forensics_kit.builder.content import JpegContent


def jpeg(rng: random.Random) -> bytes:
    return JpegContent().generate({"width": rng.choice([16, 64, 160]), "height": rng.choice([16, 48, 96])}, rng)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rng: random.Random) -> bytes:
    width, height = rng.randint(4, 64), rng.randint(4, 64)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def gif(rng: random.Random) -> bytes:
    """A 1x1 GIF89a with a comment extension of random sub-blocks (so sizes vary)."""
    comment = b"".join(bytes([n]) + rng.randbytes(n) for n in (rng.randint(1, 255) for _ in range(rng.randint(1, 8))))
    return (b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
            + b"\x21\xfe" + comment + b"\x00"
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00" + b"\x3b")


def pdf(rng: random.Random) -> bytes:
    """A PDF with one incremental update, so it has two %%EOF markers."""
    text = rng.randbytes(rng.randint(10, 2000)).hex()
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n2 0 obj (" + text.encode() + b") endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")
    return body + b"3 0 obj (update) endobj\ntrailer << /Root 1 0 R /Prev 0 >>\n%%EOF\n"


def zip_file(rng: random.Random, office: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if office:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document>" + rng.randbytes(300).hex() + "</w:document>")
        else:
            archive.writestr("notes.txt", rng.randbytes(rng.randint(10, 3000)).hex())
            archive.writestr("data.bin", rng.randbytes(rng.randint(10, 3000)))
        archive.comment = b"carved" if rng.random() < 0.5 else b""
    return buffer.getvalue()


def docx(rng: random.Random) -> bytes:
    return zip_file(rng, office=True)


MAKERS = {"jpg": jpeg, "png": png, "gif": gif, "pdf": pdf, "zip": zip_file, "docx": docx}


def make_blob(path: Path, size: int, count: int, seed: int = 7, align: int = 512) -> dict[int, tuple[str, bytes]]:
    """Write ``size`` bytes of random filler with ``count`` files planted at sector-aligned offsets.

    Returns {offset: (type, content)}. Filler is written in 1 MiB pieces so memory stays small.
    """
    rng = random.Random(seed)
    kinds = list(MAKERS)
    planted: dict[int, tuple[str, bytes]] = {}
    slot = size // max(count, 1)
    with open(path, "wb") as out:
        block = random.Random(seed + 1).randbytes(1 << 20)
        for pos in range(0, size, 1 << 20):
            out.write(block[: min(1 << 20, size - pos)] if pos % (3 << 20) else block[::-1][: min(1 << 20, size - pos)])
        for number in range(count):
            kind = kinds[number % len(kinds)]
            data = MAKERS[kind](rng)
            offset = (number * slot + rng.randrange(0, max(1, slot - len(data) - align))) // align * align
            out.seek(offset)
            out.write(data)
            planted[offset] = (kind, data)
    return planted
