"""Where a Windows artefact comes from (bytes, a local file, or a file inside a disk image) and libyal errors."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from forensics_kit.artefacts._source import load_bytes
from forensics_kit.errors import EvidenceError

if TYPE_CHECKING:
    pass

Source = "bytes | bytearray | str | Path | DiskImage"
_BACKEND_ERRORS = (OSError, ValueError, TypeError, RuntimeError, OverflowError, MemoryError, KeyError, IndexError)


def image_path(path: str) -> str:
    """A path inside an image in the kit's form: ``C:\\Windows\\System32`` -> ``/Windows/System32``."""
    path = path.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", path):
        path = path[2:]
    return str(PurePosixPath("/" + path.lstrip("/")))


def load(source, path: str | None = None, *, name: str | None = None,
         partition: int | None = None) -> tuple[bytes, str]:
    """``(data, name)`` of an artefact: bytes, a local file, or ``path`` inside an open DiskImage.

    Raises:
        EvidenceError: the file cannot be read.
        NotFoundError: the path is not in the image.
    """
    if path is not None and not isinstance(source, bytes | bytearray | memoryview | str | Path):
        inside = image_path(path)
        label = name or f"{getattr(source, 'path', 'image')}:{inside}"
        return source.read(inside, partition=partition), label
    return load_bytes(source, name)


def backend_error(name: str, exc: BaseException) -> EvidenceError:
    """One line from a libyal error chain (``func: what. func: why.``): the first thing that failed."""
    clauses = [c.strip() for c in re.split(r"\.\s+(?=[a-z_0-9]+: )", str(exc)) if c.strip()]
    chosen = clauses[1] if len(clauses) > 1 else (clauses[0] if clauses else type(exc).__name__)
    chosen = re.sub(r"^[a-z_0-9]+: ", "", chosen).rstrip(".").replace("\n", " ")
    return EvidenceError(name, chosen or "unreadable")


BACKEND_ERRORS = _BACKEND_ERRORS
