"""Reading a class's submissions from a folder or a ``.zip``, safely.

A zip is never extracted: members are read in memory, one at a time, with caps
on the member count, each member's size, the total and the compression ratio
(a zip bomb stops at the cap instead of filling the disk). Names with ``..``,
absolute paths or drive letters are refused as a per-submission error, so a
hostile archive cannot write anywhere or take the class down with it.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from grader.errors import GraderError
from grader.yamlfile import MAX_FILE_BYTES

__all__ = ["MAX_MEMBERS", "MAX_RATIO", "MAX_TOTAL", "Submission", "read_submissions"]

SUFFIXES = (".yaml", ".yml", ".json")
MAX_MEMBERS = 10000
MAX_TOTAL = 256 << 20  # uncompressed bytes read from one zip
MAX_RATIO = 200  # uncompressed / compressed size of one member


@dataclass(frozen=True)
class Submission:
    """One answers file's bytes (``data``), or why it could not be read (``error``)."""

    name: str
    data: bytes | None = None
    error: str | None = None
    submitted: str | None = None  # when the file was last written: "2026-12-03 10:15" (see _when)


def read_submissions(source: Path) -> Iterator[Submission]:
    """Every answers file in a folder (not recursive) or a zip, sorted by name."""
    source = Path(source)
    if source.is_dir():
        for path in sorted(p for p in source.iterdir() if p.suffix.lower() in SUFFIXES):
            if not path.is_file() or path.is_symlink():
                yield Submission(path.name, error="not a regular file")
                continue
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                yield Submission(path.name, error=f"too large ({size} bytes, at most {MAX_FILE_BYTES})")
                continue
            yield Submission(path.name, data=path.read_bytes(), submitted=_when_file(path))
        return
    if source.is_symlink():
        raise GraderError(f"{source}: submissions must not be a symbolic link")
    if source.suffix.lower() != ".zip" or not source.is_file():
        raise GraderError(f"{source}: submissions must be a folder of answers files or a .zip")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise GraderError(f"{source}: not a readable zip ({exc})") from None
    with archive:
        yield from _zip_members(archive)


def _zip_members(archive: zipfile.ZipFile) -> Iterator[Submission]:
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > MAX_MEMBERS:
        raise GraderError(f"zip has {len(infos)} files, more than {MAX_MEMBERS}")
    total = 0
    for info in sorted(infos, key=lambda i: i.filename):
        name = info.filename
        problem = _unsafe_name(name)
        if problem:
            yield Submission(name, error=problem)
            continue
        if PurePosixPath(name).suffix.lower() not in SUFFIXES or PurePosixPath(name).name.startswith("."):
            continue
        if info.file_size > MAX_FILE_BYTES:
            yield Submission(name, error=f"too large ({info.file_size} bytes, at most {MAX_FILE_BYTES})")
            continue
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            yield Submission(name, error=f"compressed {info.file_size // info.compress_size}:1, a zip bomb?")
            continue
        if total + info.file_size > MAX_TOTAL:
            yield Submission(name, error=f"the zip holds more than {MAX_TOTAL >> 20} MiB of answers: not read")
            continue
        try:
            with archive.open(info) as stream:
                data = stream.read(MAX_FILE_BYTES + 1)  # never trust the declared size alone
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, OSError, RuntimeError,
                NotImplementedError, EOFError, ValueError) as exc:
            why = "encrypted" if "encrypted" in str(exc) or "password" in str(exc) else str(exc)[:80]
            yield Submission(name, error=f"unreadable zip member ({why})")
            continue
        if len(data) > MAX_FILE_BYTES:
            yield Submission(name, error=f"too large (more than {MAX_FILE_BYTES} bytes)")
            continue
        total += len(data)
        yield Submission(name, data=data, submitted=_when_member(info))


def _when_file(path: Path) -> str:
    """A file's modification time in UTC, as the instructor reads it in the report."""
    stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return stamp.strftime("%Y-%m-%d %H:%M UTC")


def _when_member(info: zipfile.ZipInfo) -> str | None:
    """A zip member's time as stored: zip keeps local time with no zone, so none is claimed."""
    try:
        return datetime(*info.date_time).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _unsafe_name(name: str) -> str | None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        return f"unsafe file name in zip ({name!r}): refused"
    if "\x00" in name:
        return "unsafe file name in zip (NUL byte): refused"
    if len(name) > 255:
        return f"file name in zip too long ({len(name)} characters): refused"
    return None
