"""Volume serial numbers as Windows records them: what a shortcut, EMDMgmt and ``dir`` show.

A shortcut's LinkInfo and SOFTWARE's EMDMgmt keep the 32-bit serial of the volume its
file system got when it was formatted: FAT12/16 at boot-sector offset 0x27, FAT32 at 0x43,
exFAT at 0x64; NTFS keeps 64 bits at 0x48 and Windows shows (and shortcuts store) the low 32.
``fsstat`` prints the same number: ``Volume ID: 0x3a7c91f0`` (FAT), ``Volume Serial Number:
3a7c-91f0`` (exFAT), ``Volume Serial Number: ...3A7C91F0`` (NTFS, all 64 bits).
"""

from __future__ import annotations

import struct

from forensics_kit.disk.media_source import MediaSource
from forensics_kit.windows.lnk import serial_text

_OFFSETS = {"FAT12": 0x27, "FAT16": 0x27, "FAT32": 0x43, "exFAT": 0x64, "NTFS": 0x48}


def volume_serials(image) -> dict[int | None, str]:
    """``{partition: "3A7C-91F0"}`` for every FAT, exFAT and NTFS file system of an open DiskImage."""
    media = MediaSource(str(image.path), image.size, image, False)
    out: dict[int | None, str] = {}
    try:
        for fs in image.filesystems():
            at = _OFFSETS.get(fs.type)
            if at is None:
                continue
            boot = media.read(fs.offset, 512)
            if len(boot) >= at + 4:
                out[fs.partition] = serial_text(struct.unpack_from("<I", boot, at)[0])
    finally:
        media.close()
    return out
