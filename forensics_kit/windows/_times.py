"""FILETIMEs and Windows time strings as the kit writes times: ISO 8601 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def filetime_iso(value: int | None) -> str | None:
    """ISO UTC of a FILETIME, to the 100 ns it holds (``2024-03-05T14:02:11.1234567Z``); 0 gives None."""
    if not value or value < 0 or value >= 1 << 63:
        return None
    try:
        when = _FILETIME_EPOCH + timedelta(microseconds=value // 10)
    except OverflowError:
        return None
    nanoseconds = when.microsecond * 1000 + (value % 10) * 100
    base = when.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{nanoseconds:09d}".rstrip("0") + "Z" if nanoseconds else base + "Z"


def filetime_datetime(value: int | None) -> datetime | None:
    """A FILETIME as an aware datetime (microseconds), or None."""
    if not value or value < 0 or value >= 1 << 63:
        return None
    try:
        return _FILETIME_EPOCH + timedelta(microseconds=value // 10)
    except OverflowError:
        return None


def system_time_iso(text: str | None) -> str | None:
    """``2024-03-05T14:02:11.123456000Z`` (libevtx's SystemTime) -> ``2024-03-05T14:02:11.123456Z``."""
    if not text:
        return None
    text = text.strip().rstrip("Z")
    base, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{base}.{fraction}Z" if fraction else f"{base}Z"
