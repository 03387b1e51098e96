"""Volume shadow copies (VSS) of an NTFS volume, each readable as a file system.

Windows keeps earlier states of a volume as shadow copies in ``System Volume
Information``. TSK lists only the current volume; pyvshadow rebuilds each store
(the volume as it was when the copy was made). A store is handed back to TSK as
an external image, so a store is walked and read by the same code as the live
volume and its listing is comparable with ``fls`` on the live one.

Stores are numbered from 1, oldest first, as ``vshadowinfo`` and dfvfs
(``/vss1``) number them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytsk3

from forensics_kit.disk.containers import one_line
from forensics_kit.disk.labels import fs_type_name, volume_label
from forensics_kit.disk.media_range import MediaRange, ReadAt
from forensics_kit.disk.records import FileSystemInfo
from forensics_kit.disk.tsk_meta import filetime_iso
from forensics_kit.disk.walker import OpenFileSystem
from forensics_kit.errors import EvidenceError, NotFoundError


@dataclass(slots=True, frozen=True)
class ShadowCopy:
    """One volume shadow copy (store) of a volume.

    Attributes:
        partition: partition index of the volume (None when the image is one volume).
        index: store number, from 1 (oldest first), as vshadowinfo prints it.
        identifier: the store's GUID (its catalog entry name in ``System Volume Information``).
        creation_time: when the copy was made, ISO 8601 UTC to 100 ns.
        size: size in bytes of the volume the copy reproduces.
        copy_identifier: the shadow copy ID Windows shows (``vssadmin list shadows``).
        copy_set_identifier: the ID of the set made together (one per snapshot request).
    """

    partition: int | None
    index: int
    identifier: str
    creation_time: str | None
    size: int
    copy_identifier: str
    copy_set_identifier: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "partition": self.partition,
            "index": self.index,
            "identifier": self.identifier,
            "creation_time": self.creation_time,
            "size": self.size,
            "copy_identifier": self.copy_identifier,
            "copy_set_identifier": self.copy_set_identifier,
        }


@dataclass(slots=True)
class ShadowFileSystem(OpenFileSystem):
    """The file system of one store; messages name the store as well as the volume."""

    shadow: int = 0
    store: Any = None  # the store as TSK reads it (_StoreImage)

    def where(self) -> str:
        return f"{OpenFileSystem.where(self)}, shadow copy {self.shadow}"

    def read_at(self, offset: int, size: int) -> bytes:
        """Bytes of the volume as it was, at ``offset`` counted from the start of the image.

        The volume starts at ``info.offset`` as the live one does, so offsets and block maps
        of a store line up with those of the live volume.
        """
        start = offset - self.info.offset
        size = max(0, min(size, self.store.get_size() - start))
        if start < 0 or not size:
            return b""
        try:
            return self.store.read(start, size)
        except (OSError, RuntimeError) as exc:
            problem = f"{self.where()}: read failed at byte {offset}: {one_line(exc)}"
            raise EvidenceError(self.image_path, problem) from exc


class _StoreImage(pytsk3.Img_Info):
    """A pyvshadow store seen by TSK as an image (the volume as it was)."""

    def __init__(self, store: Any) -> None:
        self._store = store
        self._size = int(store.volume_size)
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        return self._store.read_buffer_at_offset(size, offset)

    def get_size(self) -> int:
        return self._size


class ShadowVolume:
    """The shadow copies of one NTFS volume; use :func:`open_shadow_volume`."""

    def __init__(self, image_path: str, base: OpenFileSystem, volume: Any, source: MediaRange) -> None:
        self.image_path = image_path
        self.base = base
        self._volume = volume
        self._source = source  # pyvshadow reads through it for as long as the volume is open
        self._opened: dict[int, ShadowFileSystem] = {}

    def copies(self) -> list[ShadowCopy]:
        """Every store, oldest first."""
        found = []
        for number, store in enumerate(self._volume.stores, start=1):
            found.append(
                ShadowCopy(
                    self.base.info.partition,
                    number,
                    str(store.identifier),
                    filetime_iso(int(store.get_creation_time_as_integer())),
                    int(store.volume_size),
                    str(store.copy_identifier),
                    str(store.copy_set_identifier),
                )
            )
        return found

    def open(self, index: int, warnings: list[str]) -> ShadowFileSystem:
        """The file system of store ``index`` (from 1), opened with TSK.

        Raises:
            NotFoundError: no such store.
            EvidenceError: the store holds no file system TSK can read.
        """
        if index in self._opened:
            return self._opened[index]
        count = int(self._volume.number_of_stores)
        if not 1 <= index <= count:
            span = f"1-{count}" if count else "none"
            where = self.base.where()
            raise NotFoundError(f"{self.image_path}: no shadow copy {index} on the {where} (stores: {span})")
        try:
            img = _StoreImage(self._volume.get_store(index - 1))
            fs = pytsk3.FS_Info(img, offset=0)
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(
                self.image_path, f"shadow copy {index} of the {self.base.where()}: {one_line(exc)}"
            ) from exc
        type_name = fs_type_name(fs)
        base = self.base.info
        info = FileSystemInfo(
            base.partition,
            base.offset,
            type_name,
            volume_label(fs, img, 0, type_name),
            int(fs.info.block_size),
            int(fs.info.block_count),
        )
        opened = self._opened[index] = ShadowFileSystem(
            fs, info, self.image_path, warnings, shadow=index, store=img
        )
        return opened

    def close(self) -> None:
        self._opened.clear()
        try:
            self._volume.close()
        except (OSError, RuntimeError):
            pass


def open_shadow_volume(image_path: str, base: OpenFileSystem, read_at: ReadAt, size: int) -> ShadowVolume | None:
    """Open the shadow-copy catalog of an NTFS volume of ``size`` bytes; None if it has none.

    Raises:
        EvidenceError: the volume claims shadow copies but their catalog cannot be read.
    """
    import pyvshadow

    if base.info.type != "NTFS":
        return None
    source = MediaRange(read_at, base.info.offset, size)
    try:
        if not pyvshadow.check_volume_signature_file_object(source):
            return None
        volume = pyvshadow.volume()
        volume.open_file_object(source)
    except (OSError, RuntimeError, ValueError) as exc:
        raise EvidenceError(image_path, f"shadow copies of the {base.where()}: {one_line(exc)}") from exc
    return ShadowVolume(image_path, base, volume, source)
