"""A small writer of OLE compound files ([MS-CFB] version 3, 512-byte sectors), byte-exact and deterministic.

Office keeps a VBA project (``word/vbaProject.bin``) and legacy documents in this
format; olefile can read one but not write a new one. The writer lays out, in
this order: the FAT sectors, the directory, the mini FAT and the mini stream
(every stream under 4096 bytes lives in 64-byte mini sectors there, as the
specification requires), then the streams of 4096 bytes and more. Each
storage's children form a red-black tree ordered as CFB orders names (shorter
first, then by upper-cased UTF-16), built balanced so every path holds as many
black nodes. Storage times are FILETIMEs; streams carry none, as the format says.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


@dataclass
class Storage:
    """A storage (folder) of a compound file: child storages and streams by name."""

    children: dict[str, Storage | bytes] = field(default_factory=dict)
    created: datetime | None = None
    modified: datetime | None = None


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    created: datetime | None = None
    modified: datetime | None = None
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    red: bool = False
    start: int = _END
    children: list[int] = field(default_factory=list)


def _key(name: str) -> tuple[int, str]:
    return len(name), name.upper()


def _filetime(when: datetime | None) -> int:
    if when is None:
        return 0
    return int((when.astimezone(UTC) - _EPOCH).total_seconds()) * 10_000_000 + when.microsecond * 10


def _flatten(root: Storage) -> list[_Entry]:
    entries = [_Entry("Root Entry", 5, created=None, modified=root.modified)]

    def add(storage: Storage, parent: int) -> None:
        for name, item in storage.children.items():
            if len(name) > 31 or any(c in name for c in "/\\:!"):
                raise ValueError(f"compound file: bad entry name {name!r}")
            index = len(entries)
            if isinstance(item, Storage):
                entries.append(_Entry(name, 1, created=item.created, modified=item.modified))
                entries[parent].children.append(index)
                add(item, index)
            else:
                entries.append(_Entry(name, 2, data=bytes(item)))
                entries[parent].children.append(index)

    add(root, 0)
    for entry in entries:
        ordered = sorted(entry.children, key=lambda i: _key(entries[i].name))
        if len({_key(entries[i].name) for i in ordered}) != len(ordered):
            raise ValueError(f"compound file: two children of {entry.name!r} share a name")
        depth = _max_depth(len(ordered))
        entry.child = _tree(entries, ordered, 0, depth)
    return entries


def _max_depth(count: int) -> int:
    depth = 0
    while (1 << (depth + 1)) - 1 < count:
        depth += 1
    return depth


def _tree(entries: list[_Entry], ordered: list[int], depth: int, deepest: int) -> int:
    """Root of a balanced tree of ``ordered``; the nodes of an unfilled deepest level are red."""
    if not ordered:
        return _NOSTREAM
    middle = len(ordered) // 2
    node = entries[ordered[middle]]
    node.red = depth == deepest and depth > 0
    node.left = _tree(entries, ordered[:middle], depth + 1, deepest)
    node.right = _tree(entries, ordered[middle + 1:], depth + 1, deepest)
    return ordered[middle]


def _sectors(size: int, unit: int) -> int:
    return (size + unit - 1) // unit


def write_compound_file(root: Storage) -> bytes:
    """The bytes of a version-3 compound file holding ``root``'s storages and streams."""
    entries = _flatten(root)
    small = [e for e in entries if e.kind == 2 and len(e.data) < _CUTOFF]
    large = [e for e in entries if e.kind == 2 and len(e.data) >= _CUTOFF]
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in small:
        if not entry.data:
            continue
        entry.start = len(mini_fat)
        count = _sectors(len(entry.data), _MINI)
        mini_fat += [entry.start + i + 1 for i in range(count - 1)] + [_END]
        mini_stream += entry.data.ljust(count * _MINI, b"\x00")
    dir_sectors = _sectors(len(entries) * 128, _SECTOR)
    minifat_sectors = _sectors(len(mini_fat) * 4, _SECTOR)
    ministream_sectors = _sectors(len(mini_stream), _SECTOR)
    large_sectors = sum(_sectors(len(e.data), _SECTOR) for e in large)
    content = dir_sectors + minifat_sectors + ministream_sectors + large_sectors
    fat_sectors = 1
    while fat_sectors * (_SECTOR // 4) < fat_sectors + content:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file: over 109 FAT sectors needs a DIFAT, which this writer does not write")
    fat: list[int] = [_FATSECT] * fat_sectors

    def chain(count: int) -> int:
        if count == 0:
            return _END
        start = len(fat)
        fat.extend(start + i + 1 for i in range(count - 1))
        fat.append(_END)
        return start

    dir_start = chain(dir_sectors)
    minifat_start = chain(minifat_sectors)
    entries[0].start = chain(ministream_sectors)
    entries[0].data = bytes(mini_stream)
    for entry in large:
        entry.start = chain(_sectors(len(entry.data), _SECTOR))
    fat += [_FREE] * (fat_sectors * (_SECTOR // 4) - len(fat))

    header = bytearray(_SECTOR)
    struct.pack_into("<8s16sHHHHH6sIIIIIIIII", header, 0, bytes.fromhex("d0cf11e0a1b11ae1"), b"", 0x3E, 3, 0xFFFE,
                     9, 6, b"", 0, fat_sectors, dir_start, 0, _CUTOFF,
                     minifat_start if minifat_sectors else _END, minifat_sectors, _END, 0)
    difat = list(range(fat_sectors)) + [_FREE] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)
    body = bytearray(header)
    body += struct.pack(f"<{len(fat)}I", *fat)
    body += b"".join(_entry_bytes(e) for e in entries) + _EMPTY_ENTRY * (dir_sectors * 4 - len(entries))
    body += struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(minifat_sectors * _SECTOR, b"\xff")
    body += bytes(mini_stream).ljust(ministream_sectors * _SECTOR, b"\x00")
    for entry in large:
        body += entry.data.ljust(_sectors(len(entry.data), _SECTOR) * _SECTOR, b"\x00")
    return bytes(body)


def _entry_bytes(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), entry.kind, 0 if entry.red else 1, entry.left,
                       entry.right, entry.child, b"", 0, _filetime(entry.created), _filetime(entry.modified),
                       0 if entry.kind == 1 else entry.start, len(entry.data))


_EMPTY_ENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, b"", 0, 0, 0, 0, 0)
