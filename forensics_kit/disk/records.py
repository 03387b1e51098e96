"""Typed records the disk reader returns: partitions, file systems, file entries.

They are plain values with a ``to_dict()`` that gives JSON-ready data, so the
CLI, the dataset builder and the grader format or compare them without knowing
anything about pytsk3.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

_ISO_CACHE: dict[int, str] = {}
_ISO_CACHE_MAX = 1 << 16
_FULL_CACHE: dict[int, str | None] = {}


def _iso(seconds: int, nanoseconds: int) -> str | None:
    """``timefmt.iso_utc`` for the hot loop: same text, several times faster.

    Whole seconds are formatted with ``time.gmtime`` and cached (files made together
    share them), and so are whole results (a file's four times are often equal);
    an out-of-range time from a damaged entry gives None instead of stopping the walk.
    """
    key = seconds * 1_000_000_000 + nanoseconds
    try:
        return _FULL_CACHE[key]
    except KeyError:
        pass
    if len(_FULL_CACHE) >= _ISO_CACHE_MAX:
        _FULL_CACHE.clear()
    text = _FULL_CACHE[key] = _format_iso(seconds, nanoseconds)
    return text


def _format_iso(seconds: int, nanoseconds: int) -> str | None:
    if not seconds and not nanoseconds:
        return None
    if not 0 <= nanoseconds < 1_000_000_000:
        seconds += nanoseconds // 1_000_000_000
        nanoseconds %= 1_000_000_000
    base = _ISO_CACHE.get(seconds)
    if base is None:
        try:
            t = time.gmtime(seconds)
        except (OverflowError, OSError, ValueError):
            return None
        if not 1 <= t.tm_year <= 9999:
            return None
        base = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
        if len(_ISO_CACHE) >= _ISO_CACHE_MAX:
            _ISO_CACHE.clear()
        _ISO_CACHE[seconds] = base
    if nanoseconds:
        return f"{base}.{nanoseconds:09d}".rstrip("0") + "Z"
    return base + "Z"


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
        serial: the volume serial as Windows prints it (``3A7C-91F0``; NTFS: the low 32 of its
            64 bits, as shortcuts keep it), None where the file system has none (ext, APFS).
    """

    partition: int | None
    offset: int
    type: str
    label: str | None
    block_size: int
    block_count: int
    serial: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "partition": self.partition,
            "offset": self.offset,
            "type": self.type,
            "label": self.label,
            "serial": self.serial,
            "block_size": self.block_size,
            "block_count": self.block_count,
        }


_NO_TIMES = (0, 0, 0, 0, 0, 0, 0, 0)
_FOUR_CACHE: dict[tuple[int, ...], tuple[str | None, ...]] = {}


def _iso4(raw: tuple[int, ...]) -> tuple[str | None, ...]:
    """The four ISO times of a record; files made together share all eight numbers, so cache them."""
    try:
        return _FOUR_CACHE[raw]
    except KeyError:
        pass
    if len(_FOUR_CACHE) >= _ISO_CACHE_MAX:
        _FOUR_CACHE.clear()
    m, mn, a, an, c, cn, cr, crn = raw
    four = _FOUR_CACHE[raw] = (_iso(m, mn), _iso(a, an), _iso(c, cn), _iso(cr, crn))
    return four


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
        raw_times: ``(mtime, mtime_nano, atime, atime_nano, ctime, ctime_nano, crtime,
            crtime_nano)`` as TSK reads them (seconds since 1970 UTC, 0 = no such time);
            the ISO text is made only when asked for (``mtime``..., ``to_dict()``), which
            keeps a walk of a million names from formatting four million times.
        stream: name of the NTFS stream (alternate data stream or named index), None otherwise.
        name_type: TSK's name type as the directory entry gives it (``TSK_FS_NAME_TYPE_*``, -1 when the
            record was not listed by TSK), which the bodyfile's mode column starts with: a deleted NTFS
            name has none (0, ``-``) even though its metadata says file.
        attr: ``(type, id)`` of the NTFS attribute the record lists ($DATA or index root), None elsewhere;
            fls -m writes it after the inode (``77-128-4``).

    ``name_type`` and ``attr`` are TSK details for the bodyfile: ``to_dict()`` leaves them out and
    records compare without them.

    ``mtime``, ``atime``, ``ctime``, ``crtime`` are ISO 8601 UTC text, None when the
    file system has no such time.
    """

    partition: int | None
    path: str
    name: str
    inode: int
    size: int
    type: str
    allocated: bool
    raw_times: tuple[int, int, int, int, int, int, int, int] = _NO_TIMES
    stream: str | None = None
    name_type: int = field(default=-1, compare=False, repr=False)
    attr: tuple[int, int] | None = field(default=None, compare=False, repr=False)

    @property
    def mtime(self) -> str | None:
        """Last modification (content), ISO 8601 UTC."""
        return _iso(self.raw_times[0], self.raw_times[1])

    @property
    def atime(self) -> str | None:
        """Last access, ISO 8601 UTC."""
        return _iso(self.raw_times[2], self.raw_times[3])

    @property
    def ctime(self) -> str | None:
        """Last metadata change (NTFS: MFT entry change), ISO 8601 UTC."""
        return _iso(self.raw_times[4], self.raw_times[5])

    @property
    def crtime(self) -> str | None:
        """Creation (birth), ISO 8601 UTC."""
        return _iso(self.raw_times[6], self.raw_times[7])

    @property
    def deleted(self) -> bool:
        """True for a deleted (unallocated) name."""
        return not self.allocated

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        mtime, atime, ctime, crtime = _iso4(self.raw_times)
        return {
            "partition": self.partition,
            "path": self.path,
            "name": self.name,
            "inode": self.inode,
            "size": self.size,
            "type": self.type,
            "allocated": self.allocated,
            "mtime": mtime,
            "atime": atime,
            "ctime": ctime,
            "crtime": crtime,
            "stream": self.stream,
        }
