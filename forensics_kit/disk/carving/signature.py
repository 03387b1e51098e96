"""The carving contract: one small class per file type, registered by subclassing.

A :class:`Signature` names its headers and a maximum size, and :meth:`Signature.carve`
walks the file's structure from a header (PNG chunks to ``IEND``, JPEG markers to
``EOI``...) through a :class:`Cursor`, returning the length and extension of the file
it found there, or None. Adding a type is one class in ``signatures.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from forensics_kit.errors import ForensicsKitError

Reader = Callable[[int, int], bytes]
_CHUNK = 1 << 20

SIGNATURES: dict[str, type[Signature]] = {}


class Cursor:
    """Reads a candidate file from its header on, never past ``limit`` bytes from it.

    Positions are relative to the header. Reads go through a 1 MiB buffer so small
    structure reads cost nothing and memory stays bounded whatever the max size.
    """

    def __init__(self, read: Reader, start: int, limit: int) -> None:
        self._read = read
        self.start = start
        self.limit = limit
        self._buf = b""
        self._at = 0  # relative position of _buf

    def get(self, pos: int, size: int) -> bytes:
        """Up to ``size`` bytes at ``pos`` (fewer at the limit)."""
        if pos < 0 or pos >= self.limit:
            return b""
        size = min(size, self.limit - pos)
        if not (self._at <= pos and pos + size <= self._at + len(self._buf)):
            self._buf = self._read(self.start + pos, min(max(size, _CHUNK), self.limit - pos))
            self._at = pos
        return self._buf[pos - self._at: pos - self._at + size]

    def find(self, needle: bytes, pos: int, end: int | None = None) -> int:
        """First position of ``needle`` at or after ``pos`` (ending before ``end``/limit); -1 if none."""
        end = self.limit if end is None else min(end, self.limit)
        while pos + len(needle) <= end:
            chunk = self.get(pos, min(_CHUNK, end - pos))
            if len(chunk) < len(needle):
                return -1
            hit = chunk.find(needle)
            if hit >= 0:
                return pos + hit
            pos += len(chunk) - len(needle) + 1
        return -1


class Signature:
    """One carvable file type.

    Class attributes:
        name: the type name users give (``--types jpg,png``).
        ext: the extension of carved files (a signature may refine it per file,
            e.g. ``docx`` for an Office document found by the ``zip`` signature).
        headers: byte strings a file of this type starts with.
        max_size: the largest file carved; structure walks stop there.
    """

    name: ClassVar[str] = ""
    ext: ClassVar[str] = ""
    headers: ClassVar[tuple[bytes, ...]] = ()
    max_size: ClassVar[int] = 20 << 20

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            SIGNATURES[cls.name] = cls

    def carve(self, cur: Cursor) -> tuple[int, str] | None:
        """(length in bytes, extension) of the file starting at the cursor, or None."""
        raise NotImplementedError


def signatures_for(types: Iterable[str] | None = None) -> list[Signature]:
    """Instances of the asked types (every registered type when None).

    Raises:
        ForensicsKitError: an unknown type; the message lists the known ones.
    """
    from forensics_kit.disk.carving import signatures as _builtin  # noqa: F401 - registers the types

    names = list(SIGNATURES) if types is None else [t.strip().lower().lstrip(".") for t in types if t.strip()]
    aliases = {"jpeg": "jpg", "docx": "zip", "xlsx": "zip", "pptx": "zip"}
    chosen: list[Signature] = []
    for name in names:
        name = aliases.get(name, name)
        if name not in SIGNATURES:
            raise ForensicsKitError(f"carve: unknown file type '{name}' (known: {', '.join(sorted(SIGNATURES))})")
        if all(sig.name != name for sig in chosen):
            chosen.append(SIGNATURES[name]())
    return chosen
