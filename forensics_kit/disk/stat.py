"""Everything about one entry, like TSK's ``istat``: metadata, times, NTFS attributes and where the content lies.

A trainee asks "when was this file really created?" (on NTFS: compare the
$STANDARD_INFORMATION times with the $FILE_NAME ones, the timestomp check) and
"at which sector does this deleted file's content start?" (to ``dd`` or
``blkcat`` it). :func:`stat_entry` answers both in one typed record. Metadata
comes from TSK as ``istat`` reads it, deleted entries included (their runs are
what TSK still knows), and from pyfsapfs for APFS volumes.

Blocks are the file system's own units (FAT: sectors, as TSK numbers them; ext:
blocks; NTFS: clusters); each run also gives the image byte offset and 512-byte
sector of its first block, the partition's offset included.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from typing import Any

import pytsk3

from forensics_kit.disk.apfs import ApfsFileSystem, apfs_entry, apfs_times
from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.records import _iso
from forensics_kit.disk.shadows import ShadowFileSystem
from forensics_kit.disk.tsk_meta import (
    APFS_META_TYPE,
    ATTR_FNAME,
    META_CHARS,
    filetime_iso,
    filetimes,
    is_tsk_file_name,
    mode_string,
    resident_bytes,
)
from forensics_kit.disk.walker import OpenFileSystem, open_content, resolve_path
from forensics_kit.errors import NotFoundError

SECTOR = 512  # the unit of ``-o``/``dd skip=``, whatever the volume system says
_META_ALLOC = int(pytsk3.TSK_FS_META_FLAG_ALLOC)
_RES = int(pytsk3.TSK_FS_ATTR_RES)
_NO_DISK = int(pytsk3.TSK_FS_ATTR_RUN_FLAG_SPARSE) | int(pytsk3.TSK_FS_ATTR_RUN_FLAG_FILLER)
_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_IDXROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
_IDXALLOC = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXALLOC)
_DEFAULT = int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT)
_KIND = {
    int(pytsk3.TSK_FS_META_TYPE_REG): "file", int(pytsk3.TSK_FS_META_TYPE_DIR): "dir",
    int(pytsk3.TSK_FS_META_TYPE_VIRT_DIR): "dir", int(pytsk3.TSK_FS_META_TYPE_LNK): "link",
}
# Attribute type names as istat prints them (NTFS), with TSK's own for the other file systems.
_ATTR_NAMES = {
    1: "DEFAULT", 16: "$STANDARD_INFORMATION", 32: "$ATTRIBUTE_LIST", 48: "$FILE_NAME", 64: "$OBJECT_ID",
    80: "$SECURITY_DESCRIPTOR", 96: "$VOLUME_NAME", 112: "$VOLUME_INFORMATION", 128: "$DATA", 144: "$INDEX_ROOT",
    160: "$INDEX_ALLOCATION", 176: "$BITMAP", 192: "$REPARSE_POINT", 208: "$EA_INFORMATION", 224: "$EA",
    240: "$PROPERTY_SET", 256: "$LOGGED_UTILITY_STREAM", 4097: "UNIX_INDIR", 4098: "UNIX_EXTENT", 4352: "DATA",
    4353: "RSRC", 4354: "EXT_ATTR", 4355: "COMP_REC",
}
_NAMESPACES = {0: "POSIX", 1: "Win32", 2: "DOS", 3: "Win32 & DOS"}
_TIME_KEYS = ("mtime", "atime", "ctime", "crtime")
_APFS_SPARSE = 0x1  # libfsapfs: LIBFSAPFS_EXTENT_FLAG_IS_SPARSE


@dataclass(slots=True, frozen=True)
class Run:
    """``count`` blocks from block ``first``, holding the content from block ``offset`` on.

    ``sparse`` runs (holes, or blocks TSK could not place) have nothing on disk: their
    ``image_offset`` and ``sector`` are None, as they are in a shadow copy, whose blocks
    live in the copy's store rather than at an image offset.
    """

    offset: int
    first: int
    count: int
    sparse: bool = False
    image_offset: int | None = None

    @property
    def sector(self) -> int | None:
        """The 512-byte sector of the image the run starts at (``dd skip=``, ``blkcat`` after ``-o``)."""
        return None if self.image_offset is None else self.image_offset // SECTOR

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "offset": self.offset, "first": self.first, "count": self.count, "sparse": self.sparse,
            "image_offset": self.image_offset, "sector": self.sector,
        }


@dataclass(slots=True, frozen=True)
class Attribute:
    """One attribute of an entry as istat lists it: ``Type: $DATA (128-2)   Name: N/A   Non-Resident   size: ...``."""

    type: int
    type_name: str
    id: int
    name: str | None
    resident: bool
    size: int
    runs: tuple[Run, ...] = ()

    @property
    def address(self) -> str:
        """``TYPE-ID`` as istat and fls print it (``128-2``)."""
        return f"{self.type}-{self.id}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "type": self.type, "type_name": self.type_name, "id": self.id, "name": self.name,
            "resident": self.resident, "size": self.size, "runs": [r.to_dict() for r in self.runs],
        }


@dataclass(slots=True, frozen=True)
class FileName:
    """One NTFS $FILE_NAME attribute: the name, its parent and the four times Windows rarely lets tools change."""

    attr_id: int
    name: str
    namespace: str
    parent: int
    parent_sequence: int
    times: dict[str, str | None]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "attr_id": self.attr_id, "name": self.name, "namespace": self.namespace, "parent": self.parent,
            "parent_sequence": self.parent_sequence, "times": dict(self.times),
        }


@dataclass(slots=True, frozen=True)
class ContentBlocks:
    """Where the content (what ``fklab disk cat``/``icat`` reads) lies.

    Attributes:
        block_size: bytes per block of the file system (FAT: per sector, TSK's unit there).
        runs: the content's runs; empty for an empty or resident file.
        resident: the content sits inside the NTFS MFT entry itself (no blocks).
        attribute: ``TYPE-ID`` of the NTFS attribute read (``128-2``), None elsewhere.
    """

    block_size: int
    runs: tuple[Run, ...]
    resident: bool = False
    attribute: str | None = None

    @property
    def first(self) -> Run | None:
        """The first run with blocks on disk (where the content starts)."""
        return next((r for r in self.runs if not r.sparse), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict; ``first_block``, ``image_offset`` and ``sector`` say where the content starts."""
        first = self.first
        return {
            "block_size": self.block_size, "resident": self.resident, "attribute": self.attribute,
            "first_block": first.first if first else None,
            "image_offset": first.image_offset if first else None,
            "sector": first.sector if first else None,
            "runs": [r.to_dict() for r in self.runs],
        }


@dataclass(slots=True, frozen=True)
class EntryStat:
    """One entry's metadata, as ``istat`` shows it.

    Times are ISO 8601 UTC as the kit's records give them (None: no such time);
    on NTFS they are $STANDARD_INFORMATION's, ``file_name_times`` are those of the
    $FILE_NAME attribute fls -m uses (the last that is not a DOS 8.3 alias) and
    ``file_names`` lists every $FILE_NAME. ``blocks`` is None when the back-end
    cannot say where the content lies (an APFS file stored inline or compressed).
    ``uid`` is TSK's (on NTFS what fls -m writes, not the $SI owner id); ``size`` is a named
    stream's when the path names one, as in the kit's records. APFS times are pyfsapfs's,
    as the kit's records give them: it and TSK's istat disagree on which of two sub-second
    values is creation and which modification (sleuthkit issue 2068 shows the same).
    """

    partition: int | None
    filesystem: str
    inode: int
    path: str | None
    allocated: bool
    type: str
    size: int
    mode: str
    mode_octal: str
    uid: int
    gid: int
    links: int
    sequence: int | None
    times: dict[str, str | None]
    file_name_times: dict[str, str | None] | None
    file_names: tuple[FileName, ...]
    attributes: tuple[Attribute, ...]
    blocks: ContentBlocks | None
    link_target: str | None = None
    shadow: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "partition": self.partition, "filesystem": self.filesystem, "shadow": self.shadow, "inode": self.inode,
            "path": self.path, "allocated": self.allocated, "type": self.type, "size": self.size, "mode": self.mode,
            "mode_octal": self.mode_octal, "uid": self.uid, "gid": self.gid, "links": self.links,
            "sequence": self.sequence, "link_target": self.link_target, **self.times,
            "file_name_times": dict(self.file_name_times) if self.file_name_times is not None else None,
            "file_names": [f.to_dict() for f in self.file_names],
            "attributes": [a.to_dict() for a in self.attributes],
            "blocks": self.blocks.to_dict() if self.blocks is not None else None,
        }


def stat_entry(
    img: DiskImage, path: str | None = None, *, inode: int | None = None, partition: int | None = None,
    shadow: int | None = None,
) -> EntryStat:
    """Describe one entry by path or inode, deleted ones included, like ``istat``.

    A path may name an NTFS stream (``/file.txt:stream``): its blocks are then the stream's.

    Raises:
        ValueError: neither or both of path and inode.
        NotFoundError: no such partition, shadow copy, path or inode (inode 0 where
            numbering starts higher, out of range, a deleted name without metadata).
        EvidenceError: an encrypted APFS volume.
    """
    if (path is None) == (inode is None):
        raise ValueError("give exactly one of path or inode")
    img._check_open()  # noqa: SLF001 - the image's own guard
    ofs = img._source(partition, shadow)  # noqa: SLF001 - the file system walk() lists, shadow copies too
    if isinstance(ofs, ApfsFileSystem):
        return _apfs_stat(ofs, apfs_entry(ofs, path, inode), path)
    stream = None
    if path is not None:
        inode, stream = resolve_path(ofs, path)
    label = path if path is not None else f"inode {inode}"
    file, attr_type, attr_id, size = open_content(ofs, int(inode), stream, label)
    return _tsk_stat(ofs, file, int(inode), path, size, (attr_type, attr_id))


def _tsk_stat(
    ofs: OpenFileSystem, file: pytsk3.File, inode: int, path: str | None, size: int, content: tuple[int, int]
) -> EntryStat:
    meta = file.info.meta
    meta_type = int(meta.type)
    meta_char = META_CHARS[meta_type] if 0 <= meta_type < len(META_CHARS) else "-"
    mode = int(meta.mode)
    base = None if isinstance(ofs, ShadowFileSystem) else ofs.info.offset
    attributes = tuple(_attribute(attr, ofs.info.block_size, base) for attr in file)
    names: tuple[FileName, ...] = ()
    fn_times = None
    if ofs.is_ntfs:
        names, fn_times = _file_names(file)
    raw = (meta.mtime, meta.mtime_nano, meta.atime, meta.atime_nano, meta.ctime, meta.ctime_nano,
           meta.crtime, meta.crtime_nano)
    link = meta.link
    return EntryStat(
        ofs.info.partition, ofs.info.type, inode, path, bool(int(meta.flags) & _META_ALLOC),
        _KIND.get(meta_type, "other"), int(size), mode_string("-", meta_char, mode)[2:], f"{stat.S_IMODE(mode):04o}",
        int(meta.uid), int(meta.gid), int(meta.nlink), int(meta.seq) if ofs.is_ntfs else None,
        {key: _iso(int(raw[2 * i]), int(raw[2 * i + 1])) for i, key in enumerate(_TIME_KEYS)},
        fn_times, names, attributes, _content_blocks(ofs, attributes, meta_type, *content),
        link.decode("utf-8", "backslashreplace") if link else None,
        getattr(ofs, "shadow", None),
    )


def _attribute(attr: pytsk3.Attribute, block_size: int, base: int | None) -> Attribute:
    info = attr.info
    atype = int(info.type)
    raw_name = info.name
    name = raw_name.decode("utf-8", "backslashreplace") if raw_name else None
    resident = bool(int(info.flags) & _RES)
    runs: list[Run] = []
    if not resident:
        for run in attr:
            if int(run.len) <= 0:
                continue
            first, sparse = int(run.addr), bool(int(run.flags) & _NO_DISK)
            where = None if sparse or base is None else base + first * block_size
            runs.append(Run(int(run.offset), first, int(run.len), sparse, where))
    type_name = _ATTR_NAMES.get(atype, str(atype))
    return Attribute(atype, type_name, int(info.id), name, resident, int(info.size), tuple(runs))


def _content_blocks(
    ofs: OpenFileSystem, attributes: tuple[Attribute, ...], meta_type: int, atype: int, aid: int
) -> ContentBlocks:
    """The runs of the attribute ``icat`` reads: a named stream's, else TSK's default (an NTFS folder: its index)."""
    chosen = None
    if aid >= 0:
        chosen = next((a for a in attributes if a.type == atype and a.id == aid), None)
    elif ofs.is_ntfs:
        wanted = (_IDXALLOC, _IDXROOT) if _KIND.get(meta_type) == "dir" else (_DATA,)
        for kind in wanted:
            chosen = chosen or next((a for a in attributes if a.type == kind and (kind != _DATA or not a.name)), None)
    else:
        chosen = next((a for a in attributes if a.type == _DEFAULT), attributes[0] if attributes else None)
    if chosen is None:
        return ContentBlocks(ofs.info.block_size, ())
    return ContentBlocks(
        ofs.info.block_size, chosen.runs, chosen.resident, chosen.address if ofs.is_ntfs else None
    )


def _file_names(file: pytsk3.File) -> tuple[tuple[FileName, ...], dict[str, str | None] | None]:
    """Every $FILE_NAME of an NTFS entry, and the times of the one TSK (fls -m, timeline) takes."""
    names: list[FileName] = []
    chosen = None
    for attr in file:
        info = attr.info
        if int(info.type) != ATTR_FNAME:
            continue
        raw = resident_bytes(file, ATTR_FNAME, int(info.id), int(info.size))
        stored = filetimes(raw, 8)
        if stored is None or len(raw) < 66:
            continue
        created, modified, changed, accessed = stored
        times = dict(zip(_TIME_KEYS, map(filetime_iso, (modified, accessed, changed, created)), strict=True))
        parent = int.from_bytes(raw[0:6], "little")
        name = raw[66 : 66 + 2 * raw[64]].decode("utf-16-le", "replace")
        namespace = _NAMESPACES.get(raw[65], str(raw[65]))
        names.append(FileName(int(info.id), name, namespace, parent, int.from_bytes(raw[6:8], "little"), times))
        if is_tsk_file_name(raw):
            chosen = times
    return tuple(names), chosen


def _apfs_stat(afs: ApfsFileSystem, entry: Any, path: str | None) -> EntryStat:
    """What pyfsapfs tells: metadata and times; the blocks of the file's extents when it has them."""
    try:
        file_mode = int(entry.file_mode or 0)
        raw = apfs_times(entry)
        times = {key: _iso(raw[2 * i], raw[2 * i + 1]) for i, key in enumerate(_TIME_KEYS)}
        size = int(entry.size or 0)
        link = entry.symbolic_link_target if stat.S_ISLNK(file_mode) else None
        fields = (int(entry.identifier), int(entry.owner_identifier), int(entry.group_identifier),
                  int(entry.number_of_links or 0))
    except (OSError, RuntimeError) as exc:
        raise NotFoundError(f"{path or 'entry'}: cannot read its metadata in the {afs.where()}: {exc}") from exc
    meta_type = APFS_META_TYPE.get(stat.S_IFMT(file_mode), 0)
    kind = {1: "file", 2: "dir", 6: "link"}.get(meta_type, "other")
    return EntryStat(
        afs.info.partition, afs.info.type, fields[0], path, True, kind, size,
        mode_string("-", META_CHARS[meta_type], file_mode)[2:], f"{stat.S_IMODE(file_mode):04o}", fields[1], fields[2],
        fields[3], None, times, None, (), (), _apfs_blocks(afs, entry, size), link,
    )


def _apfs_blocks(afs: ApfsFileSystem, entry: Any, size: int) -> ContentBlocks | None:
    """The file's extents as runs; None when pyfsapfs gives none for a non-empty file (inline or compressed data)."""
    block_size = afs.info.block_size
    runs: list[Run] = []
    offset = 0
    try:
        count = int(entry.number_of_extents or 0)
        for index in range(count):
            start, length, flags = entry.get_extent(index)
            blocks, sparse = -(-int(length) // block_size), bool(int(flags) & _APFS_SPARSE)
            where = None if sparse else afs.info.offset + int(start)
            runs.append(Run(offset, int(start) // block_size, blocks, sparse, where))
            offset += blocks
    except (OSError, RuntimeError, TypeError, ValueError):
        return None
    if not runs and size > 0:
        return None
    return ContentBlocks(block_size, tuple(runs))
