"""A read-only file object over a byte range of an image's media.

The libyal readers for what lives inside a volume (pyvshadow for volume shadow
copies, pyfsapfs for APFS containers) take a Python file object, not a TSK
image. :class:`MediaRange` hands them one partition's bytes as a file, read
through the same container handle TSK uses, so nothing is copied out of the
evidence and no extra handle is opened on it.
"""

from __future__ import annotations

import os
from collections.abc import Callable

ReadAt = Callable[[int, int], bytes]


class MediaRange:
    """``size`` bytes of the media starting at ``offset``, as a seekable binary file.

    Args:
        read_at: ``read(offset, size)`` of the whole media (``pytsk3.Img_Info.read``).
        offset: where the range starts in the media, in bytes.
        size: length of the range in bytes.
    """

    def __init__(self, read_at: ReadAt, offset: int, size: int) -> None:
        if offset < 0 or size < 0:
            raise ValueError("offset and size must not be negative")
        self._read_at = read_at
        self._offset = offset
        self._size = size
        self._position = 0
        self.closed = False

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (all that is left with -1) from the current position."""
        left = self._size - self._position
        if size is None or size < 0 or size > left:
            size = left
        if size <= 0:
            return b""
        data = self._read_at(self._offset + self._position, size)
        self._position += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move the position like a file does; past the end is allowed, before the start is not."""
        if whence == os.SEEK_SET:
            target = offset
        elif whence == os.SEEK_CUR:
            target = self._position + offset
        elif whence == os.SEEK_END:
            target = self._size + offset
        else:
            raise ValueError(f"unknown whence {whence}")
        if target < 0:
            raise OSError(f"seek to {target}, before the start of the range")
        self._position = target
        return target

    def tell(self) -> int:
        """The current position in the range."""
        return self._position

    def get_size(self) -> int:
        """The range's length (libyal bindings ask for it this way)."""
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return False

    def close(self) -> None:
        """Mark closed; the media itself belongs to the image and stays open."""
        self.closed = True
