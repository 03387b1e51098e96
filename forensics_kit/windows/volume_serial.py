"""Volume serial numbers as Windows records them: what a shortcut, EMDMgmt and ``dir`` show.

A shortcut's LinkInfo and SOFTWARE's EMDMgmt keep the 32-bit serial of the volume its
file system got when it was formatted: FAT12/16 at boot-sector offset 0x27, FAT32 at 0x43,
exFAT at 0x64; NTFS keeps 64 bits at 0x48 and Windows shows (and shortcuts store) the low 32.
``fsstat`` prints the same number: ``Volume ID: 0x3a7c91f0`` (FAT), ``Volume Serial Number:
3a7c-91f0`` (exFAT), ``Volume Serial Number: ...3A7C91F0`` (NTFS, all 64 bits); ``fklab disk
info`` prints it in the Volume serial column (:attr:`FileSystemInfo.serial
<forensics_kit.disk.records.FileSystemInfo>`).
"""

from __future__ import annotations


def volume_serials(image) -> dict[int | None, str]:
    """``{partition: "3A7C-91F0"}`` for every FAT, exFAT and NTFS file system of an open DiskImage."""
    return {fs.partition: fs.serial for fs in image.filesystems() if fs.serial}
