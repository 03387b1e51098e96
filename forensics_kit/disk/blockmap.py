"""Which file, slack, metadata or unallocated space owns a byte of a disk image.

A search hit or a carved file at byte 7 340 544 means little to a trainee; "in the
slack of /DOCS/notes.txt" or "unallocated space of partition 1" is the answer
they need. :class:`BlockMap` walks each file system once, records every file's
block runs (deleted files too, where TSK still knows their runs) as sorted
interval arrays, and answers :meth:`BlockMap.owner` with a bisect, so memory grows
with the number of runs, not with the image size.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytsk3

from forensics_kit.disk.allocation import allocated_ranges
from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.walker import OpenFileSystem, walk_filesystem

_NONRES = int(pytsk3.TSK_FS_ATTR_NONRES)
_RUN_SKIP = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE)

KINDS = ("file", "slack", "metadata", "unallocated", "unmapped", "unpartitioned")


@dataclass(frozen=True, slots=True)
class Owner:
    """What a byte of the image belongs to.

    Attributes:
        kind: ``file`` (file content), ``slack`` (after a file's end in its last
            block), ``metadata`` (file-system structures: FAT tables, ext inode
            tables, NTFS ``$MFT``...), ``unallocated`` (blocks of a file system no
            live file owns), ``unmapped`` (inside a file system the kit reads but
            cannot map block by block: an APFS container) or ``unpartitioned``
            (outside every file system).
        path: the file (for ``file``, ``slack`` and named ``metadata``), else None.
        inode: its inode / MFT entry / FAT directory-entry address.
        partition: partition index of the file system (None: no partition table).
        deleted: the file is deleted: its blocks are unallocated and may be reused.
    """

    kind: str
    path: str | None = None
    inode: int | None = None
    partition: int | None = None
    deleted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"kind": self.kind, "path": self.path, "inode": self.inode,
                "partition": self.partition, "deleted": self.deleted}

    def describe(self) -> str:
        """Short text for tables: ``slack of /a.txt (inode 5, deleted)``."""
        if self.kind == "unmapped":
            return "APFS container (not mapped)" if self.partition is None else (
                f"APFS container in partition {self.partition} (not mapped)")
        if self.path is None:
            return self.kind
        extra = f"inode {self.inode}" + (", deleted" if self.deleted else "")
        prefix = {"file": "", "slack": "slack of ", "metadata": "metadata "}.get(self.kind, "")
        return f"{prefix}{self.path} ({extra})"


class _Intervals:
    """Sorted, non-overlapping [start, end) byte ranges, each tagged with an owner index."""

    def __init__(self, items: list[tuple[int, int, int]]) -> None:
        items.sort()
        self.starts, self.ends, self.tags = array("q"), array("q"), array("q")
        for start, end, tag in items:
            if self.ends and start < self.ends[-1]:
                start = self.ends[-1]  # first claim wins (cross-linked blocks)
                if start >= end:
                    continue
            if self.ends and start == self.ends[-1] and tag == self.tags[-1]:
                self.ends[-1] = end
                continue
            self.starts.append(start)
            self.ends.append(end)
            self.tags.append(tag)

    def find(self, offset: int) -> int | None:
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return self.tags[i]
        return None

    def spans(self) -> Iterator[tuple[int, int]]:
        yield from zip(self.starts, self.ends, strict=True)


@dataclass(slots=True)
class _FsMap:
    start: int
    end: int
    partition: int | None
    live: _Intervals
    deleted: _Intervals
    metadata: _Intervals  # allocated by the file system but owned by no file
    mapped: bool = True  # False: a container the kit cannot map (APFS): its bytes are "unmapped"


class BlockMap:
    """Owners of every byte of an image; build it with :func:`build_block_map`."""

    def __init__(self, size: int, maps: list[_FsMap], owners: list[Owner]) -> None:
        self.size = size
        self._maps = sorted(maps, key=lambda m: m.start)
        self._owners = owners

    def owner(self, offset: int) -> Owner:
        """The owner of the byte at absolute ``offset`` in the image."""
        for fsm in self._maps:
            if fsm.start <= offset < fsm.end:
                if not fsm.mapped:
                    return Owner("unmapped", partition=fsm.partition)
                for layer in (fsm.live, fsm.deleted):
                    tag = layer.find(offset)
                    if tag is not None:
                        return self._owners[tag]
                if fsm.metadata.find(offset) is not None:
                    return Owner("metadata", partition=fsm.partition)
                return Owner("unallocated", partition=fsm.partition)
        return Owner("unpartitioned")

    def unallocated_ranges(self) -> Iterator[tuple[int, int]]:
        """Absolute [start, end) ranges no live file or file-system structure owns.

        Deleted files' blocks are included (that is where carving finds them), and so
        is every byte outside the file systems (``unpartitioned``).
        """
        cursor = 0
        for fsm in self._maps:
            if cursor < fsm.start:
                yield cursor, fsm.start
            taken = sorted(list(fsm.live.spans()) + list(fsm.metadata.spans()))
            pos = fsm.start
            for start, end in taken:
                if start > pos:
                    yield pos, min(start, fsm.end)
                pos = max(pos, end)
            if pos < fsm.end:
                yield pos, fsm.end
            cursor = max(cursor, fsm.end)
        if cursor < self.size:
            yield cursor, self.size


def build_block_map(
    img: DiskImage,
    partition: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    *,
    shadow: int | None = None,
) -> BlockMap:
    """Walk the file systems (one, with ``partition``) and record who owns which blocks.

    Live files (system files too) win over deleted ones that claim the same blocks.
    With ``shadow``, the map is that of the volume shadow copy (the volume as it was),
    at the live volume's offsets. Walk problems end up in ``img.warnings`` like those
    of :meth:`DiskImage.walk`.

    Raises:
        NotFoundError: no such partition or shadow copy.
    """
    owners: list[Owner] = []
    if shadow is not None:
        store = img._source(partition, shadow)  # noqa: SLF001 - same package
        return BlockMap(img.size, [_map_filesystem(store, store.read_at, owners, progress)], owners)
    maps = []
    targets = img._filesystems if partition is None else [img._select(partition)]  # noqa: SLF001
    for ofs in targets:
        maps.append(_map_filesystem(ofs, img._media.img.read, owners, progress))  # noqa: SLF001
    if partition is None:
        maps.extend(_unmapped(img))
    return BlockMap(img.size, maps, owners)


def _unmapped(img: DiskImage) -> list[_FsMap]:
    """One map per APFS container: its bytes are the container's, not "unpartitioned"."""
    spans: dict[tuple[int, int], int | None] = {}
    for volume in img._apfs:  # noqa: SLF001 - same package
        info = volume.info
        spans[(info.offset, info.offset + info.block_size * info.block_count)] = info.partition
    none = _Intervals([])
    return [_FsMap(start, end, part, none, none, none, mapped=False) for (start, end), part in spans.items()]


def _map_filesystem(ofs: OpenFileSystem, read: Callable[[int, int], bytes], owners: list[Owner], progress) -> _FsMap:
    fs, info = ofs.fs, ofs.info
    base, bsize, part = info.offset, info.block_size, info.partition
    live: list[tuple[int, int, int]] = []
    deleted: list[tuple[int, int, int]] = []
    seen: set[tuple[int, bool]] = set()
    done = 0
    for inode, path, allocated in _entries(ofs):
        done += 1
        if progress and done % 2048 == 0:
            progress("mapping blocks", done, 0)
        if not inode or (inode, allocated) in seen or (not allocated and (inode, True) in seen):
            continue
        seen.add((inode, allocated))
        try:
            file = fs.open_meta(inode=inode)
        except (OSError, RuntimeError):
            continue
        system = path.startswith("/$") and path.count("/") == 1
        kind = "metadata" if system else "file"
        data_owner = len(owners)
        owners.append(Owner(kind, path, inode, part, not allocated))
        owners.append(Owner("slack" if not system else "metadata", path, inode, part, not allocated))
        target = live if allocated else deleted
        try:
            for attr in file:
                ainfo = attr.info
                if not int(ainfo.flags) & _NONRES:
                    continue
                size = int(ainfo.size)
                for run in attr:
                    if int(run.flags) & _RUN_SKIP or run.len <= 0:
                        continue
                    lo = run.offset * bsize
                    hi = lo + run.len * bsize
                    phys = base + run.addr * bsize
                    if lo < size:
                        target.append((phys, phys + min(hi, size) - lo, data_owner))
                    if hi > size:
                        cut = max(lo, size)
                        target.append((phys + cut - lo, phys + hi - lo, data_owner + 1))
        except (OSError, RuntimeError):
            ofs.warnings.append(f"{ofs.where()}: {path}: block runs unreadable, left out of the block map")
    end = base + int(fs.info.block_count) * bsize
    meta = [(base + a * bsize, base + b * bsize, -1) for a, b in allocated_ranges(ofs, read)]
    return _FsMap(base, end, part, _Intervals(live), _Intervals(deleted), _Intervals(meta))


def _entries(ofs: OpenFileSystem) -> Iterator[tuple[int, str, bool]]:
    """(inode, path, allocated) of the root and of every name, streamed from the walk."""
    yield int(ofs.fs.info.root_inum), "/", True
    for record in walk_filesystem(ofs):
        path = record.path[: -len(record.stream) - 1] if record.stream else record.path
        yield record.inode, path, record.allocated
