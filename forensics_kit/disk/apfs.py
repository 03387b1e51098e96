"""APFS containers and volumes, walked and read with pyfsapfs.

pytsk3 cannot open APFS: TSK reads it through its pool layer, which the Python
binding does not expose. pyfsapfs (libfsapfs, what dfvfs uses) reads the
container and each of its volumes, so Mac evidence is listed and read into the
same :class:`~forensics_kit.disk.records.FileRecord` values as every other file
system. Inodes are APFS file-system object identifiers, the numbers ``fls -P
apfs`` prints; the root (identifier 2) is not listed, as fls does not list it.
"""

from __future__ import annotations

import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from forensics_kit.disk.containers import one_line
from forensics_kit.disk.media_range import MediaRange, ReadAt
from forensics_kit.disk.records import FileRecord, FileSystemInfo
from forensics_kit.errors import EvidenceError, NotFoundError

MAX_DEPTH = 512
_MAGIC_OFFSET = 32  # nx_magic follows the object header in the container superblock
_MAGIC = b"NXSB"


@dataclass(slots=True)
class ApfsFileSystem:
    """One APFS volume of a container, with what the walk and reads need."""

    volume: Any
    info: FileSystemInfo
    image_path: str
    container: Any
    warnings: list[str] = field(default_factory=list)
    locked: bool = False

    def where(self) -> str:
        """Describe the volume for messages: ``APFS volume 'Macintosh HD' in partition 2``."""
        text = f"APFS volume '{self.info.label}'"
        return text if self.info.partition is None else f"{text} in partition {self.info.partition}"

    def check_unlocked(self) -> None:
        """Refuse an encrypted volume with one clear line instead of a back-end error."""
        if self.locked:
            raise EvidenceError(
                self.image_path,
                f"the {self.where()} is encrypted (FileVault); it cannot be read without its password or recovery key",
            )


def is_apfs_container(read_at: ReadAt, offset: int) -> bool:
    """True when an APFS container superblock (``NXSB``) starts at ``offset``."""
    try:
        return read_at(offset + _MAGIC_OFFSET, len(_MAGIC)) == _MAGIC
    except (OSError, RuntimeError):
        return False


def open_apfs(
    image_path: str, read_at: ReadAt, offset: int, size: int, partition: int | None, warnings: list[str]
) -> list[ApfsFileSystem]:
    """Open the container at ``offset`` and return its volumes, in container order.

    A container that fills the image (``partition`` None) numbers several volumes
    0, 1, ... as partitions; one volume keeps ``partition`` as given.

    Raises:
        EvidenceError: the container cannot be read.
    """
    import pyfsapfs

    try:
        head = read_at(offset, 48)
        block_size, block_count = struct.unpack_from("<IQ", head, 36)
        container = pyfsapfs.container()
        container.open_file_object(MediaRange(read_at, offset, size))
        volumes = list(container.volumes)
    except (OSError, RuntimeError, ValueError, struct.error) as exc:
        raise EvidenceError(image_path, f"APFS container at byte {offset}: {one_line(exc)}") from exc
    opened = []
    for number, volume in enumerate(volumes):
        where = partition
        if len(volumes) > 1:
            if partition is not None and number > 0:
                warnings.append(
                    f"APFS container in partition {partition}: volume {number} ({volume.name}) is not opened; "
                    "only the first volume of a partitioned container is read"
                )
                continue
            where = number if partition is None else partition
        info = FileSystemInfo(where, offset, "APFS", volume.name or None, block_size, block_count)
        opened.append(ApfsFileSystem(volume, info, image_path, container, warnings, bool(volume.is_locked())))
    return opened


def _kind(mode: int) -> str:
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "dir"
    return "other"


_TIME_GETTERS = (
    "get_modification_time_as_integer",
    "get_access_time_as_integer",
    "get_inode_change_time_as_integer",
    "get_creation_time_as_integer",
)


def apfs_times(entry: Any) -> tuple[int, ...]:
    """mtime, atime, ctime, crtime as (seconds, nanoseconds) pairs, flattened like ``FileRecord.raw_times``.

    The one place pyfsapfs's times are read: the walk, the bodyfile and ``stat`` agree.
    """
    flat: list[int] = []
    for getter in _TIME_GETTERS:
        try:
            value = int(getattr(entry, getter)() or 0)
        except (OSError, RuntimeError, AttributeError, TypeError):
            value = 0
        flat.extend(divmod(value, 1_000_000_000))
    return tuple(flat)


def _record(afs: ApfsFileSystem, entry: Any, path: str) -> FileRecord:
    base = (
        afs.info.partition,
        path,
        entry.name or "",
        int(entry.identifier),
        int(entry.size or 0),
        _kind(int(entry.file_mode or 0)),
        True,
    )
    return FileRecord(*base, apfs_times(entry))


def walk_apfs(afs: ApfsFileSystem) -> Iterator[FileRecord]:
    """Yield every file entry of the volume, depth first, in the order ``fls -P apfs -r`` lists them.

    APFS keeps no deleted names, so every record is allocated. An unreadable
    directory is skipped with a warning.
    """
    afs.check_unlocked()
    try:
        root = afs.volume.get_root_directory()
        first = iter(list(root.sub_file_entries))
    except (OSError, RuntimeError) as exc:
        problem = f"cannot read the root directory of the {afs.where()}: {one_line(exc)}"
        raise EvidenceError(afs.image_path, problem) from exc
    stack: list[tuple[Iterator[Any], str]] = [(first, "/")]
    ancestors = [int(root.identifier)]
    while stack:
        entries, prefix = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            ancestors.pop()
            continue
        try:
            record = _record(afs, entry, prefix + (entry.name or ""))
        except (OSError, RuntimeError) as exc:
            afs.warnings.append(f"{afs.where()}: {prefix}: an entry cannot be read: {one_line(exc)}")
            continue
        yield record
        if record.type != "dir" or record.inode in ancestors:
            continue
        if len(stack) >= MAX_DEPTH:
            afs.warnings.append(f"{afs.where()}: {record.path}: deeper than {MAX_DEPTH} levels, skipped")
            continue
        try:
            children = iter(list(entry.sub_file_entries))
        except (OSError, RuntimeError) as exc:
            afs.warnings.append(f"{afs.where()}: {record.path}: cannot list directory: {one_line(exc)}")
            continue
        stack.append((children, record.path + "/"))
        ancestors.append(record.inode)


def apfs_entry(afs: ApfsFileSystem, path: str | None, inode: int | None) -> Any:
    """The file entry a path (as :func:`walk_apfs` gives it) or an identifier names.

    Raises:
        NotFoundError: no such path or identifier.
        EvidenceError: the volume is encrypted.
    """
    afs.check_unlocked()
    try:
        if path is not None:
            parts = [p for p in path.replace("\\", "/").split("/") if p and p != "."]
            if ".." in parts:
                raise NotFoundError(f"{path}: '..' is not supported in paths ({afs.where()})")
            entry = afs.volume.get_file_entry_by_path("/" + "/".join(parts))
        else:
            entry = afs.volume.get_file_entry_by_identifier(int(inode))
    except (OSError, RuntimeError, OverflowError) as exc:
        label = path if path is not None else f"inode {inode}"
        raise NotFoundError(f"{label}: cannot open in the {afs.where()}: {one_line(exc)}") from exc
    if entry is None:
        what = f"{path}: no such path" if path is not None else f"inode {inode}: no such file entry"
        raise NotFoundError(f"{what} in the {afs.where()}")
    return entry


def iter_apfs_content(afs: ApfsFileSystem, entry: Any, label: str, chunk_size: int) -> Iterator[bytes]:
    """Stream an entry's data fork in chunks (empty for a directory or symbolic link)."""
    if _kind(int(entry.file_mode or 0)) != "file":
        return
    size = int(entry.size or 0)
    offset = 0
    while offset < size:
        want = min(chunk_size, size - offset)
        try:
            data = entry.read_buffer_at_offset(want, offset)
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(
                afs.image_path, f"{label}: read failed at byte {offset} in the {afs.where()}: {one_line(exc)}"
            ) from exc
        if not data:
            return
        offset += len(data)
        yield data
