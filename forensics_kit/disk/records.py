"""Typed records the disk reader returns: partitions, file systems, file entries.

They are plain values with a ``to_dict()`` that gives JSON-ready data, so the
CLI, the dataset builder and the grader format or compare them without knowing
anything about pytsk3.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True, frozen=True)
class Partition:
    """One entry of a volume system (partition table), numbered like ``mmls``.

    Attributes:
        index: position in the volume system's entry list, the same number as the
            first column of ``mmls`` (meta and unallocated entries count too), so
            ``--partition N`` always means one entry.
        slot: ``mmls``'s slot column: ``"000:001"`` (table:slot) for a partition,
            ``"Meta"`` for a partition-table structure, ``"-------"`` for unallocated space.
        kind: ``"partition"``, ``"meta"`` or ``"unallocated"``.
        start: first sector.
        length: length in sectors.
        sector_size: bytes per sector of the volume system (512 unless it says otherwise).
        description: the volume system's description, e.g. ``"Linux (0x83)"``.
        filesystem: file-system type found in the entry (``"FAT16"``, ``"ext4"``...),
            None for meta/unallocated entries and partitions without a known file system.
    """

    index: int
    slot: str
    kind: str
    start: int
    length: int
    sector_size: int
    description: str
    filesystem: str | None = None

    @property
    def end(self) -> int:
        """Last sector (inclusive), as ``mmls`` prints it."""
        return self.start + self.length - 1

    @property
    def offset(self) -> int:
        """Byte offset of the entry in the image."""
        return self.start * self.sector_size

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "index": self.index,
            "slot": self.slot,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "length": self.length,
            "offset": self.offset,
            "sector_size": self.sector_size,
            "description": self.description,
            "filesystem": self.filesystem,
        }


@dataclass(slots=True, frozen=True)
class FileSystemInfo:
    """A file system found on the image.

    Attributes:
        partition: index of the partition holding it (see :class:`Partition`),
            None when the whole image is one file system.
        offset: byte offset of the file system in the image.
        type: ``"FAT12"``, ``"FAT16"``, ``"FAT32"``, ``"exFAT"``, ``"NTFS"``, ``"ext2"``,
            ``"ext3"``, ``"ext4"``, ``"HFS+"``, ``"ISO9660"``, ``"UFS1"``, ``"UFS2"``...
        label: volume label, None when the volume has none.
        block_size: bytes per block (cluster).
        block_count: number of blocks.
    """

    partition: int | None
    offset: int
    type: str
    label: str | None
    block_size: int
    block_count: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "partition": self.partition,
            "offset": self.offset,
            "type": self.type,
            "label": self.label,
            "block_size": self.block_size,
            "block_count": self.block_count,
        }


@dataclass(slots=True)
class FileRecord:
    """One name in a file system, as ``fls -r -p`` lists it (deleted names included).

    Attributes:
        partition: partition index (None when the image is one file system).
        path: absolute path in its file system, ``/``-separated; deleted files whose
            name is lost live under ``/$OrphanFiles`` like in TSK. An NTFS named
            stream is listed as its own record with ``path`` ``/file:stream`` (as fls does).
        name: last path component (with ``:stream`` for a named NTFS stream).
        inode: metadata address (for NTFS the MFT entry number; 0 when a deleted
            name no longer points to metadata).
        size: bytes of content (of the stream for a named stream).
        type: ``"file"``, ``"dir"`` or ``"other"`` (links, devices, virtual files...).
        allocated: False for a deleted name.
        mtime, atime, ctime, crtime: ISO 8601 UTC, None when the file system has no such time.
        stream: name of the NTFS stream (alternate data stream or named index), None otherwise.
    """

    partition: int | None
    path: str
    name: str
    inode: int
    size: int
    type: str
    allocated: bool
    mtime: str | None = None
    atime: str | None = None
    ctime: str | None = None
    crtime: str | None = None
    stream: str | None = None

    @property
    def deleted(self) -> bool:
        """True for a deleted (unallocated) name."""
        return not self.allocated

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "partition": self.partition,
            "path": self.path,
            "name": self.name,
            "inode": self.inode,
            "size": self.size,
            "type": self.type,
            "allocated": self.allocated,
            "mtime": self.mtime,
            "atime": self.atime,
            "ctime": self.ctime,
            "crtime": self.crtime,
            "stream": self.stream,
        }
