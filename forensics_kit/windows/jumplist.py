"""Jump Lists (``*.automaticDestinations-ms``) read with olefile and liblnk: the documents a program opened.

::

    from forensics_kit.windows import read_jump_list

    for entry in read_jump_list(img, "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/"
                                     "AutomaticDestinations/9b9cdc69c1c24e2b.automaticDestinations-ms"):
        entry.path, entry.last_access, entry.access_count, entry.link.volume_serial

The compound file holds one shell link per document (streams ``1``, ``2``, ... in hex) and a
``DestList`` stream (format versions 1 of Windows 7 and 3/4 of Windows 10) with each entry's
number, path, last access time, access count, pin status and host name. An entry's link is
read by liblnk, as ``lnkinfo`` reads a Recent shortcut.
"""

from __future__ import annotations

import io
import struct
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from forensics_kit.errors import EvidenceError
from forensics_kit.windows._source import load
from forensics_kit.windows._times import filetime_iso
from forensics_kit.windows.lnk import ShortcutInfo, read_lnk

_CFB = bytes.fromhex("d0cf11e0a1b11ae1")


@dataclass(frozen=True)
class JumpListEntry:
    """One DestList entry and the shortcut stored beside it."""

    entry_number: int
    path: str
    last_access: str | None
    access_count: int
    pinned: bool
    hostname: str
    droid_volume: str
    droid_file: str
    link: ShortcutInfo | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _entries(data: bytes, label: str) -> list[tuple]:
    if len(data) < 32:
        raise EvidenceError(label, f"DestList is {len(data)} bytes, shorter than its 32-byte header")
    version, count = struct.unpack_from("<II", data, 0)
    if version not in (1, 2, 3, 4, 5, 6):
        raise EvidenceError(label, f"DestList format version {version} is not known (1 to 6)")
    out, offset = [], 32
    for _ in range(count):
        fixed = 114 if version == 1 else 130
        if offset + fixed > len(data):
            raise EvidenceError(label, f"DestList declares {count} entries but ends after {len(out)}")
        volume, file_id = (str(uuid.UUID(bytes_le=data[offset + 8 + 16 * i: offset + 24 + 16 * i])) for i in (0, 1))
        host = data[offset + 72: offset + 88].split(b"\0", 1)[0].decode("ascii", "replace")
        number, _unknown, counter, when, pin = struct.unpack_from("<IIfQi", data, offset + 88)
        if version == 1:
            size_at, hits = offset + 112, int(counter)
        else:
            hits = struct.unpack_from("<I", data, offset + 116)[0]
            size_at = offset + 128
        chars = struct.unpack_from("<H", data, size_at)[0]
        end = size_at + 2 + 2 * chars
        if end > len(data):
            raise EvidenceError(label, f"DestList entry {number} claims a path of {chars} characters past the end")
        path = data[size_at + 2: end].decode("utf-16-le", "replace")
        out.append((number, path, filetime_iso(when), hits, pin != -1, host, volume, file_id))
        offset = end + (0 if version == 1 else 4)
    return out


def read_jump_list(source, path: str | None = None, *, name: str | None = None,
                   partition: int | None = None) -> list[JumpListEntry]:
    """The entries of an AutomaticDestinations Jump List (bytes, a local file, or ``path`` in a DiskImage).

    Raises:
        EvidenceError: not a compound file, no DestList, or a damaged one (one line).
    """
    import olefile

    data, label = load(source, path, name=name, partition=partition)
    if data[:8] != _CFB:
        raise EvidenceError(label, "not a Jump List (no OLE compound file signature)")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, struct.error) as exc:
        raise EvidenceError(label, f"damaged compound file: {exc}") from None
    try:
        if not ole.exists("DestList"):
            raise EvidenceError(label, "no DestList stream (a customDestinations file or another compound file)")
        entries = _entries(ole.openstream("DestList").read(), label)
        out = []
        for number, target, when, hits, pinned, host, volume, file_id in entries:
            stream = f"{number:x}"
            link = read_lnk(ole.openstream(stream).read(), name=f"{label}:{stream}") if ole.exists(stream) else None
            out.append(JumpListEntry(number, target, when, hits, pinned, host, volume, file_id, link))
        return out
    except (OSError, ValueError, struct.error) as exc:
        raise EvidenceError(label, f"damaged compound file: {exc}") from None
    finally:
        ole.close()
