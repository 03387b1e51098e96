"""NTFS directory indexes ($I30): the copy of each file's $FILE_NAME its parent keeps, read and patched in place.

A directory lists its files in a B+ tree: entries in its resident $INDEX_ROOT and,
once that is full, in 4 KiB INDX records of its $INDEX_ALLOCATION. Each entry is
the file's MFT reference and a copy of its $FILE_NAME (times, allocated and real
size, name). Windows writes that copy when it creates the name, from the same
values as the file's own $FILE_NAME; examiners read it (``istat`` of the parent,
INDX parsers, entries left in index slack). ntfs-3g writes its own values there,
so after :meth:`Ntfs.finish` gives the MFT's $FILE_NAME Windows' times and sizes,
:func:`copy_file_name_to_parent` gives the parent's entries the same ones.
An INDX record's fixups are undone on reading and redone with the next update
sequence number on writing, as the driver does.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytsk3

from forensics_kit.builder import ntfs_mft
from forensics_kit.errors import BuildError

INDEX_ROOT, INDEX_ALLOCATION = 0x90, 0xA0
_STRIDE = 512
_LAST, _NODE = 0x02, 0x01
_REF_MASK = (1 << 48) - 1


@dataclass(frozen=True)
class IndexEntry:
    """One $I30 entry: the file's MFT entry number and its copy of $FILE_NAME (times as FILETIMEs)."""

    inode: int
    name: str
    namespace: int
    times: tuple[int, int, int, int]  # created, modified, MFT changed, accessed
    allocated: int
    size: int
    where: str  # "root" or "INDX vcn N"


def _entries(node: bytes | bytearray, start: int, end: int) -> Iterator[int]:
    """Offsets (in ``node``) of every entry's start, from ``start`` to the last entry, bounded by ``end``."""
    offset = start
    while offset + 16 <= end:
        length, key, flags = struct.unpack_from("<HHI", node, offset + 8)
        if flags & _LAST or length < 16:
            return
        if key >= 66:
            yield offset
        offset += length


def _entry(node, offset: int, where: str) -> IndexEntry:
    ref = struct.unpack_from("<Q", node, offset)[0] & _REF_MASK
    key = offset + 16
    times = struct.unpack_from("<4Q", node, key + 8)
    allocated, size = struct.unpack_from("<QQ", node, key + 40)
    length, namespace = node[key + 64], node[key + 65]
    name = bytes(node[key + 66:key + 66 + 2 * length]).decode("utf-16-le", "replace")
    return IndexEntry(ref, name, namespace, times, allocated, size, where)


def _undo_fixups(block: bytearray, what: str) -> None:
    usa, count = struct.unpack_from("<HH", block, 4)
    usn = block[usa:usa + 2]
    for index in range(count - 1):
        end = (index + 1) * _STRIDE - 2
        if block[end:end + 2] != usn:
            raise BuildError(f"{what}: fixup check fails in stride {index}")
        block[end:end + 2] = block[usa + 2 + 2 * index:usa + 4 + 2 * index]


def _redo_fixups(block: bytearray) -> bytearray:
    usa, count = struct.unpack_from("<HH", block, 4)
    usn = struct.unpack_from("<H", block, usa)[0] + 1
    usn = 1 if usn >= 0xFFFF else usn
    struct.pack_into("<H", block, usa, usn)
    out = bytearray(block)
    for index in range(count - 1):
        end = (index + 1) * _STRIDE - 2
        out[usa + 2 + 2 * index:usa + 4 + 2 * index] = out[end:end + 2]
        struct.pack_into("<H", out, end, usn)
    return out


def _allocation(fs: pytsk3.FS_Info, directory: int) -> tuple[int, int, list[tuple[int, int]]] | None:
    """(cluster size, index record size, runs) of a directory's $I30 $INDEX_ALLOCATION, or None."""
    entry = fs.open_meta(inode=directory)
    record_size = None
    runs: list[tuple[int, int]] = []
    for attr in entry:
        kind = int(attr.info.type)
        if kind == INDEX_ROOT:
            root = entry.read_random(0, 16, attr.info.type, attr.info.id)
            record_size = struct.unpack_from("<I", root, 8)[0]
        elif kind == INDEX_ALLOCATION:
            runs = [(int(r.addr), int(r.len)) for r in attr if int(r.len)]
    if not runs or not record_size:
        return None
    return int(fs.info.block_size), record_size, runs


def _blocks(runs: list[tuple[int, int]], cluster: int, record_size: int) -> Iterator[tuple[int, list[int]]]:
    """(vcn, volume byte offset of each 512-byte stride) of every index record the runs hold."""
    offsets = [(start + i) * cluster for start, count in runs for i in range(count)]
    per_record = max(1, record_size // cluster)
    for first in range(0, len(offsets) - per_record + 1, per_record):
        strides = []
        for stride in range(0, record_size, _STRIDE):
            cluster_index, within = divmod(stride, cluster)
            strides.append(offsets[first + cluster_index] + within)
        yield first, strides


def read_index(volume: Path, directory: int, base: int = 0) -> list[IndexEntry]:
    """Every live entry of a directory's $I30 index (root and INDX records) in a volume (or at ``base`` of an image)."""
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(volume)), offset=base)
    out: list[IndexEntry] = []
    record = fs.open_meta(inode=directory)
    for attr in record:
        if int(attr.info.type) == INDEX_ROOT:
            data = record.read_random(0, int(attr.info.size), attr.info.type, attr.info.id)
            first, used = struct.unpack_from("<II", data, 16)
            out += [_entry(data, o, "root") for o in _entries(data, 16 + first, 16 + used)]
    allocation = _allocation(fs, directory)
    if allocation is None:
        return out
    cluster, record_size, runs = allocation
    with open(volume, "rb") as stream:
        for vcn, strides in _blocks(runs, cluster, record_size):
            block = bytearray()
            for offset in strides:
                stream.seek(base + offset)
                block += stream.read(_STRIDE)
            if block[:4] != b"INDX":
                continue
            _undo_fixups(block, f"{volume.name}: directory {directory} INDX vcn {vcn}")
            first, used = struct.unpack_from("<II", block, 24)
            out += [_entry(block, o, f"INDX vcn {vcn}") for o in _entries(block, 24 + first, 24 + used)]
    return out


def _patch_node(node: bytearray, start: int, end: int, inode: int, names: dict[tuple[str, int], bytes]) -> bool:
    """Give the entries of ``inode`` in one node the $FILE_NAME values (times, sizes) of the MFT's copy."""
    changed = False
    for offset in _entries(node, start, end):
        entry = _entry(node, offset, "")
        values = names.get((entry.name, entry.namespace))
        if entry.inode == inode and values is not None and node[offset + 24:offset + 72] != values:
            node[offset + 24:offset + 72] = values
            changed = True
    return changed


def copy_file_name_to_parent(volume: Path, inode: int) -> None:
    """Make the parent's $I30 entries of MFT entry ``inode`` carry its $FILE_NAME times and sizes."""
    record = ntfs_mft.read_record(volume, inode)
    names: dict[tuple[str, int], bytes] = {}
    parents = set()
    for content in record.attributes(ntfs_mft.FILE_NAME):
        parents.add(struct.unpack_from("<Q", record.data, content)[0] & _REF_MASK)
        length, namespace = record.data[content + 64], record.data[content + 65]
        name = bytes(record.data[content + 66:content + 66 + 2 * length]).decode("utf-16-le", "replace")
        names[(name, namespace)] = bytes(record.data[content + 8:content + 56])
    for parent in parents:
        if parent >= 4:  # entries 0-3 are system files mirrored in $MFTMirr, never a parent of ours
            _patch_parent(volume, parent, inode, names)


def _patch_parent(volume: Path, parent: int, inode: int, names: dict[tuple[str, int], bytes]) -> None:
    record = ntfs_mft.read_record(volume, parent)
    root = record.attribute(INDEX_ROOT)
    first, used = struct.unpack_from("<II", record.data, root + 16)
    if _patch_node(record.data, root + 16 + first, root + 16 + used, inode, names):
        ntfs_mft.write_record(volume, record)
    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(volume)))
    allocation = _allocation(fs, parent)
    if allocation is None:
        return
    cluster, record_size, runs = allocation
    with open(volume, "r+b") as stream:
        for vcn, strides in _blocks(runs, cluster, record_size):
            block = bytearray()
            for offset in strides:
                stream.seek(offset)
                block += stream.read(_STRIDE)
            if block[:4] != b"INDX":
                continue
            _undo_fixups(block, f"{volume.name}: directory {parent} INDX vcn {vcn}")
            first, used = struct.unpack_from("<II", block, 24)
            if not _patch_node(block, 24 + first, 24 + used, inode, names):
                continue
            out = _redo_fixups(block)
            for index, offset in enumerate(strides):
                stream.seek(offset)
                stream.write(out[index * _STRIDE:(index + 1) * _STRIDE])
