"""Export files from a disk image into a folder, with a hash manifest, never writing outside it.

One file, a folder (recursively), every deleted file, or everything, can be
exported, from the current volume (APFS too) or from one of its volume shadow
copies (an earlier version of a file); the folder structure of the evidence is kept under ``out_dir``. Names
from the evidence go through :mod:`forensics_kit.disk.names`, and every folder
and file is created relative to an open folder handle with ``O_NOFOLLOW`` and
``O_EXCL``: a symbolic link already in ``out_dir`` is never followed, an existing
file is never overwritten (the new file gets a ``name (2).ext`` suffix and the
manifest says where it went). Each file is hashed (MD5, SHA-256) as it is written;
``manifest.csv`` and ``manifest.json`` list them all.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.records import FileRecord
from forensics_kit.errors import ForensicsKitError, NotFoundError
from forensics_kit.safe_output import OutputFolder as _Target  # shared with net export / net stream --raw

MANIFEST_FIELDS = ("path", "inode", "partition", "shadow", "size", "allocated", "md5", "sha256", "exported_as")

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class ExportedFile:
    """One exported file: where it was in the evidence and where it went.

    Attributes:
        path: path in the evidence, as :meth:`DiskImage.walk` lists it.
        shadow: the volume shadow copy it was read from (None: the current volume).
        exported_as: ``/``-separated path of the copy, relative to the output folder.
    """

    path: str
    inode: int
    partition: int | None
    size: int
    allocated: bool
    md5: str
    sha256: str
    exported_as: str
    shadow: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ExportReport:
    """What an export did: files written, files skipped (with why), the manifest files."""

    out_dir: str
    files: list[ExportedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    manifest_csv: str | None = None
    manifest_json: str | None = None

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": self.out_dir,
            "files": [f.to_dict() for f in self.files],
            "skipped": list(self.skipped),
            "manifest_csv": self.manifest_csv,
            "manifest_json": self.manifest_json,
        }


def _select(
    img: DiskImage,
    paths: Iterable[str] | None,
    inode: int | None,
    folder: str | None,
    deleted_only: bool,
    partition: int | None,
    shadow: int | None,
) -> list[FileRecord]:
    patterns = [p if p.startswith("/") else "/" + p for p in paths] if paths is not None else None
    under = None if folder is None else "/" + folder.strip("/") + "/"
    chosen: list[FileRecord] = []
    for record in img.walk(partition, shadow=shadow):
        if record.type != "file":
            continue
        if inode is not None and record.inode != inode:
            continue
        if deleted_only and record.allocated:
            continue
        if patterns is not None and not any(
            record.path == p or fnmatch.fnmatchcase(record.path, p) for p in patterns
        ):
            continue
        if under is not None and not (record.path.startswith(under) or under == "//"):
            continue
        chosen.append(record)
    if inode is not None and len(chosen) > 1:  # hard links or a deleted name of the same inode: one copy
        chosen.sort(key=lambda r: not r.allocated)
        chosen = chosen[:1]
    return chosen


def export_files(
    img: DiskImage,
    out_dir: str | Path,
    *,
    paths: Iterable[str] | None = None,
    inode: int | None = None,
    folder: str | None = None,
    deleted_only: bool = False,
    partition: int | None = None,
    shadow: int | None = None,
    progress: Progress | None = None,
) -> ExportReport:
    """Copy files out of an image into ``out_dir``, with ``manifest.csv`` and ``manifest.json``.

    With no selector every file is exported. Selectors combine (all must hold).

    Args:
        img: the opened image (read-only; never modified).
        out_dir: output folder, created if missing; nothing is written outside it.
        paths: paths or glob patterns (``/DOCS/*.txt``) of files in the evidence.
        inode: one file by inode (metadata address).
        folder: everything under this folder, recursively.
        deleted_only: only deleted (unallocated) files.
        partition: partition index; None means every file system.
        shadow: export from this volume shadow copy (from 1, see
            :meth:`DiskImage.shadow_copies`) of the NTFS volume, not its current state.
        progress: ``progress(step, done, total)`` per file.

    Raises:
        NotFoundError: the selection matched nothing, or no such shadow copy.
    """
    out = Path(out_dir)
    chosen = _select(img, paths, inode, folder, deleted_only, partition, shadow)
    if not chosen:
        where = "" if shadow is None else f" in shadow copy {shadow}"
        raise NotFoundError(f"{img.path}: no file{where} matches the selection to export")
    several = len({r.partition for r in chosen}) > 1 or (partition is None and len(img.filesystems()) > 1)
    target = _Target(out)
    report = ExportReport(str(out))
    try:
        target.names.reserve((), "manifest.csv")
        target.names.reserve((), "manifest.json")
        for number, record in enumerate(chosen, 1):
            if progress is not None:
                progress("exporting", number - 1, len(chosen))
            # The name itself may hold "/" (a crafted entry): it stays one component.
            parent = record.path[: len(record.path) - len(record.name)]
            parts = tuple(p for p in parent.split("/") if p) + (record.name,)
            if several:
                parts = (f"partition-{record.partition}",) + parts
            try:
                exported = _copy(img, target, record, parts, shadow)
            except (ForensicsKitError, OSError) as exc:
                report.skipped.append(f"{record.path}: {_reason(exc)}")
                continue
            report.files.append(exported)
        if progress is not None:
            progress("exporting", len(chosen), len(chosen))
        report.manifest_csv, report.manifest_json = _write_manifests(target, report.files)
    finally:
        target.close()
    return report


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _copy(
    img: DiskImage, target: _Target, record: FileRecord, parts: tuple[str, ...], shadow: int | None
) -> ExportedFile:
    if record.inode == 0:
        raise NotFoundError("deleted name without metadata (inode 0): no content to recover")
    content = img._open_record(record, shadow)  # noqa: SLF001 - same package: by inode and stream, same state
    local_folder = target.folder(parts[:-1])
    fd, relative = target.create(local_folder, parts[-1] if parts else f"inode-{record.inode}")
    md5, sha256 = hashlib.md5(), hashlib.sha256()
    written = 0
    with os.fdopen(fd, "wb") as stream:
        for chunk in content.chunks():
            stream.write(chunk)
            md5.update(chunk)
            sha256.update(chunk)
            written += len(chunk)
    return ExportedFile(
        record.path, record.inode, record.partition, written, record.allocated,
        md5.hexdigest(), sha256.hexdigest(), relative, shadow,
    )


def _write_manifests(target: _Target, files: list[ExportedFile]) -> tuple[str, str]:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(MANIFEST_FIELDS)
    for f in files:
        row = f.to_dict()
        writer.writerow([row[k] for k in MANIFEST_FIELDS])
    body = json.dumps([f.to_dict() for f in files], ensure_ascii=False, indent=2) + "\n"
    written = []
    for name, data in (("manifest.csv", text.getvalue()), ("manifest.json", body)):
        fd, relative = _exclusive_root(target, name)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(data)
        written.append(str(target.out_dir / relative))
    return written[0], written[1]


def _exclusive_root(target: _Target, name: str) -> tuple[int, str]:
    """Create a manifest in the output root; an existing one is kept and ours is numbered."""
    return target.create_root(name)
