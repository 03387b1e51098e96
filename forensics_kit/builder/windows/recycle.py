"""Recycle Bin entries: the ``$I`` record and the ``$R`` name of a deleted file (Windows 10 layout).

Layout followed: the ``$I`` format as documented for Windows Vista and later
(libyal's "Windows Recycle.Bin" notes; Forensic Focus / Abhijit Mohanta's $I write-ups):

- version 2 (Windows 10): 8-byte version, 8-byte original size, deletion FILETIME,
  4-byte path length in characters (with its NUL), the UTF-16LE path;
- version 1 (Vista to 8.1): the same header and the path in a fixed 520-byte field.

Explorer names the pair ``$I<6 chars><.ext>`` and ``$R<same 6 chars><.ext>`` inside
``$Recycle.Bin\\<user SID>\\``; the ``$R`` file is the original content, renamed.
"""

from __future__ import annotations

import random
import string
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import PureWindowsPath

from forensics_kit.builder.windows._common import filetime


def info_record(original_path: str, size: int, deleted: datetime, version: int = 2) -> bytes:
    """The bytes of a ``$I`` file."""
    head = struct.pack("<QQQ", version, size, filetime(deleted))
    path = original_path.encode("utf-16-le") + b"\0\0"
    if version == 1:
        if len(path) > 520:
            raise ValueError(f"a version 1 $I path holds at most 259 characters: {original_path!r}")
        return head + path.ljust(520, b"\0")
    return head + struct.pack("<I", len(path) // 2) + path


@dataclass(frozen=True)
class RecycledFile:
    """Where a deleted file goes: ``$I`` and ``$R`` names (inside ``$Recycle.Bin\\<SID>``) and the ``$I`` bytes."""

    info_name: str
    data_name: str
    info: bytes


def recycle(original_path: str, size: int, deleted: datetime, rng: random.Random, version: int = 2) -> RecycledFile:
    """The pair Explorer makes when ``original_path`` is deleted: random six-character id, extension kept."""
    suffix = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
    extension = PureWindowsPath(original_path).suffix
    return RecycledFile(f"$I{suffix}{extension}", f"$R{suffix}{extension}",
                        info_record(original_path, size, deleted, version))
