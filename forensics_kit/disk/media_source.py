"""The bytes of an image's media, read at any offset: a disk image, or a plain blob.

Search, carving and raw YARA scans read the media (not files), including bytes
outside any file system. A :class:`MediaSource` wraps either an opened
:class:`~forensics_kit.disk.image.DiskImage` or a file that holds no volume or file
system at all (a memory dump, a ``blkls`` extract, a carving test blob), so the
same scan works on both; a blob is all ``unpartitioned``.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType

from forensics_kit.disk.containers import one_line
from forensics_kit.disk.image import DiskImage, open_image
from forensics_kit.errors import EvidenceError

NOT_AN_IMAGE = "not a disk image or file system"
"""How an :class:`EvidenceError` says a file is a plain blob (read as bytes by raw-media readers)."""


class MediaSource:
    """Random access to the media bytes; use :func:`open_source`.

    Attributes:
        path: the evidence file.
        size: media size in bytes.
        image: the opened disk image, or None for a plain blob.
    """

    def __init__(self, path: str, size: int, image: DiskImage | None, owns_image: bool) -> None:
        self.path = path
        self.size = size
        self.image = image
        self._owns_image = owns_image
        self._fd: int | None = None
        if image is None or image.format == "raw":
            try:
                self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            except OSError as exc:
                raise EvidenceError(path, f"cannot open: {exc.strerror or exc}") from exc

    def read(self, offset: int, size: int) -> bytes:
        """Up to ``size`` bytes at ``offset`` (fewer at the end of the media)."""
        size = max(0, min(size, self.size - offset))
        if size == 0:
            return b""
        try:
            if self._fd is not None:
                return os.pread(self._fd, size, offset)
            return self.image._media.img.read(offset, size)  # noqa: SLF001 - same package
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(self.path, f"media read failed at byte {offset}: {one_line(exc)}") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._owns_image and self.image is not None:
            self.image.close()

    def __enter__(self) -> MediaSource:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_source(img_or_path: DiskImage | str | Path) -> MediaSource:
    """Open the media of an opened image, of an image file, or of a plain blob.

    A file that is neither a disk image nor a file system is read as a blob (no
    owners other than ``unpartitioned``). A :class:`DiskImage` passed in stays open
    when the source is closed.

    Raises:
        EvidenceError: missing, empty or unreadable file, damaged container.
    """
    if isinstance(img_or_path, DiskImage):
        return MediaSource(img_or_path.path, img_or_path.size, img_or_path, owns_image=False)
    path = str(img_or_path)
    try:
        image = open_image(path)
    except EvidenceError as exc:
        if NOT_AN_IMAGE not in exc.problem:
            raise
        return MediaSource(path, Path(path).stat().st_size, None, owns_image=False)
    return MediaSource(path, image.size, image, owns_image=True)
