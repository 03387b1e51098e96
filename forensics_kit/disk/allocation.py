"""Blocks a file system keeps for itself: what is neither a file nor free space.

TSK's Python binding lists files and their runs but not the per-block allocation
status ``blkls`` uses, so the block map reads it here for the file systems whose
structures would otherwise look like unallocated space: FAT's reserved sectors,
tables and root directory (before the data area), and ext2/3/4's block bitmaps
(superblocks, group descriptors, inode tables, journal). On other file systems
(NTFS lists its structures as ``$`` files) nothing is added.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from forensics_kit.disk.walker import OpenFileSystem

_EXT_MAGIC = 0xEF53
_EXT_INCOMPAT_64BIT = 0x80
_EXT_BG_BLOCK_UNINIT = 0x2


def allocated_ranges(ofs: OpenFileSystem, read: Callable[[int, int], bytes]) -> list[tuple[int, int]]:
    """[first, end) block ranges the file system marks used (files' blocks may be included).

    ``read(offset, size)`` reads the media at absolute offsets. Damaged structures
    give an empty list: the bytes then read as unallocated.
    """
    kind = ofs.info.type.lower()
    try:
        if kind.startswith("fat"):
            return _fat_ranges(ofs, read)
        if kind.startswith("ext"):
            return _ext_ranges(ofs, read)
    except (OSError, RuntimeError, struct.error, ValueError, ZeroDivisionError):
        ofs.warnings.append(f"{ofs.where()}: allocation structures unreadable; metadata shown as unallocated")
    return []


def _read(ofs: OpenFileSystem, read: Callable[[int, int], bytes], offset: int, size: int) -> bytes:
    data = read(ofs.info.offset + offset, size)
    if len(data) < size:
        raise ValueError("short read")
    return data


def _fat_ranges(ofs: OpenFileSystem, read: Callable[[int, int], bytes]) -> list[tuple[int, int]]:
    """Everything before FAT's data area: boot and reserved sectors, FATs, FAT12/16 root directory."""
    boot = _read(ofs, read, 0, 512)
    bps, _spc, reserved, nfats, root_entries, _total16, _media, fat16 = struct.unpack_from("<HBHBHHBH", boot, 11)
    fat_size = fat16 or struct.unpack_from("<I", boot, 36)[0]
    root_sectors = (root_entries * 32 + bps - 1) // bps
    first_data = reserved + nfats * fat_size + root_sectors
    per_block = max(1, ofs.info.block_size // bps)
    return [(0, (first_data + per_block - 1) // per_block)]


def _ext_ranges(ofs: OpenFileSystem, read: Callable[[int, int], bytes]) -> list[tuple[int, int]]:
    """Runs of set bits in every block group's bitmap (uninitialised groups count as free)."""
    sb = _read(ofs, read, 1024, 1024)
    if struct.unpack_from("<H", sb, 56)[0] != _EXT_MAGIC:
        raise ValueError("no ext superblock")
    blocks_lo, first_data, log_bs, per_group = (struct.unpack_from("<I", sb, off)[0] for off in (4, 20, 24, 32))
    incompat = struct.unpack_from("<I", sb, 96)[0]
    wide = bool(incompat & _EXT_INCOMPAT_64BIT)
    blocks = blocks_lo | ((struct.unpack_from("<I", sb, 0x150)[0] << 32) if wide else 0)
    bsize = 1024 << log_bs
    desc_size = (struct.unpack_from("<H", sb, 254)[0] or 32) if wide else 32
    groups = (blocks - first_data + per_group - 1) // per_group
    table = _read(ofs, read, (first_data + 1) * bsize, groups * desc_size)
    ranges: list[tuple[int, int]] = [(0, first_data)] if first_data else []  # boot block of 1 KiB-block volumes
    for group in range(groups):
        desc = table[group * desc_size: (group + 1) * desc_size]
        bitmap_block = struct.unpack_from("<I", desc, 0)[0]
        if wide and desc_size >= 64:
            bitmap_block |= struct.unpack_from("<I", desc, 0x20)[0] << 32
        if struct.unpack_from("<H", desc, 0x12)[0] & _EXT_BG_BLOCK_UNINIT:
            continue
        first = first_data + group * per_group
        count = min(per_group, blocks - first)
        bits = _read(ofs, read, bitmap_block * bsize, (count + 7) // 8)
        ranges.extend((first + a, first + b) for a, b in _bit_runs(bits, count))
    return ranges


def _bit_runs(bits: bytes, count: int) -> list[tuple[int, int]]:
    """[start, end) runs of set bits (least significant bit first), over ``count`` bits."""
    value = int.from_bytes(bits, "little") & ((1 << count) - 1)
    runs = []
    pos = 0
    while value >> pos:
        low = value >> pos
        start = pos + ((low & -low).bit_length() - 1)
        rest = ~(value >> start)
        length = (rest & -rest).bit_length() - 1
        runs.append((start, start + length))
        pos = start + length
    return runs
