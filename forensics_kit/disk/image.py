"""A disk image opened read-only: its partitions, file systems, files and their content.

:func:`open_image` is the one entry point. It opens the container
(:mod:`forensics_kit.disk.containers`), reads the volume system with TSK, opens
every file system TSK recognises (in each partition, and at sector 0 outside
them, where ``fls`` looks), and refuses evidence that is not a disk image with
one clear :class:`~forensics_kit.errors.EvidenceError`. A truncated image opens
with a warning saying how much is missing, as TSK reads it (``strict`` refuses it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import pytsk3

from forensics_kit.disk.apfs import (
    ApfsFileSystem,
    apfs_entry,
    is_apfs_container,
    iter_apfs_content,
    open_apfs,
    walk_apfs,
)
from forensics_kit.disk.containers import Media, one_line, open_media, segment_hint
from forensics_kit.disk.labels import FS_TYPES, fs_type_name, volume_label, volume_serial
from forensics_kit.disk.records import FileRecord, FileSystemInfo, Partition
from forensics_kit.disk.selection import choose_filesystem
from forensics_kit.disk.shadows import ShadowCopy, ShadowVolume, open_shadow_volume
from forensics_kit.disk.volumes import read_volume
from forensics_kit.disk.walker import OpenFileSystem, iter_file, open_content, resolve_path, walk_filesystem
from forensics_kit.errors import EvidenceError, ForensicsKitError, NotFoundError
from forensics_kit.timefmt import pin_local_time_zone

_PART_META = int(pytsk3.TSK_VS_PART_FLAG_META)
_PART_UNALLOC = int(pytsk3.TSK_VS_PART_FLAG_UNALLOC)
_AnyFs = OpenFileSystem | ApfsFileSystem
_NOT_AN_IMAGE = "not a disk image or file system (no partition table, no file system found)"
_ATTR_DEFAULT = int(pytsk3.TSK_FS_ATTR_TYPE_DEFAULT)


@dataclass(slots=True)
class FileContent:
    """One file's content, opened once: a TSK inode's data (or NTFS stream), or an APFS file entry.

    Attributes:
        ofs: the file system it is read from (a shadow copy's, when walked from one).
        label: how messages name the file (its path).
        handle: the ``pytsk3.File`` or the pyfsapfs file entry.
        size: content size in bytes.
    """

    ofs: _AnyFs
    label: str
    handle: Any
    size: int
    attr_type: int = _ATTR_DEFAULT
    attr_id: int = -1

    def chunks(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Stream the content (deleted files recovered as ``icat`` does)."""
        if isinstance(self.ofs, ApfsFileSystem):
            return iter_apfs_content(self.ofs, self.handle, self.label, chunk_size)
        return iter_file(self.ofs, self.handle, self.attr_type, self.attr_id, self.size, self.label, chunk_size)

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset`` (a file's head, a ZIP's central directory).

        Raises:
            EvidenceError: the back-end cannot read there.
        """
        try:
            if isinstance(self.ofs, ApfsFileSystem):
                return self.handle.read_buffer_at_offset(length, offset)
            return self.handle.read_random(offset, length, self.attr_type, self.attr_id)
        except (OSError, RuntimeError) as exc:
            where = f"{self.label}: read failed at byte {offset} in the {self.ofs.where()}"
            raise EvidenceError(self.ofs.image_path, f"{where}: {one_line(exc)}") from exc


class DiskImage:
    """An opened disk image; use :func:`open_image` to get one, ideally in a ``with``.

    Attributes:
        path: the image file as given.
        format: container format: ``"raw"``, ``"split-raw"``, ``"ewf"``, ``"qcow2"``,
            ``"vhd"``, ``"vhdx"``, ``"vmdk"`` or ``"dmg"`` (UDIF).
        size: media size in bytes (what is inside the container).
        warnings: problems met and stepped over (a truncated image, an unreadable directory in a walk...).
    """

    def __init__(
        self, path: str, media: Media, strict: bool = False, fs_offset: int | None = None, fstype: str | None = None
    ) -> None:
        self.path = path
        self.format = media.format
        self.size = media.size
        self.metadata: dict[str, str] = dict(media.metadata)
        """The container's acquisition record (EWF: case_number, examiner_name, acquiry_date, ...)."""
        self.stored_hashes: dict[str, str] = dict(media.stored_hashes)
        """Hashes of the media the acquisition tool stored in the container (EWF: md5, sha1)."""
        self.warnings: list[str] = []
        self._media = media
        self._partitions: list[Partition] = []
        self._filesystems: list[OpenFileSystem] = []
        self._apfs: list[ApfsFileSystem] = []  # pytsk3 cannot open APFS; kept apart from TSK's
        self._shadows: dict[int | None, ShadowVolume | None] = {}
        self._closed = False
        self._fstype = fstype
        self._fs_errors: list[str] = []  # why a forced type did not open, for the error
        self._scan(fs_offset)
        self._check_sizes(strict)

    # -- opening -----------------------------------------------------------------------

    def _scan(self, fs_offset: int | None = None) -> None:
        """Find every file system: in each partition, and at sector 0 outside them (as ``fls`` looks there)."""
        img = self._media.img
        if fs_offset is not None:
            # The examiner names the place (like TSK's -o): a wiped partition entry, a carved volume.
            if not self._open_fs(img, None, fs_offset):
                where = f"byte {fs_offset} (sector {fs_offset // 512})"
                raise EvidenceError(self.path, f"no {self._wanted()} at {where}{self._why()}")
            return
        for part, sector in read_volume(img, self.size, self.warnings):
            self._partitions.append(self._partition(img, part, sector))
        if not any(ofs.info.offset == 0 for ofs in self._everything()):
            # A file system whose boot sector also holds a partition table (a "superfloppy", a
            # hybrid ISO): mmls lists the table, fls -o 0 the file system; list both, as they do.
            self._open_fs(img, None, 0)
        if not self._filesystems and not self._apfs:
            if self._fstype is not None:
                raise EvidenceError(self.path, f"no {self._wanted()} found on this image{self._why()}")
            if not self._partitions:
                raise EvidenceError(self.path, _NOT_AN_IMAGE + segment_hint(self.path))
            count = sum(p.kind == "partition" for p in self._partitions)
            self.warnings.append(
                f"no file system TSK knows in any partition ({count}) nor at sector 0; the partitions are listed "
                "(to force one: --fstype TYPE, -o SECTOR; fstype=, offset= in Python)"
            )

    def _wanted(self) -> str:
        return "file system TSK knows" if self._fstype is None else f"{self._fstype} file system"

    def _why(self) -> str:
        return f" ({self._fs_errors[0]})" if self._fs_errors else ""

    def _check_sizes(self, strict: bool) -> None:
        """Warn about (or, strict, refuse) a container cut short, or file systems that run past the media's end."""
        for problem in self._media.warnings:
            if strict:
                raise EvidenceError(self.path, problem)
            self.warnings.append(problem)
        for ofs in self._filesystems:
            needed = ofs.info.offset + (ofs.fs.info.last_block + 1) * ofs.info.block_size
            if needed <= self.size:
                continue
            missing = needed - self.size
            problem = (
                f"truncated image: the {ofs.info.type} file system at byte {ofs.info.offset} needs {needed} bytes "
                f"but the media has {self.size}: {missing} bytes ({missing * 100 / needed:.1f}%) are missing"
            )
            if strict:
                raise EvidenceError(self.path, problem)
            self.warnings.append(problem + "; what the image holds is listed and read")

    def _partition(self, img: pytsk3.Img_Info, part: pytsk3.TSK_VS_PART_INFO, sector: int) -> Partition:
        flags = int(part.flags)
        description = part.desc.decode("utf-8", "replace") if isinstance(part.desc, bytes) else str(part.desc)
        if flags & _PART_META:
            kind, slot = "meta", "Meta"
        elif flags & _PART_UNALLOC:
            kind, slot = "unallocated", "-------"
        else:
            kind, slot = "partition", f"{int(part.table_num):03d}:{int(part.slot_num):03d}"
        index = int(part.addr)
        fs_type = None
        if kind == "partition":
            ofs = self._open_fs(img, index, int(part.start) * sector, int(part.len) * sector)
            fs_type = ofs.info.type if ofs else None
        return Partition(index, slot, kind, int(part.start), int(part.len), sector, description, fs_type)

    def _open_fs(self, img: pytsk3.Img_Info, index: int | None, offset: int, size: int | None = None) -> _AnyFs | None:
        """Open the file system at ``offset`` with TSK (the forced type, if any), else an APFS container."""
        fs = None
        if self._fstype != "apfs":  # pytsk3 cannot open APFS: pyfsapfs does, below
            try:
                if self._fstype is None:
                    fs = pytsk3.FS_Info(img, offset=offset)
                else:
                    fs = pytsk3.FS_Info(img, offset, FS_TYPES[self._fstype])
            except Exception as exc:  # noqa: BLE001 - TSK raises OSError; a hostile structure may raise others
                if self._fstype is not None:
                    self._fs_errors.append(one_line(exc).rsplit("with error: ", 1)[-1])
                    return None
        if fs is None:
            if not is_apfs_container(img.read, offset):
                if self._fstype == "apfs":
                    self._fs_errors.append("no APFS container superblock (NXSB)")
                return None
            size = self.size - offset if size is None else size
            volumes = open_apfs(self.path, img.read, offset, size, index, self.warnings)
            self._apfs.extend(volumes)
            return volumes[0] if volumes else None
        type_name = fs_type_name(fs)
        info = FileSystemInfo(
            index,
            offset,
            type_name,
            volume_label(fs, img, offset, type_name),
            int(fs.info.block_size),
            int(fs.info.block_count),
            volume_serial(img, offset, type_name),
        )
        ofs = OpenFileSystem(fs, info, self.path, self.warnings)
        self._filesystems.append(ofs)
        return ofs

    # -- listing ----------------------------------------------------------------------

    def partitions(self) -> list[Partition]:
        """Every entry of the volume system, in ``mmls`` order (meta and unallocated too).

        An image without a partition table gives an empty list.
        """
        return list(self._partitions)

    def filesystems(self) -> list[FileSystemInfo]:
        """Every file system found (TSK's, then APFS volumes), in partition order."""
        return [ofs.info for ofs in self._everything()]

    def walk(self, partition: int | None = None, *, shadow: int | None = None) -> Iterator[FileRecord]:
        """Every name (deleted and orphan files included) of one or every file system, as an iterator.

        The image, the partition and the shadow copy are checked at the call, so a missing one
        raises here rather than at the first record; a single file system's walk is handed out as
        it is, not wrapped in another generator, which would cost one more resume per name.

        Args:
            partition: index of a partition (see :meth:`partitions`); None walks every
                file system on the image.
            shadow: walk this volume shadow copy (from 1, see :meth:`shadow_copies`)
                of the NTFS volume instead of its current state.
        """
        self._check_open()
        if shadow is not None:
            return walk_filesystem(self._shadow_fs(partition, shadow))
        targets = self._everything() if partition is None else [self._target(partition)]
        if len(targets) == 1:
            only = targets[0]
            return walk_apfs(only) if isinstance(only, ApfsFileSystem) else walk_filesystem(only)
        return self._walk_each(targets)

    def _walk_each(self, targets: list[_AnyFs]) -> Iterator[FileRecord]:
        """Walk several file systems in turn; an encrypted APFS volume among them is skipped with a warning."""
        for ofs in targets:
            if not isinstance(ofs, ApfsFileSystem):
                yield from walk_filesystem(ofs)
            elif ofs.locked:
                self.warnings.append(f"the {ofs.where()} is encrypted; skipped")
            else:
                yield from walk_apfs(ofs)

    def shadow_copies(self, partition: int | None = None) -> list[ShadowCopy]:
        """The volume shadow copies of an NTFS volume, oldest first ([] when it has none).

        Raises:
            NotFoundError: no such partition, or several file systems and none chosen.
            EvidenceError: the shadow-copy catalog is damaged.
        """
        self._check_open()
        volume = self._shadow_fs(partition)
        return volume.copies() if isinstance(volume, ShadowVolume) else []

    # -- reading ----------------------------------------------------------------------

    def read(
        self, path: str | None = None, *, inode: int | None = None, partition: int | None = None,
        shadow: int | None = None,
    ) -> bytes:
        """Return a file's content, by path or inode; deleted files are recovered as ``icat`` does.

        Like ``icat``, a directory gives its raw on-disk content (APFS: empty). A path
        may name an NTFS stream as ``/file.txt:stream``; ``shadow`` reads from that
        volume shadow copy.
        """
        return b"".join(self.iter_content(path, inode=inode, partition=partition, shadow=shadow))

    def iter_content(
        self,
        path: str | None = None,
        *,
        inode: int | None = None,
        partition: int | None = None,
        chunk_size: int = 1 << 20,
        shadow: int | None = None,
    ) -> Iterator[bytes]:
        """Stream a file's content in chunks of at most ``chunk_size`` bytes (see :meth:`read`).

        Raises:
            NotFoundError: no such path, inode, stream or partition (raised at once,
                before the first chunk).
        """
        self._check_open()
        if (path is None) == (inode is None):
            raise ValueError("give exactly one of path or inode")
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        label = path if path is not None else f"inode {inode}"
        ofs = self._source(partition, shadow)
        if isinstance(ofs, ApfsFileSystem):
            return _apfs_content(ofs, apfs_entry(ofs, path, inode), label).chunks(chunk_size)
        stream = None
        if path is not None:
            inode, stream = resolve_path(ofs, path)
        return _tsk_content(ofs, int(inode), stream, label).chunks(chunk_size)

    def _open_record(self, record: FileRecord, shadow: int | None = None) -> FileContent:
        """Open a record from ``walk(record.partition, shadow=shadow)`` for reading, from that same state.

        Export, signature checks and hash sets read through this, so a file listed
        in a shadow copy is read from that copy and an APFS file with pyfsapfs.

        Raises:
            NotFoundError: no such inode or stream (a deleted name whose metadata is gone).
        """
        self._check_open()
        ofs = self._source(record.partition, shadow)
        if isinstance(ofs, ApfsFileSystem):
            return _apfs_content(ofs, apfs_entry(ofs, None, record.inode), record.path)
        return _tsk_content(ofs, record.inode, record.stream, record.path)

    def _check_open(self) -> None:
        if self._closed:
            raise ForensicsKitError(f"{self.path}: the image is closed")

    def _everything(self) -> list[_AnyFs]:
        return sorted([*self._filesystems, *self._apfs], key=lambda ofs: ofs.info.offset)

    def _target(self, partition: int | None) -> _AnyFs:
        """The file system of a partition or the only one, APFS volumes included."""
        return choose_filesystem(self.path, self._everything(), self._partitions, partition, "the kit")

    def _source(self, partition: int | None, shadow: int | None = None) -> _AnyFs:
        """The file system ``walk(partition, shadow=shadow)`` lists: a volume (APFS too) or one shadow copy.

        Raises:
            NotFoundError: no such partition or shadow copy, or a volume without shadow copies.
        """
        return self._target(partition) if shadow is None else self._shadow_fs(partition, shadow)

    def _select(self, partition: int | None) -> OpenFileSystem:
        """The TSK file system of a partition, or the only one on the image."""
        return choose_filesystem(self.path, self._filesystems, self._partitions, partition, "TSK", self._apfs)

    def _shadow_fs(self, partition: int | None, shadow: int | None = None) -> ShadowVolume | OpenFileSystem | None:
        """The shadow-copy catalog of an NTFS volume (None if it has none), or one store's file system."""
        try:
            ofs = self._select(partition)
        except NotFoundError:
            other = self._target(partition)  # an APFS volume, or the kit's own "no such partition"
            if shadow is None:
                return None
            problem = f"no volume shadow copies on the {other.where()} (an NTFS feature)"
            raise NotFoundError(f"{self.path}: {problem}") from None
        key = ofs.info.partition
        if key not in self._shadows:
            part = next((p for p in self._partitions if p.index == key), None)
            size = part.length * part.sector_size if part else self.size - ofs.info.offset
            self._shadows[key] = open_shadow_volume(self.path, ofs, self._media.img.read, size)
        volume = self._shadows[key]
        if shadow is None:
            return volume
        if volume is None:
            raise NotFoundError(f"{self.path}: no volume shadow copies on the {ofs.where()}")
        return volume.open(shadow, self.warnings)

    def iter_media(self, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """Stream the whole media (what is inside the container), e.g. to hash it like img_cat."""
        self._check_open()
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        img = self._media.img
        offset = 0
        while offset < self.size:
            want = min(chunk_size, self.size - offset)
            try:
                data = img.read(offset, want)
            except (OSError, RuntimeError) as exc:
                raise EvidenceError(self.path, f"media read failed at byte {offset}: {one_line(exc)}") from exc
            if not data:
                raise EvidenceError(self.path, f"media ends at byte {offset}, expected {self.size}")
            offset += len(data)
            yield data

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Release the image; the object is unusable afterwards."""
        if not self._closed:
            self._closed = True
            self._filesystems.clear()
            self._apfs.clear()
            for volume in self._shadows.values():
                if volume is not None:
                    volume.close()
            self._shadows.clear()
            self._media.close()

    def __enter__(self) -> DiskImage:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DiskImage({self.path!r}, format={self.format!r}, size={self.size})"


def _tsk_content(ofs: OpenFileSystem, inode: int, stream: str | None, label: str) -> FileContent:
    file, attr_type, attr_id, size = open_content(ofs, inode, stream, label)
    return FileContent(ofs, label, file, size, attr_type, attr_id)


def _apfs_content(afs: ApfsFileSystem, entry: Any, label: str) -> FileContent:
    return FileContent(afs, label, entry, int(entry.size or 0))


def open_image(
    path: str | Path,
    *,
    strict: bool = False,
    fat_time_zone: str = "UTC",
    offset: int | None = None,
    fstype: str | None = None,
) -> DiskImage:
    """Open a disk image read-only: raw/dd, split raw, E01, QCOW2, VHD/VHDX, VMDK or UDIF (.dmg).

    File systems are opened with TSK, APFS containers with pyfsapfs (one file
    system per volume); NTFS volume shadow copies are opened on demand
    (:meth:`DiskImage.shadow_copies`, ``walk``/``read`` with ``shadow=N``).
    A file system running past the end of the image (a short copy, a truncated
    download) opens as TSK opens it, with a warning saying how much is missing.

    Args:
        path: the image file (the first segment of a split set).
        strict: refuse a truncated image instead of opening it with a warning.
        fat_time_zone: the zone FAT's zone-less local times are read in (see
            :func:`pin_local_time_zone`); UTC unless the case says otherwise.
        offset: open only the file system starting at this sector (512 bytes), like
            ``fls -o``: for a volume the partition table does not list (a wiped entry,
            a gap). The image then shows that one file system, with partition None.
        fstype: force the file-system type, like ``fls -f`` (a name of
            :data:`~forensics_kit.disk.labels.FS_TYPES`: ``fat32``, ``ext4``, ``ntfs``...),
            where detection fails, e.g. a FAT32 boot sector with too few clusters.

    Raises:
        EvidenceError: missing file, directory, empty file, not a disk image, a
            damaged container, a missing EWF segment, no file system of a forced
            type, or (strict) a truncated image; the message is one line that names the file.
        ForensicsKitError: an unknown ``fstype``.
    """
    name = str(path)
    if fstype is not None and fstype.lower() not in FS_TYPES:
        raise ForensicsKitError(f"unknown file-system type {fstype!r} (known: {', '.join(sorted(FS_TYPES))})")
    pin_local_time_zone(fat_time_zone)
    media = open_media(name)
    try:
        return DiskImage(
            name, media, strict, None if offset is None else offset * 512, None if fstype is None else fstype.lower()
        )
    except EvidenceError:
        media.close()
        raise
    except Exception as exc:  # noqa: BLE001 - the back-end boundary: no internal error reaches the examiner
        media.close()
        raise EvidenceError(name, f"cannot read: {one_line(exc)}") from exc
