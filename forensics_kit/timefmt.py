"""One way to write times everywhere: ISO 8601 in UTC, ``2024-03-01T10:00:00Z``.

Fractions of a second are kept (up to nanoseconds) only when they are not zero,
so whole-second file-system times read the same as in ``fls``/``mactime``.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def iso_utc(seconds: int | float | None, nanoseconds: int = 0) -> str | None:
    """Format POSIX seconds (plus optional extra nanoseconds) as ISO 8601 UTC, or None.

    Zero means "not set" for file-system times, as in The Sleuth Kit, so it gives None.
    """
    if seconds is None:
        return None
    whole = int(seconds)
    frac_ns = nanoseconds + round((seconds - whole) * 1_000_000_000) if isinstance(seconds, float) else nanoseconds
    if whole == 0 and frac_ns == 0:
        return None
    whole += frac_ns // 1_000_000_000
    frac_ns %= 1_000_000_000
    base = datetime.fromtimestamp(whole, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if frac_ns:
        return f"{base}.{frac_ns:09d}".rstrip("0") + "Z"
    return base + "Z"


def parse_iso(text: str) -> datetime:
    """Parse an ISO 8601 time; a naive time is taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def pin_local_time_zone(zone: str = "UTC") -> None:
    """Make The Sleuth Kit read zone-less times (FAT's local times) in ``zone``.

    TSK converts FAT time stamps with the process's time zone (``TZ``), like
    ``fls -z``. Left alone, the same image would give other answers on a trainee's
    laptop in Moscow than on the instructor's in UTC, so the kit pins the zone for
    the whole process when it opens an image. Zone-aware file systems (NTFS, ext,
    exFAT with offsets) are not affected.
    """
    if os.environ.get("TZ") != zone:
        os.environ["TZ"] = zone
        time.tzset()
