"""Content generators: the bytes of a planted file, from a recipe's ``content:`` entry.

``{text: "..."}`` is the planted text itself; ``{generate: <name>, ...}`` asks a
registered generator. Each item gets its own seeded generator, so its bytes vary
with the variant but not with the items written before it.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from abc import abstractmethod
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forensics_kit.builder import wordlists
from forensics_kit.builder.registry import Registered
from forensics_kit.timefmt import parse_iso


class ContentGenerator(Registered):
    """Contract: ``generate(spec, rng) -> bytes``, deterministic for a given rng state.

    Subclasses set ``name`` (the value of ``generate:``); their keys are declared
    in ``recipe.schema.json``.
    """

    kind: ClassVar[str] = "content generator"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    @abstractmethod
    def generate(self, spec: dict[str, Any], rng: random.Random) -> bytes:
        """Return the file's bytes."""


class ContentError(ValueError):
    """A generator's option that only shows itself wrong at build time (a time that does not parse,
    a latitude of 123). The build turns it into a one-line RecipeError naming the evidence entry."""


def make_content(spec: dict[str, Any], rng: random.Random) -> bytes:
    """Bytes for one ``content:`` entry (already rendered)."""
    if "text" in spec:
        return TextContent().generate(spec, rng)
    name = spec["generate"]
    try:
        return ContentGenerator.lookup(name)().generate(spec, rng)
    except ContentError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        raise ContentError(f"content (generate: {name}): {exc}") from exc


class TextContent(ContentGenerator):
    """Text as given (templates are filled before), in UTF-8 or the ``encoding`` a program wrote it in.

    ``cp1251`` is what Russian Windows programs save by default, ``utf-16le`` what Notepad
    saves as "Unicode" (with its FF FE byte-order mark), ``koi8-r``/``cp866`` older Russian
    ones: keyword search in Cyrillic has to look for each of them.
    """

    name = "text"

    def generate(self, spec, rng):
        encoding = str(spec.get("encoding", "utf-8"))
        text = str(spec["text"])
        if encoding == "utf-16le":
            return b"\xff\xfe" + text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-16-le")
        if encoding in ("cp1251", "cp866"):
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")  # written on Windows/DOS
        try:
            return text.encode(encoding)
        except UnicodeEncodeError as exc:
            bad = text[exc.start:exc.end]
            raise ContentError(f"content (text): {bad!r} cannot be written in {encoding}") from None


class BytesContent(ContentGenerator):
    """``size`` seeded random bytes: opaque data with no signature."""

    name = "bytes"

    def generate(self, spec, rng):
        from forensics_kit.builder.volume import parse_size

        return rng.randbytes(parse_size(spec["size"]))


class HtmlContent(ContentGenerator):
    """A small web page: a title, the ``body`` paragraph (HTML as written) and a few seeded ones.

    ``body`` is the recipe key (``text`` would make the entry look like a plain text
    content); ``text`` is still read for callers in Python.
    """

    name = "html"

    def generate(self, spec, rng):
        title = spec.get("title") or rng.choice(wordlists.WORDS).capitalize()
        first = spec.get("body") or spec.get("text")
        paragraphs = [str(first)] if first else []
        paragraphs += [
            " ".join(rng.sample(wordlists.LOREM, 3)) for _ in range(spec.get("paragraphs", 3))
        ]
        body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
        page = (
            f'<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n{body}\n</body>\n</html>\n"
        )
        return page.encode("utf-8")


class ZipContent(ContentGenerator):
    """A real zip archive; ``files`` maps member names to content entries.

    Members are stored, or with ``compression: deflate`` deflated by the builder's
    own encoder, with a fixed date, so the archive is byte-identical on every
    machine whatever its zlib. A zip keeps DOS times with no zone, as the zipper's
    clock read them: ``tz`` (an IANA zone) writes ``date`` on that clock.
    """

    name = "zip"

    def generate(self, spec, rng):
        members = spec.get("files") or {
            f"{rng.choice(wordlists.WORDS)}.txt": {
                "text": " ".join(rng.sample(wordlists.LOREM, 4)) + "\n"
            },
            f"{rng.choice(wordlists.WORDS)}.dat": {
                "generate": "bytes",
                "size": rng.randint(2000, 6000),
            },
            "photo.jpg": {"generate": "jpeg"},
        }
        when = parse_iso(spec.get("date", "2024-01-01T00:00:00Z"))
        if spec.get("tz"):
            try:
                when = when.astimezone(ZoneInfo(str(spec["tz"])))
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {spec['tz']!r} (use an IANA name, e.g. Europe/Berlin)") from None
        date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second // 2 * 2)
        if spec.get("compression") == "deflate":
            from forensics_kit.builder.contents.deflate import ZipMember, write_zip

            return write_zip(ZipMember(str(member), make_content(member_spec, rng), date_time, True, 0x20)
                             for member, member_spec in members.items())
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for member, member_spec in members.items():
                info = zipfile.ZipInfo(member, date_time=date_time)
                info.create_system = 0
                info.external_attr = 0x20  # archive bit, as a Windows zipper writes
                archive.writestr(info, make_content(member_spec, rng))
        return buffer.getvalue()


class JpegContent(ContentGenerator):
    """A small valid baseline JPEG (grey blocks) with seeded bytes in a comment segment.

    With ``exif:`` (make, model, taken, utc_offset, gps, software, artist, comment)
    it starts like a camera's photo, with an APP1 Exif segment instead of JFIF.

    Written by a tiny DC-only encoder, so no imaging library is needed; the
    comment makes every item and variant hash differently.
    """

    name = "jpeg"

    def generate(self, spec, rng):
        width, height = int(spec.get("width", 64)), int(spec.get("height", 48))
        cols, rows = (width + 7) // 8, (height + 7) // 8
        start, slope = rng.randint(-40, 40), rng.uniform(-3, 3)
        levels = [
            max(-64, min(63, round(start + slope * (r + c) + rng.randint(-6, 6))))
            for r in range(rows)
            for c in range(cols)
        ]
        comment = spec.get("comment", "").encode("utf-8") + rng.randbytes(16).hex().encode()
        return b"".join(
            (
                b"\xff\xd8",
                _app_segment(spec, width, height),
                _segment(0xFE, comment),
                _segment(0xDB, b"\x00" + bytes([16] * 64)),
                _segment(0xC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
                _segment(0xC4, b"\x00" + bytes(_DC_COUNTS) + bytes(range(12))),
                _segment(0xC4, b"\x10" + bytes([1] + [0] * 15) + b"\x00"),
                _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
                _encode_dc_scan(levels),
                b"\xff\xd9",
            )
        )


def _app_segment(spec: dict[str, Any], width: int, height: int) -> bytes:
    """JFIF APP0, or a camera's APP1 Exif segment when the recipe gives ``exif:``."""
    if spec.get("exif"):
        from forensics_kit.builder.contents.exif import exif_payload

        return _segment(0xE1, exif_payload(spec["exif"], width, height))
    return _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")


_DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # JPEG Annex K luminance DC


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _dc_codes() -> dict[int, tuple[int, int]]:
    """Canonical Huffman codes {category: (code, length)} of the Annex K DC table."""
    codes, code, symbol = {}, 0, 0
    for length, count in enumerate(_DC_COUNTS, start=1):
        for _ in range(count):
            codes[symbol] = (code, length)
            code, symbol = code + 1, symbol + 1
        code <<= 1
    return codes


def _encode_dc_scan(levels: list[int]) -> bytes:
    """Entropy-code one block per level: DC difference, then end-of-block (code ``0``)."""
    codes, bits, previous = _dc_codes(), [], 0
    for level in levels:
        diff, previous = level - previous, level
        category = abs(diff).bit_length()
        code, length = codes[category]
        bits.append(format(code, f"0{length}b"))
        if category:
            extra = diff if diff > 0 else diff + (1 << category) - 1
            bits.append(format(extra, f"0{category}b"))
        bits.append("0")
    stream = "".join(bits)
    stream += "1" * (-len(stream) % 8)
    raw = int(stream, 2).to_bytes(len(stream) // 8, "big")
    return raw.replace(b"\xff", b"\xff\x00")
