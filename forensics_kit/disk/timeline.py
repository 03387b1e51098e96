"""File-system timelines: a TSK bodyfile (like ``fls -r -m /``) and a sorted MACB timeline (like ``mactime``).

The bodyfile is the exchange format of The Sleuth Kit, log2timeline and
Autopsy: ``MD5|name|inode|mode_as_string|UID|GID|size|atime|mtime|ctime|crtime``
with times in epoch seconds and deleted names marked `` (deleted)``. Writing
it exactly as ``fls -m`` does lets a trainee feed ours to ``mactime`` and check
one tool with the other. The human timeline has one row per file and distinct
time, its ``macb`` letters saying which times fell there, as ``mactime`` prints it.

On NTFS fls -m writes one line per $DATA stream and index root, its inode
followed by the attribute's type and id (``77-128-4``), and one more per name,
``NAME ($FILE_NAME)`` (``77-48-3``), with the times of the $FILE_NAME attribute
rather than $STANDARD_INFORMATION: a trainee compares the two to spot
timestomping. We read both attributes ourselves (pytsk3 hands out no $FILE_NAME
times) and convert their FILETIMEs as current TSK does (see :func:`forensics_kit.disk.tsk_meta.nt_seconds`).

Metadata comes from TSK, from pyfsapfs for APFS volumes (as ``fls -P apfs -m``
writes them, link targets included), and from the shadow copy itself when one
is asked for, so an earlier version of a file shows its own times and size.
"""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytsk3

from forensics_kit.disk.apfs import ApfsFileSystem, apfs_entry, apfs_times
from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.records import FileRecord
from forensics_kit.disk.tsk_meta import (
    APFS_META_TYPE,
    ATTR_FNAME,
    ATTR_SI,
    META_CHARS,
    NAME_CHARS,
    four_times,
    is_tsk_file_name,
    mode_string,
    resident_bytes,
)
from forensics_kit.disk.walker import OpenFileSystem
from forensics_kit.errors import ForensicsKitError

_META_ALLOC = int(pytsk3.TSK_FS_META_FLAG_ALLOC)
_META_VIRT = int(pytsk3.TSK_FS_META_TYPE_VIRT)
_META_VIRT_DIR = int(pytsk3.TSK_FS_META_TYPE_VIRT_DIR)
_KIND_NAME_CHAR = {"file": "r", "dir": "d"}
_ATTR_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_ATTR_IDXROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
_MACB = "macb"

Progress = Callable[[str, int, int], None]


@dataclass(slots=True, frozen=True)
class BodyEntry:
    """One bodyfile line: a name and its metadata's times (epoch seconds, 0 = not set)."""

    name: str  # as fls -m writes it: "/path", " (deleted)" appended for a deleted name
    inode: int
    mode: str  # "r/rrw-r--r--": name type / metadata type and permissions
    uid: int
    gid: int
    size: int
    atime: int
    mtime: int
    ctime: int
    crtime: int
    partition: int | None = None
    md5: str = "0"
    attr: str | None = None  # NTFS: "TYPE-ID" of the attribute the line is about ("128-4"), None elsewhere

    @property
    def address(self) -> str:
        """The inode column as fls -m writes it: ``77`` or, on NTFS, ``77-128-4``."""
        return f"{self.inode}-{self.attr}" if self.attr else str(self.inode)

    def to_line(self) -> str:
        """The bodyfile line (TSK 3.x+ format), without the newline."""
        return (
            f"{self.md5}|{self.name}|{self.address}|{self.mode}|{self.uid}|{self.gid}|{self.size}"
            f"|{self.atime}|{self.mtime}|{self.ctime}|{self.crtime}"
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True, frozen=True)
class TimelineEvent:
    """One row of a timeline: a file and the time stamps (``m``, ``a``, ``c``, ``b``) that share a time."""

    time: str  # ISO 8601 in the display zone ("Z" for UTC)
    epoch: int
    macb: str  # "m.c." like mactime
    size: int
    mode: str
    uid: int
    gid: int
    inode: int
    name: str
    partition: int | None = None
    attr: str | None = None  # NTFS: the attribute's "TYPE-ID", as in :class:`BodyEntry`

    @property
    def address(self) -> str:
        """The inode column as mactime prints it: ``77`` or, on NTFS, ``77-48-3``."""
        return f"{self.inode}-{self.attr}" if self.attr else str(self.inode)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True, frozen=True)
class _NtfsAttributes:
    """An NTFS entry's attributes as fls -m writes them."""

    sizes: dict[tuple[int, int], int]  # (type, id) of each $DATA and index root -> its size
    first: tuple[int, int] | None  # the one whose line also brings the $FILE_NAME line (None: there is none)
    file_name: tuple[int, int, tuple[int, int, int, int]] | None  # (id, size, (atime, mtime, ctime, crtime))


@dataclass(slots=True, frozen=True)
class _Meta:
    """What the bodyfile lines of one inode take from its metadata."""

    meta_type: int
    mode: int
    uid: int
    gid: int
    size: int
    times: tuple[int, int, int, int]  # atime, mtime, ctime, crtime: the bodyfile's order
    flags: int
    link: str | None  # a symbolic link's target, which fls -m writes after the name
    ntfs: _NtfsAttributes | None = None


def _tsk_text(text: str) -> str:
    """Control characters become '^', as fls prints names."""
    return "".join("^" if ord(ch) < 0x20 else ch for ch in text)


def bodyfile(
    img: DiskImage, partition: int | None = None, progress: Progress | None = None, *, shadow: int | None = None
) -> Iterator[BodyEntry]:
    """Yield the bodyfile entries of one or every file system, as ``fls -r -m /`` writes them.

    Args:
        img: the opened image.
        partition: partition index; None means every file system.
        progress: ``progress("timeline", entries_done, 0)`` every 1000 entries.
        shadow: the volume shadow copy (from 1) of the NTFS volume to list instead of its current state.

    Raises:
        NotFoundError: no such partition or shadow copy.
    """
    sources: dict[int | None, OpenFileSystem | ApfsFileSystem] = {}
    cache: dict[tuple[int | None, int], _Meta | None] = {}
    for done, record in enumerate(img.walk(partition, shadow=shadow), 1):
        if progress is not None and done % 1000 == 0:
            progress("timeline", done, 0)
        key = (record.partition, record.inode)
        meta = cache.get(key, ...)
        if meta is ...:
            ofs = sources.get(record.partition)
            if ofs is None:  # the file system the walk listed, so times come from the same state
                ofs = sources[record.partition] = img._source(record.partition, shadow)  # noqa: SLF001
            meta = cache[key] = _apfs_meta(ofs, record.inode) if isinstance(ofs, ApfsFileSystem) else _meta(
                ofs, record.inode
            )
        yield from _lines(record, meta)


def _name_char(record: FileRecord, meta_type: int, meta_char: str) -> str:
    """The mode's first letter: the directory entry's own type, as fls prints it."""
    if 0 <= record.name_type < len(NAME_CHARS):
        return NAME_CHARS[record.name_type]
    # Records TSK did not list (APFS): the kind the record gives, virtual entries by their metadata.
    if meta_type in (_META_VIRT, _META_VIRT_DIR):
        return meta_char
    return _KIND_NAME_CHAR.get(record.type, meta_char)


def _lines(record: FileRecord, meta: _Meta | None) -> Iterator[BodyEntry]:
    """The bodyfile lines of one record: its own and, for an NTFS name's first attribute, its $FILE_NAME line."""
    name = "/" + _tsk_text(record.path).lstrip("/")
    if meta is None:
        if not record.allocated:
            name += " (deleted)"
        char = NAME_CHARS[record.name_type] if 0 <= record.name_type < len(NAME_CHARS) else (
            _KIND_NAME_CHAR.get(record.type, "-")
        )
        yield BodyEntry(name, record.inode, f"{char}/----------", 0, 0, 0, 0, 0, 0, 0, record.partition)
        return
    suffix = " -> " + _tsk_text(meta.link) if meta.link else ""
    if not record.allocated:
        suffix += " (deleted-realloc)" if meta.flags & _META_ALLOC else " (deleted)"
    meta_type = meta.meta_type
    meta_char = META_CHARS[meta_type] if 0 <= meta_type < len(META_CHARS) else "-"
    mode = mode_string(_name_char(record, meta_type, meta_char), meta_char, meta.mode)
    size = record.size if record.stream is not None else meta.size
    ntfs = meta.ntfs
    attr = None
    if ntfs is not None and record.attr is not None:
        size = ntfs.sizes.get(record.attr, size)
        attr = f"{record.attr[0]}-{record.attr[1]}"
    yield BodyEntry(
        name + suffix, record.inode, mode, meta.uid, meta.gid, size, *meta.times, record.partition, attr=attr
    )
    if ntfs is not None and ntfs.file_name is not None and record.attr == ntfs.first:
        fn_id, fn_size, fn_times = ntfs.file_name
        if record.stream is not None:  # the name's first attribute is a named stream ($Secure:$SDS)
            name = name[: -len(_tsk_text(record.stream)) - 1]
        yield BodyEntry(
            f"{name} ($FILE_NAME){suffix}", record.inode, mode, meta.uid, meta.gid, fn_size, *fn_times,
            record.partition, attr=f"{ATTR_FNAME}-{fn_id}",
        )


def _meta(ofs: OpenFileSystem, inode: int) -> _Meta | None:
    """An inode's metadata from TSK; on NTFS its attributes and the times fls -m writes.

    Inode 0 is a real entry on NTFS ($MFT) and "no metadata" where numbering starts higher.
    """
    info = ofs.fs.info
    if not info.first_inum <= inode <= info.last_inum or (inode == 0 and info.first_inum > 0):
        return None
    try:
        file = ofs.fs.open_meta(inode=inode)
        meta = file.info.meta
    except (OSError, RuntimeError):
        return None
    if meta is None:
        return None
    link = meta.link
    times = (max(0, int(meta.atime)), max(0, int(meta.mtime)), max(0, int(meta.ctime)), max(0, int(meta.crtime)))
    ntfs = None
    if ofs.is_ntfs:
        ntfs, si_times = _ntfs_attributes(file)
        times = si_times or times
    return _Meta(
        int(meta.type), int(meta.mode), int(meta.uid), int(meta.gid), int(meta.size), times, int(meta.flags),
        link.decode("utf-8", "backslashreplace") if link else None, ntfs,
    )


def _ntfs_attributes(file: pytsk3.File) -> tuple[_NtfsAttributes, tuple[int, int, int, int] | None]:
    """The attributes fls -m writes lines for, and the $STANDARD_INFORMATION times as it converts them.

    The $FILE_NAME line is the one TSK took the $FILE_NAME times from: the last $FILE_NAME
    attribute of the entry that is not a DOS 8.3 alias.
    """
    sizes: dict[tuple[int, int], int] = {}
    first: tuple[int, int] | None = None
    file_name = None
    si_times = None
    for attr in file:
        info = attr.info
        atype, aid, size = int(info.type), int(info.id), int(info.size)
        if atype == _ATTR_DATA or atype == _ATTR_IDXROOT:
            sizes[(atype, aid)] = size
            first = first or (atype, aid)
        elif atype == ATTR_SI:
            si_times = four_times(resident_bytes(file, atype, aid, size), 0) or si_times
        elif atype == ATTR_FNAME:
            raw = resident_bytes(file, atype, aid, size)
            fn_times = four_times(raw, 8)  # after the parent directory's reference
            if fn_times is not None and is_tsk_file_name(raw):
                file_name = (aid, size, fn_times)
    return _NtfsAttributes(sizes, first, file_name), si_times


def _apfs_meta(afs: ApfsFileSystem, inode: int) -> _Meta | None:
    """The same fields from pyfsapfs: times in whole seconds and a symbolic link's target, as fls -m writes them."""
    try:
        entry = apfs_entry(afs, None, inode)
        file_mode = int(entry.file_mode or 0)
        mtime, _, atime, _, ctime, _, crtime, _ = (max(0, value) for value in apfs_times(entry))
        link = entry.symbolic_link_target if stat.S_ISLNK(file_mode) else None
        uid, gid = int(entry.owner_identifier), int(entry.group_identifier)
        size = int(entry.size or 0)
    except (ForensicsKitError, OSError, RuntimeError):
        return None
    meta_type = APFS_META_TYPE.get(stat.S_IFMT(file_mode), 0)
    return _Meta(meta_type, stat.S_IMODE(file_mode), uid, gid, size, (atime, mtime, ctime, crtime), _META_ALLOC, link)


def zone(name: str) -> tzinfo:
    """An IANA time zone (``Europe/Moscow``) or UTC; unknown names are a one-line error."""
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ForensicsKitError(f"unknown time zone {name!r} (use an IANA name such as Europe/Moscow or UTC)") from exc


def parse_bound(text: str, tz: tzinfo, end: bool = False) -> int:
    """Epoch seconds of a ``--from``/``--to`` value: an ISO date or date-time, zone-less ones read in ``tz``.

    A date alone means the whole day: its start for ``--from``, its end for ``--to``.
    """
    raw = text.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            moment = datetime.combine(day + timedelta(days=1) if end else day, time(0), tz)
            return int(moment.timestamp()) - (1 if end else 0)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ForensicsKitError(f"{text!r} is not an ISO date or time (e.g. 2024-03-01 or 2024-03-01T10:00)") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return int(moment.timestamp())


def _format(epoch: int, tz: tzinfo) -> str:
    try:
        moment = datetime.fromtimestamp(epoch, UTC).astimezone(tz)
    except (OverflowError, OSError, ValueError):
        return str(epoch)
    if tz is UTC:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.isoformat()


def timeline(
    entries: Iterable[BodyEntry],
    *,
    start: int | None = None,
    end: int | None = None,
    tz: tzinfo | str = UTC,
) -> list[TimelineEvent]:
    """Sort bodyfile entries into a MACB timeline, like ``mactime -d``.

    Args:
        entries: from :func:`bodyfile` (or any bodyfile).
        start, end: keep times within [start, end] (epoch seconds, inclusive).
        tz: display zone (the times themselves are absolute).
    """
    zone_info = zone(tz) if isinstance(tz, str) else tz
    events: list[TimelineEvent] = []
    for entry in entries:
        stamps: dict[int, list[str]] = {}
        for letter, value in zip(_MACB, (entry.mtime, entry.atime, entry.ctime, entry.crtime), strict=True):
            if value > 0:
                stamps.setdefault(value, ["."] * 4)[_MACB.index(letter)] = letter
        for epoch, letters in stamps.items():
            if (start is not None and epoch < start) or (end is not None and epoch > end):
                continue
            events.append(
                TimelineEvent(
                    _format(epoch, zone_info), epoch, "".join(letters), entry.size, entry.mode,
                    entry.uid, entry.gid, entry.inode, entry.name, entry.partition, entry.attr,
                )
            )
    events.sort(key=lambda e: (e.epoch, e.name, e.inode))
    return events
