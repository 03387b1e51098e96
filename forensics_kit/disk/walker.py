"""Walk one file system with pytsk3 the way ``fls -r -p`` does, and find and read files.

The walk uses pytsk3 directly (not dfvfs's generic entries, which drop deleted
names and cost an object per entry): every name TSK reports is listed, deleted
ones and TSK's virtual ``$OrphanFiles`` folder included, and it recurses under
the same rule as TSK's own directory walk, so the result matches ``fls``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytsk3

from forensics_kit.disk.containers import one_line
from forensics_kit.disk.labels import is_case_insensitive
from forensics_kit.disk.records import FileRecord, FileSystemInfo, _iso  # noqa: F401 - _iso re-exported for tests
from forensics_kit.errors import EvidenceError, NotFoundError

# Control characters (newline, NUL...) in a name become "^", as fls prints them, so a path is one line.
# They are replaced after decoding: UTF-8 never uses those bytes inside a character, and every
# other byte that fails to decode becomes a "\xNN" escape, so the text is the same either way.
_CONTROL_TEXT = re.compile("[\x00-\x1f]")
MAX_DEPTH = 512  # deeper than any real tree; stops pathological or crafted nesting

_NAME_DIR = int(pytsk3.TSK_FS_NAME_TYPE_DIR)
_NAME_UNDEF = int(pytsk3.TSK_FS_NAME_TYPE_UNDEF)
_NAME_VIRT_DIR = int(pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR)
_META_DIR = int(pytsk3.TSK_FS_META_TYPE_DIR)
_META_VIRT_DIR = int(pytsk3.TSK_FS_META_TYPE_VIRT_DIR)
_NAME_ALLOC = int(pytsk3.TSK_FS_NAME_FLAG_ALLOC)
_META_UNALLOC = int(pytsk3.TSK_FS_META_FLAG_UNALLOC)
_ATTR_DATA = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_DATA)
_ATTR_IDXROOT = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_IDXROOT)
_ATTR_DEFAULT = int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT)

# Name types (TSK_FS_NAME_TYPE_*) mapped to our three kinds; the rest are "other".
_NAME_KIND = {int(pytsk3.TSK_FS_NAME_TYPE_REG): "file", _NAME_DIR: "dir", _NAME_VIRT_DIR: "dir"}
_DIR_NAME_TYPES = frozenset({_NAME_DIR, _NAME_UNDEF, _NAME_VIRT_DIR})
_META_KIND = {int(pytsk3.TSK_FS_META_TYPE_REG): "file", _META_DIR: "dir", _META_VIRT_DIR: "dir"}


@dataclass(slots=True)
class OpenFileSystem:
    """A file system opened with TSK, with what the walker needs to know about it."""

    fs: pytsk3.FS_Info
    info: FileSystemInfo
    image_path: str
    warnings: list[str] = field(default_factory=list)

    @property
    def is_ntfs(self) -> bool:
        return self.info.type == "NTFS"

    def where(self) -> str:
        """Describe the file system for messages: ``ext4 file system in partition 2``."""
        if self.info.partition is None:
            return f"{self.info.type} file system"
        return f"{self.info.type} file system in partition {self.info.partition}"


def _decode(raw: bytes) -> str:
    """A name as fls prints it: UTF-8 (bad bytes as ``\\xNN``), control characters as ``^``.

    :func:`walk_filesystem` does the same inline, once per entry of a listing.
    """
    try:
        name = raw.decode()
    except UnicodeDecodeError:
        name = raw.decode("utf-8", "backslashreplace")
    return name if name.isprintable() else _CONTROL_TEXT.sub("^", name)


def _entries(directory: pytsk3.Directory) -> Iterator[pytsk3.File]:
    """Iterate a directory once; a pytsk3 Directory restarts at each ``iter()``.

    A callable iterator over its ``__next__`` resumes where it stopped (the walk leaves
    a listing to descend and comes back), without a generator frame per entry.
    """
    return iter(directory.__next__, None)


def walk_filesystem(ofs: OpenFileSystem) -> Iterator[FileRecord]:
    """Yield every name in the file system, depth first, like ``fls -r -p``.

    Unreadable directories are skipped with a warning in ``ofs.warnings``.
    """
    fs = ofs.fs
    partition = ofs.info.partition
    ntfs = ofs.is_ntfs
    root = fs.info.root_inum
    try:
        first = _entries(fs.open_dir(inode=root))
    except OSError as exc:
        raise EvidenceError(
            ofs.image_path, f"cannot read the root directory of the {ofs.where()}: {one_line(exc)}"
        ) from exc
    stack: list[tuple[Iterator, str]] = [(first, "/")]
    ancestors: list[int] = [root]  # directories on the current path, as TSK checks loops
    record, name_kind, meta_kind, new = FileRecord, _NAME_KIND.get, _META_KIND.get, object.__new__
    while stack:
        entries, prefix = stack[-1]
        descend: tuple[int, str] | None = None
        try:
            for entry in entries:
                info = entry.info
                name_info = info.name
                raw = name_info.name
                if raw == b"." or raw == b"..":
                    continue
                try:
                    name = raw.decode()  # the common case, UTF-8 without escapes, at the fastest call
                except UnicodeDecodeError:
                    name = raw.decode("utf-8", "backslashreplace")
                if not name.isprintable():  # control characters are unprintable: rare, then checked
                    name = _CONTROL_TEXT.sub("^", name)
                path = prefix + name
                addr = name_info.meta_addr
                name_type = name_info.type
                allocated = name_info.flags & _NAME_ALLOC != 0
                meta = info.meta
                if meta is None and addr:
                    # TSK leaves orphan files' metadata unloaded in a listing; fls loads it.
                    entry, meta = _load_meta(fs, entry, addr)
                if meta is None:
                    yield record(
                        partition, path, name, addr, 0, name_kind(name_type, "other"), allocated, name_type=name_type
                    )
                    continue
                meta_type = meta.type
                kind = name_kind(name_type) or meta_kind(meta_type, "other")
                # Raw integers: the ISO text is made only when a caller asks for it.
                times = (meta.mtime, meta.mtime_nano, meta.atime, meta.atime_nano,
                         meta.ctime, meta.ctime_nano, meta.crtime, meta.crtime_nano)
                if ntfs:
                    yield from _ntfs_records(
                        entry, partition, path, name, addr, meta.size, kind, allocated, times, name_type
                    )
                else:
                    # FileRecord(partition, path, name, addr, meta.size, kind, allocated, times, None, name_type)
                    # without the class call, the dearest step of a record (see test_walk's field check).
                    rec = new(record)
                    rec.partition = partition
                    rec.path = path
                    rec.name = name
                    rec.inode = addr
                    rec.size = meta.size
                    rec.type = kind
                    rec.allocated = allocated
                    rec.raw_times = times
                    rec.stream = None
                    rec.name_type = name_type
                    rec.attr = None
                    yield rec
                # Recurse as TSK's dir walk does: a directory by name and metadata, whose
                # name is allocated or whose name and metadata are both deleted.
                if (
                    (meta_type == _META_DIR or meta_type == _META_VIRT_DIR)
                    and name_type in _DIR_NAME_TYPES
                    and (allocated or meta.flags & _META_UNALLOC)
                    and addr not in ancestors
                ):
                    descend = (addr, path)
                    break
        except (OSError, RuntimeError) as exc:
            ofs.warnings.append(f"{ofs.where()}: {prefix}: directory listing cut short: {one_line(exc)}")
            descend = None
        if descend is None:
            stack.pop()
            ancestors.pop()
            continue
        addr, path = descend
        if len(stack) >= MAX_DEPTH:
            ofs.warnings.append(f"{ofs.where()}: {path}: deeper than {MAX_DEPTH} levels, skipped")
            continue
        try:
            children = _entries(fs.open_dir(inode=addr))
        except (OSError, RuntimeError) as exc:
            ofs.warnings.append(f"{ofs.where()}: {path}: cannot list directory: {one_line(exc)}")
            continue
        stack.append((children, path + "/"))
        ancestors.append(addr)


def _load_meta(fs: pytsk3.FS_Info, entry: pytsk3.File, addr: int) -> tuple[pytsk3.File, object]:
    """Open an entry's metadata by address; (entry, None) when it cannot be read."""
    try:
        opened = fs.open_meta(inode=addr)
    except (OSError, RuntimeError):
        return entry, None
    return opened, opened.info.meta


def _ntfs_records(
    entry: pytsk3.File,
    partition: int | None,
    path: str,
    name: str,
    addr: int,
    size: int,
    kind: str,
    allocated: bool,
    times: tuple[int, int, int, int, int, int, int, int],
    name_type: int,
) -> Iterator[FileRecord]:
    """One record per $DATA stream and index root of an NTFS entry, as fls lists them, each with its attribute."""
    printed = False
    for attr in entry:
        ainfo = attr.info
        atype = ainfo.type
        if atype != _ATTR_DATA and atype != _ATTR_IDXROOT:
            continue
        printed = True
        stream = ainfo.name
        if stream and not (atype == _ATTR_IDXROOT and stream == b"$I30"):
            stream_name = _decode(stream)
            yield FileRecord(
                partition, f"{path}:{stream_name}", f"{name}:{stream_name}", addr, ainfo.size, kind, allocated,
                times, stream_name, name_type, (atype, ainfo.id),
            )
        else:
            yield FileRecord(
                partition, path, name, addr, size, kind, allocated, times, None, name_type, (atype, ainfo.id)
            )
    if not printed:
        yield FileRecord(partition, path, name, addr, size, kind, allocated, times, None, name_type)


def resolve_path(ofs: OpenFileSystem, path: str) -> tuple[int, str | None]:
    """Find the inode (and NTFS stream name) a path from :func:`walk_filesystem` names.

    An allocated name wins over a deleted one of the same name; names match
    exactly, or regardless of case on file systems that ignore case.

    Raises:
        NotFoundError: a component is missing or is not a directory.
    """
    parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
    stream = None
    if ofs.is_ntfs and parts and ":" in parts[-1]:
        parts[-1], stream = parts[-1].split(":", 1)
    current = ofs.fs.info.root_inum
    walked = ""
    for part in parts:
        if part == "..":
            raise NotFoundError(f"{path}: '..' is not supported in paths ({ofs.where()})")
        current = _lookup(ofs, current, walked or "/", part, path)
        walked += "/" + part
    return current, stream


def _lookup(ofs: OpenFileSystem, directory: int, dir_path: str, part: str, path: str) -> int:
    try:
        entries = list(ofs.fs.open_dir(inode=directory))
    except (OSError, RuntimeError) as exc:
        raise NotFoundError(
            f"{path}: {dir_path} is not a readable directory in the {ofs.where()} ({one_line(exc)})"
        ) from exc
    exact: list[tuple[bool, int]] = []
    folded: list[tuple[bool, int]] = []
    wanted = part.casefold()
    for entry in entries:
        name_info = entry.info.name
        name = _decode(name_info.name)
        hit = (bool(name_info.flags & _NAME_ALLOC), name_info.meta_addr)
        if name == part:
            exact.append(hit)
        elif name.casefold() == wanted:
            folded.append(hit)
    candidates = exact or (folded if is_case_insensitive(ofs.info.type) else [])
    if not candidates:
        raise NotFoundError(f"{path}: no '{part}' in {dir_path} ({ofs.where()})")
    allocated = [addr for alloc, addr in candidates if alloc]
    return allocated[0] if allocated else candidates[0][1]


def open_content(ofs: OpenFileSystem, inode: int, stream: str | None, label: str) -> tuple[pytsk3.File, int, int, int]:
    """Open an inode for reading: (file, attribute type, attribute id, size).

    Raises:
        NotFoundError: no such inode, no such stream, or a deleted name without metadata.
    """
    fs = ofs.fs
    if inode == 0 and fs.info.first_inum > 0:
        raise NotFoundError(
            f"{label}: inode 0 has no metadata in the {ofs.where()} (a deleted name that no longer points to an inode)"
        )
    if not fs.info.first_inum <= inode <= fs.info.last_inum:
        raise NotFoundError(
            f"{label}: no inode {inode} in the {ofs.where()} (inodes {fs.info.first_inum}-{fs.info.last_inum})"
        )
    try:
        file = fs.open_meta(inode=inode)
    except (OSError, RuntimeError) as exc:
        raise NotFoundError(f"{label}: cannot open inode {inode} in the {ofs.where()}: {one_line(exc)}") from exc
    meta = file.info.meta
    if meta is None:
        raise NotFoundError(f"{label}: inode {inode} has no metadata in the {ofs.where()}")
    if stream is None:
        return file, _ATTR_DEFAULT, -1, meta.size
    for attr in file:
        ainfo = attr.info
        if ainfo.type in (_ATTR_DATA, _ATTR_IDXROOT) and ainfo.name and _decode(ainfo.name) == stream:
            return file, ainfo.type, ainfo.id, ainfo.size
    raise NotFoundError(f"{label}: no stream '{stream}' in inode {inode} ({ofs.where()})")


def iter_file(
    ofs: OpenFileSystem,
    file: pytsk3.File,
    attr_type: int,
    attr_id: int,
    size: int,
    label: str,
    chunk_size: int,
) -> Iterator[bytes]:
    """Stream a file's content in chunks, recovering deleted files as TSK (icat) does."""
    # A damaged entry may claim more than the whole file system (ext4 size patched to 2^40):
    # TSK would hand out zeros forever, so the read stops at the file system's size.
    limit = ofs.info.block_size * ofs.info.block_count
    if size > limit:
        ofs.warnings.append(
            f"{ofs.where()}: {label}: claims {size} bytes, more than the {limit}-byte file system; read stops there"
        )
        size = limit
    offset = 0
    while offset < size:
        want = min(chunk_size, size - offset)
        try:
            data = file.read_random(offset, want, attr_type, attr_id)
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(
                ofs.image_path,
                f"{label}: read failed at byte {offset} in the {ofs.where()}: {one_line(exc)}",
            ) from exc
        if not data:
            # TSK gives nothing more (a looping or broken cluster chain): say so, do not spin.
            ofs.warnings.append(f"{ofs.where()}: {label}: content ends at byte {offset} of {size}")
            return
        offset += len(data)
        yield data
