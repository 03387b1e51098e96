"""EXIF of photos: camera, time taken (with its zone when recorded) and GPS position.

The APP1 segment is located by walking the JPEG markers (no pixel is decoded, so
a decompression-bomb-sized picture costs nothing); Pillow parses the TIFF
structure. Pillow reads one IFD per request, never follows a chain of "next IFD"
pointers, and bounds-checks every value: a truncated or looping EXIF gives
warnings and missing fields, not a hang.
"""

from __future__ import annotations

import io
import struct
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from forensics_kit.artefacts._source import load_bytes
from forensics_kit.errors import EvidenceError

_EXIF_IFD, _GPS_IFD = 0x8769, 0x8825
_PARSE_ERRORS = (SyntaxError, struct.error, ValueError, OSError, EOFError, KeyError, TypeError, IndexError)


@dataclass
class ExifInfo:
    """What a photo's EXIF says.

    Attributes:
        datetime_original: the camera clock when the shutter fired, ISO; with the
            recorded OffsetTimeOriginal (``2024-03-05T17:02:11+03:00``) or, when none
            was recorded, zone-less local time (``2024-03-05T17:02:11``).
        datetime_original_utc: the same in UTC, only when the offset is known.
        gps_lat, gps_lon: signed decimal degrees (south and west negative).
        gps_alt: metres, negative below sea level.
        raw: every tag of IFD0, the Exif IFD and the GPS IFD by name, JSON-ready.
        warnings: what was damaged or skipped.
    """

    make: str | None = None
    model: str | None = None
    software: str | None = None
    artist: str | None = None
    datetime: str | None = None
    datetime_original: str | None = None
    offset_time_original: str | None = None
    datetime_original_utc: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    gps_alt: float | None = None
    comment: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_exif(data: bytes | str, name: str | None = None) -> ExifInfo:
    """Read the EXIF of a JPEG (or of any picture Pillow knows: TIFF, PNG eXIf, WebP).

    Args:
        data: the file's bytes, or a local path.
        name: how to call the file in errors (default: the path or ``<data>``).

    Raises:
        EvidenceError: not a picture, or its EXIF header is unreadable. A photo
            without EXIF gives an empty :class:`ExifInfo` with a warning.
    """
    data, name = load_bytes(data, name)
    from PIL import ExifTags, Image

    info = ExifInfo()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exif = Image.Exif()
            if data[:2] == b"\xff\xd8":
                payload = _jpeg_exif_payload(data, name)
                if payload is None:
                    info.warnings.append("no EXIF segment")
                    return info
                exif.load(payload)
            else:
                with Image.open(io.BytesIO(data)) as picture:
                    exif = picture.getexif()
            ifds = {"": dict(exif), "Exif": _sub_ifd(exif, _EXIF_IFD), "GPS": _sub_ifd(exif, _GPS_IFD)}
        except Image.DecompressionBombError:
            raise EvidenceError(name, "picture dimensions too large to open (decompression bomb?)") from None
        except Image.UnidentifiedImageError:
            raise EvidenceError(name, "not a JPEG or other picture Pillow recognises") from None
        except _PARSE_ERRORS as exc:
            raise EvidenceError(name, f"unreadable EXIF: {exc}") from None
    info.warnings += [" ".join(str(w.message).split()) for w in caught]
    for group, tags in ifds.items():
        names = ExifTags.GPSTAGS if group == "GPS" else ExifTags.TAGS
        for tag, value in tags.items():
            if tag in (_EXIF_IFD, _GPS_IFD) and not group:
                continue
            info.raw[f"{group + '.' if group else ''}{names.get(tag, hex(tag))}"] = _json_value(value)
    _fill(info, ifds)
    return info


def _jpeg_exif_payload(data: bytes, name: str) -> bytes | None:
    """The first APP1 ``Exif\\0\\0`` payload, found by walking markers up to the scan."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise EvidenceError(name, f"damaged JPEG: no marker at offset {at}")
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            at += 2
            continue
        if marker in (0xDA, 0xD9):
            return None
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2:
            raise EvidenceError(name, f"damaged JPEG: segment length {length} at offset {at}")
        payload = data[at + 4 : at + 2 + length]
        if marker == 0xE1 and payload.startswith(b"Exif\0\0"):
            return payload
        at += 2 + length
    return None


def _sub_ifd(exif: Any, tag: int) -> dict[int, Any]:
    return dict(exif.get_ifd(tag)) if tag in exif else {}


def _fill(info: ExifInfo, ifds: dict[str, dict[int, Any]]) -> None:
    ifd0, sub, gps = ifds[""], ifds["Exif"], ifds["GPS"]
    info.make, info.model = _text(ifd0.get(0x010F)), _text(ifd0.get(0x0110))
    info.software, info.artist = _text(ifd0.get(0x0131)), _text(ifd0.get(0x013B))
    info.datetime = _exif_time(ifd0.get(0x0132), None, info)
    offset = _text(sub.get(0x9011)) or _text(sub.get(0x9010))
    info.offset_time_original = offset
    info.datetime_original = _exif_time(sub.get(0x9003), offset, info)
    if info.datetime_original and offset:
        moment = datetime.fromisoformat(info.datetime_original).astimezone(UTC)
        info.datetime_original_utc = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    info.comment = _user_comment(sub.get(0x9286)) or _text(ifd0.get(0x010E))
    info.gps_lat = _coordinate(gps.get(2), _text(gps.get(1)), "S", info)
    info.gps_lon = _coordinate(gps.get(4), _text(gps.get(3)), "W", info)
    if gps.get(6) is not None:
        alt = _number(gps[6])
        below = gps.get(5) in (1, b"\x01")
        info.gps_alt = None if alt is None else round(-alt if below else alt, 2)


def _exif_time(value: Any, offset: str | None, info: ExifInfo) -> str | None:
    text = _text(value)
    if not text:
        return None
    try:
        when = datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        info.warnings.append(f"unreadable EXIF time {text!r}")
        return None
    iso = when.strftime("%Y-%m-%dT%H:%M:%S")
    if offset:
        try:
            sign = -1 if offset[0] == "-" else 1
            hours, minutes = offset.lstrip("+-").split(":")
            timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
            return iso + offset
        except (ValueError, IndexError):
            info.warnings.append(f"unreadable EXIF offset {offset!r}")
    return iso


def _coordinate(value: Any, ref: str | None, negative: str, info: ExifInfo) -> float | None:
    if value is None:
        return None
    try:
        parts = [_number(v) for v in (value if isinstance(value, tuple | list) else (value,))]
    except TypeError:
        parts = [None]
    if not parts or any(p is None for p in parts) or len(parts) > 3:
        info.warnings.append(f"unreadable GPS coordinate {value!r}")
        return None
    degrees = sum(p / 60**i for i, p in enumerate(parts))
    return round(-degrees if (ref or "").upper().startswith(negative) else degrees, 7)


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return None if number != number else number  # NaN from a zero denominator


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    text = str(value).split("\0", 1)[0].strip()
    return text or None


def _user_comment(value: Any) -> str | None:
    if not isinstance(value, bytes) or len(value) < 8:
        return _text(value)
    code, body = value[:8], value[8:]
    if code.startswith(b"UNICODE"):
        encoding = "utf-16-be" if body[:1] == b"\0" else "utf-16-le"
        return body.decode(encoding, errors="replace").rstrip("\0 ") or None
    return body.decode("utf-8", errors="replace").rstrip("\0 ") or None


def _json_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("ascii") if value.isascii() and value.isalnum() else value.hex()
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value.rstrip("\0") if isinstance(value, str) else value
    return _number(value)
