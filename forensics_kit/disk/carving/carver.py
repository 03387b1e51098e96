"""Carve files out of unallocated space (or a whole image or blob) by header and structure.

Headers are found window by window (bounded memory) in one YARA pass over all of
them (3.5x faster than ``bytes.find`` per header, measured on 128 MiB); each
candidate goes to its :class:`~forensics_kit.disk.carving.signature.Signature`,
which walks the structure to the file's end. Carved files are written as
``<offset>.<ext>`` into the output folder only, hashed as they are copied, and
headers inside a file already carved (a ZIP's members) are not carved again.
They are written as ``disk export`` writes (:mod:`forensics_kit.safe_output`): a
link already in the folder is never followed and an existing file is never
overwritten (the new one is named ``<offset> (2).<ext>``, and the report says so).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from forensics_kit.disk.blockmap import build_block_map
from forensics_kit.disk.carving.signature import Cursor, Signature, signatures_for
from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.media_source import MediaSource, open_source
from forensics_kit.errors import ForensicsKitError
from forensics_kit.safe_output import OutputFolder
from forensics_kit.yara.rules import Rules, compile_rules, hex_string
from forensics_kit.yara.windows import WINDOW, iter_windows, match_window

REPORT_FIELDS = ("offset", "size", "type", "name", "md5", "sha256", "source")


@dataclass(frozen=True, slots=True)
class Carved:
    """One carved file.

    Attributes:
        offset: absolute byte offset of its header in the image.
        size: bytes carved.
        type: extension of the detected type (``jpg``, ``docx``...).
        name: file name in the output folder (``<offset>.<ext>``; ``<offset> (2).<ext>``
            when a file of that name was already there).
        md5, sha256: of the carved bytes.
        source: ``unallocated`` (found in unallocated space) or ``raw`` (whole media).
    """

    offset: int
    size: int
    type: str
    name: str
    md5: str
    sha256: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


def carve(
    img_or_path: DiskImage | str | Path,
    out_dir: str | Path,
    *,
    types: Iterable[str] | None = None,
    all_media: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    window: int = WINDOW,
) -> Iterator[Carved]:
    """Carve every file of the chosen types into ``out_dir``, in offset order.

    Args:
        img_or_path: an opened image, an image file or a plain blob.
        out_dir: folder for the carved files (created; nothing is written elsewhere).
        types: type names (``jpg``, ``png``, ``gif``, ``pdf``, ``zip``); None means all.
        all_media: carve the whole media; by default an image with file systems is
            carved in its unallocated space only (deleted files' blocks and space
            outside the file systems included). A blob is always carved whole.

    Raises:
        ForensicsKitError: unknown type, or the output folder cannot be written.
    """
    sigs = signatures_for(types)
    with OutputFolder(Path(out_dir)) as folder, open_source(img_or_path) as source:
        if all_media or source.image is None or not source.image.filesystems():
            ranges, label = [(0, source.size)], "raw"
        else:
            ranges, label = list(build_block_map(source.image).unallocated_ranges()), "unallocated"
        total = sum(end - start for start, end in ranges)
        state = _State(source, folder, label, sigs, progress, total)
        for start, end in ranges:
            yield from state.carve_range(start, end, window)


class _State:
    """What a carve keeps across ranges and windows: where the last carved file ends, progress."""

    def __init__(self, source: MediaSource, out: OutputFolder, label: str, sigs: list[Signature], progress, total: int):
        self.source, self.out, self.label, self.sigs = source, out, label, sigs
        self.progress, self.total, self.done = progress, total, 0
        self.skip_until = -1
        self.overlap = max(len(h) for sig in sigs for h in sig.headers) - 1
        self.rules = _header_rules(sigs)

    def carve_range(self, start: int, end: int, window: int) -> Iterator[Carved]:
        for win in iter_windows(self.source.read, start, end, window=window, overlap=self.overlap):
            found: list[tuple[int, int, Signature]] = []
            for hit in match_window(self.rules, win):
                for string in hit.strings:
                    rank = int(string.identifier[2:].split("_")[0])
                    found.append((string.offset, rank, self.sigs[rank]))
            found.sort(key=lambda item: item[:2])
            for offset, _rank, sig in found:
                if offset < self.skip_until:
                    continue
                limit = min(sig.max_size, self.source.size - offset)
                result = sig.carve(Cursor(self.source.read, offset, limit))
                if result is None:
                    continue
                size, ext = result
                self.skip_until = offset + size
                yield self._write(offset, size, ext)
            self.done += win.keep
            if self.progress:
                self.progress("carving", self.done, self.total)

    def _write(self, offset: int, size: int, ext: str) -> Carved:
        md5, sha256 = hashlib.md5(), hashlib.sha256()
        fd, name = self.out.create((), f"{offset}.{ext}")  # exclusive, never through a link
        try:
            with os.fdopen(fd, "wb") as handle:
                pos = offset
                while pos < offset + size:
                    chunk = self.source.read(pos, min(1 << 20, offset + size - pos))
                    if not chunk:
                        break
                    md5.update(chunk)
                    sha256.update(chunk)
                    handle.write(chunk)
                    pos += len(chunk)
        except OSError as exc:
            where = self.out.out_dir / name
            raise ForensicsKitError(f"{where}: cannot write the carved file: {exc.strerror or exc}") from exc
        return Carved(offset, size, ext, name, md5.hexdigest(), sha256.hexdigest(), self.label)


def _header_rules(sigs: list[Signature]) -> Rules:
    """One YARA rule whose strings are every header of every signature (``$h<rank>_<n>``)."""
    strings = [f"$h{rank}_{n} = {hex_string([[bytes([b])] for b in header])}"
               for rank, sig in enumerate(sigs) for n, header in enumerate(sig.headers)]
    return compile_rules("rule carving_headers {\nstrings:\n" + "\n".join(strings) + "\ncondition:\nany of them\n}")


def write_report(carved: Iterable[Carved], out_dir: str | Path) -> tuple[Path, Path]:
    """Write ``report.csv`` and ``report.json`` (one record per carved file) into ``out_dir``.

    A report already there is kept and ours is numbered (``report (2).csv``); the paths
    written are returned.
    """
    out = Path(out_dir)
    rows = [c.to_dict() for c in carved]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=REPORT_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    written = []
    try:
        with OutputFolder(out) as folder:
            for name, body in (("report.csv", text.getvalue()), ("report.json", json.dumps(rows, indent=2) + "\n")):
                fd, relative = folder.create_root(name)
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                    handle.write(body)
                written.append(out / relative)
    except OSError as exc:
        raise ForensicsKitError(f"{out}: cannot write the carving report: {exc.strerror or exc}") from exc
    return written[0], written[1]
