"""Helpers the Windows writers share: FILETIMEs, SIDs and GUIDs as Windows stores them."""

from __future__ import annotations

import struct
import uuid
from datetime import UTC, datetime

_EPOCH_DELTA = 116444736000000000  # 100 ns intervals from 1601-01-01 to 1970-01-01


def filetime(when: datetime | int | None) -> int:
    """A FILETIME (100 ns since 1601-01-01 UTC); a naive datetime is taken as UTC, an int is kept, None is 0."""
    if when is None:
        return 0
    if isinstance(when, int):
        return when
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    return _EPOCH_DELTA + (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def sid_bytes(sid: str) -> bytes:
    """A SID string (``S-1-5-21-...-1001``) in its binary form (revision, count, authority, sub-authorities)."""
    parts = sid.strip().upper().split("-")
    if len(parts) < 3 or parts[0] != "S":
        raise ValueError(f"not a SID: {sid!r}")
    revision, authority, subs = int(parts[1]), int(parts[2]), [int(p) for p in parts[3:]]
    if len(subs) > 15:
        raise ValueError(f"a SID has at most 15 sub-authorities: {sid!r}")
    return (struct.pack("<BB", revision, len(subs)) + authority.to_bytes(6, "big")
            + b"".join(struct.pack("<I", s) for s in subs))


def guid_bytes(value: str | uuid.UUID) -> bytes:
    """A GUID in Windows' mixed-endian layout (``{54849625-...}`` or a UUID)."""
    return (value if isinstance(value, uuid.UUID) else uuid.UUID(value.strip("{}"))).bytes_le


def utf16z(text: str) -> bytes:
    """UTF-16LE with its end-of-string character."""
    return text.encode("utf-16-le") + b"\0\0"
