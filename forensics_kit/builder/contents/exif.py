"""The APP1 Exif segment of a generated photo: TIFF header, IFD0, Exif IFD and GPS IFD.

Written little-endian ("II") like most cameras, with the layout Exif 2.32 asks
for: IFD0 (camera make, model, software, artist, DateTime) points to the Exif
IFD (DateTimeOriginal, OffsetTimeOriginal, UserComment) and to the GPS IFD
(latitude/longitude as degree/minute/second rationals with N/S/E/W references).
The recipe gives decimal degrees and ISO times; no randomness is used.
"""

from __future__ import annotations

import struct
from datetime import UTC, timedelta, timezone
from typing import Any

from forensics_kit.timefmt import parse_iso

_BYTE, _ASCII, _SHORT, _LONG, _RATIONAL, _UNDEFINED = 1, 2, 3, 4, 5, 7
_SIZES = {_BYTE: 1, _ASCII: 1, _SHORT: 2, _LONG: 4, _RATIONAL: 8, _UNDEFINED: 1}
_SECOND_DENOMINATOR = 10_000  # GPS seconds kept to 1/10000 s of arc (about 3 mm)

Entry = tuple[int, int, int, bytes]  # tag, type, count, value bytes


def exif_payload(options: dict[str, Any], width: int, height: int) -> bytes:
    """The APP1 payload (``Exif\\0\\0`` + TIFF) for a recipe's ``exif:`` options.

    Raises:
        ValueError: a time, coordinate or offset the recipe gave cannot be written.
    """
    ifd0: list[Entry] = []
    exif: list[Entry] = [(0x9000, _UNDEFINED, 4, b"0232")]
    for tag, key in ((0x010F, "make"), (0x0110, "model"), (0x0131, "software"), (0x013B, "artist")):
        if options.get(key) not in (None, ""):
            ifd0.append(_ascii(tag, str(options[key])))
    ifd0 += [
        (0x011A, _RATIONAL, 1, _rational(72, 1)),
        (0x011B, _RATIONAL, 1, _rational(72, 1)),
        (0x0128, _SHORT, 1, struct.pack("<H", 2)),
        (0x0213, _SHORT, 1, struct.pack("<H", 1)),
    ]
    gps: list[Entry] = []
    if options.get("taken"):
        local, offset = local_time(options["taken"], options.get("utc_offset"))
        stamp = local.strftime("%Y:%m:%d %H:%M:%S")
        ifd0.append(_ascii(0x0132, stamp))
        exif += [_ascii(0x9003, stamp), _ascii(0x9004, stamp)]
        if offset:
            exif += [_ascii(0x9010, offset), _ascii(0x9011, offset), _ascii(0x9012, offset)]
        utc = parse_iso(str(options["taken"])).astimezone(UTC)
        gps_time = (0x0007, _RATIONAL, 3, b"".join(_rational(v, 1) for v in (utc.hour, utc.minute, utc.second)))
        gps_date = _ascii(0x001D, utc.strftime("%Y:%m:%d"))
    if options.get("comment"):
        comment = str(options["comment"])
        code, body = (b"ASCII\0\0\0", comment.encode()) if comment.isascii() else (
            b"UNICODE\0", comment.encode("utf-16-le"))
        exif.append((0x9286, _UNDEFINED, len(code) + len(body), code + body))
    exif += [
        (0xA001, _SHORT, 1, struct.pack("<H", 1)),
        (0xA002, _LONG, 1, struct.pack("<I", width)),
        (0xA003, _LONG, 1, struct.pack("<I", height)),
    ]
    if options.get("gps"):
        gps = _gps_entries(options["gps"])
        if options.get("taken"):
            gps += [gps_time, gps_date]
    return b"Exif\0\0" + _tiff(ifd0, exif, gps)


def local_time(taken: Any, utc_offset: Any) -> tuple[Any, str | None]:
    """The camera's clock reading and its OffsetTime text (None: the camera did not record one).

    ``utc_offset`` ("+03:00") converts ``taken`` to that zone; without it a time
    with an explicit non-UTC offset keeps it, and a UTC time is written as is, zone-less.
    """
    try:
        when = parse_iso(str(taken))
    except ValueError:
        raise ValueError(f"bad time {taken!r} (use e.g. 2024-03-01T10:00:00Z)") from None
    if utc_offset not in (None, ""):
        text = str(utc_offset)
        try:
            sign = -1 if text[0] == "-" else 1
            hours, minutes = text.lstrip("+-").split(":")
            zone = timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
        except (ValueError, IndexError):
            raise ValueError(f"utc_offset: {text!r} is not an offset such as +03:00") from None
        return when.astimezone(zone), _offset_text(zone.utcoffset(None))
    offset = when.utcoffset()
    if offset and str(taken).strip()[-1:] not in "Zz":
        return when, _offset_text(offset)
    return when, None


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _gps_entries(gps: dict[str, Any]) -> list[Entry]:
    entries: list[Entry] = [(0x0000, _BYTE, 4, bytes([2, 3, 0, 0]))]
    for key, limit, refs, ref_tag in (("lat", 90, "NS", 0x0001), ("lon", 180, "EW", 0x0003)):
        try:
            value = float(gps[key])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"exif.gps.{key}: expected decimal degrees, got {gps.get(key)!r}") from None
        if not -limit <= value <= limit:
            raise ValueError(f"exif.gps.{key}: {value} is outside -{limit}..{limit}")
        entries.append(_ascii(ref_tag, refs[value < 0]))
        entries.append((ref_tag + 1, _RATIONAL, 3, _dms(abs(value))))
    if gps.get("alt") is not None:
        try:
            alt = float(gps["alt"])
        except (TypeError, ValueError):
            raise ValueError(f"exif.gps.alt: expected metres, got {gps['alt']!r}") from None
        entries.append((0x0005, _BYTE, 1, bytes([1 if alt < 0 else 0])))
        entries.append((0x0006, _RATIONAL, 1, _rational(round(abs(alt) * 100), 100)))
    return entries


def _dms(degrees: float) -> bytes:
    """Degrees, minutes, seconds as three rationals, seconds to 1/10000."""
    total = round(degrees * 3600 * _SECOND_DENOMINATOR)
    whole_seconds, fraction = divmod(total, _SECOND_DENOMINATOR)
    d, rest = divmod(whole_seconds, 3600)
    m, s = divmod(rest, 60)
    return _rational(d, 1) + _rational(m, 1) + _rational(s * _SECOND_DENOMINATOR + fraction, _SECOND_DENOMINATOR)


def _rational(numerator: int, denominator: int) -> bytes:
    return struct.pack("<II", numerator, denominator)


def _ascii(tag: int, text: str) -> Entry:
    raw = text.encode("utf-8") + b"\0"
    return (tag, _ASCII, len(raw), raw)


def _ifd_size(entries: list[Entry]) -> int:
    data = sum(len(v) + len(v) % 2 for _, _, _, v in entries if len(v) > 4)
    return 2 + 12 * len(entries) + 4 + data


def _tiff(ifd0: list[Entry], exif: list[Entry], gps: list[Entry]) -> bytes:
    """TIFF header and the three IFDs, one after the other, sub-IFD pointers filled in."""
    pointers = [(0x8769, exif)] + ([(0x8825, gps)] if gps else [])
    ifd0 = ifd0 + [(tag, _LONG, 1, b"\0\0\0\0") for tag, _ in pointers]
    start = 8 + _ifd_size(ifd0)
    filled = []
    for tag, entries in pointers:
        filled.append((tag, _LONG, 1, struct.pack("<I", start)))
        start += _ifd_size(entries)
    ifd0 = [e for e in ifd0 if e[0] not in (0x8769, 0x8825)] + filled
    out = bytearray(b"II*\0" + struct.pack("<I", 8))
    for entries in (ifd0, exif, gps):
        if entries:
            out += _ifd(entries, len(out))
    return bytes(out)


def _ifd(entries: list[Entry], start: int) -> bytes:
    """One IFD at ``start`` (entries sorted by tag, next-IFD 0) followed by its out-of-line values."""
    entries = sorted(entries)
    data_at = start + 2 + 12 * len(entries) + 4
    table, data = bytearray(struct.pack("<H", len(entries))), bytearray()
    for tag, kind, count, value in entries:
        assert len(value) == count * _SIZES[kind], (tag, kind, count)
        if len(value) <= 4:
            table += struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")
        else:
            table += struct.pack("<HHII", tag, kind, count, data_at + len(data))
            data += value + b"\0" * (len(value) % 2)
    return bytes(table + b"\0\0\0\0" + data)
