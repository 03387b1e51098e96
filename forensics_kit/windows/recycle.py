"""The Recycle Bin: ``$I`` records (original path, size, deletion time) and their ``$R`` content files.

The ``$I`` layout is tiny and read here by hand: version 1 (Vista to 8.1: header
and a 520-byte path) and version 2 (Windows 10 and 11: header, path length, path).

::

    from forensics_kit.windows import recycle_bin

    for entry in recycle_bin(img):     # every $Recycle.Bin\\<SID>\\$I... on the image
        entry.sid, entry.original_path, entry.deleted, entry.data_present
"""

from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from typing import Any

from forensics_kit.errors import EvidenceError
from forensics_kit.windows._source import load
from forensics_kit.windows._times import filetime_iso


@dataclass(frozen=True)
class RecycleEntry:
    """One deleted file: the ``$I`` record's fields and where its pair lives.

    ``data_present`` says whether the ``$R`` file (the content) is still there.
    """

    original_path: str
    size: int
    deleted: str | None
    version: int
    info_path: str | None = None
    data_path: str | None = None
    sid: str | None = None
    data_present: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_info(data: bytes, name: str = "<$I>") -> RecycleEntry:
    """Parse the bytes of one ``$I`` file.

    Raises:
        EvidenceError: an unknown version, or a record too short for what it declares.
    """
    if len(data) < 24:
        raise EvidenceError(name, f"a $I record is at least 24 bytes, this one is {len(data)}")
    version, size, deleted = struct.unpack_from("<QQQ", data)
    if version == 1:
        raw = data[24:24 + 520]
        if len(raw) < 2:
            raise EvidenceError(name, "a version 1 $I record has no path")
    elif version == 2:
        if len(data) < 28:
            raise EvidenceError(name, "a version 2 $I record ends before its path length")
        (chars,) = struct.unpack_from("<I", data, 24)
        raw = data[28:28 + 2 * chars]
        if chars == 0 or len(raw) < 2 * chars:
            raise EvidenceError(name, f"the $I path claims {chars} characters but the record holds "
                                      f"{max(len(data) - 28, 0) // 2}")
    else:
        raise EvidenceError(name, f"unknown $I version {version} (known: 1, 2)")
    path = raw.decode("utf-16-le", errors="replace").split("\0", 1)[0]
    return RecycleEntry(path, size, filetime_iso(deleted), version)


def read_info(source, path: str | None = None, *, name: str | None = None,
              partition: int | None = None) -> RecycleEntry:
    """One ``$I`` file: bytes, a local file, or ``path`` in a DiskImage."""
    data, label = load(source, path, name=name, partition=partition)
    return parse_info(data, label)


def recycle_bin(image, partition: int | None = None) -> list[RecycleEntry]:
    """Every ``$I`` record under ``$Recycle.Bin`` on the image (any case, any SID), with its ``$R`` pair.

    A damaged ``$I`` is skipped with a warning on the image (``image.warnings``), as a
    long walk survives one bad entry.
    """
    records = list(image.walk(partition))
    by_path = {r.path.lower(): r for r in records}
    entries: list[RecycleEntry] = []
    for record in records:
        parts = record.path.strip("/").split("/")
        if (len(parts) != 3 or parts[0].lower() != "$recycle.bin" or not parts[2].startswith("$I")
                or record.type != "file"):
            continue
        data_path = "/" + "/".join([parts[0], parts[1], "$R" + parts[2][2:]])
        partner = by_path.get(data_path.lower())
        try:
            data = image.read(inode=record.inode, partition=partition) if not record.allocated else image.read(
                record.path, partition=partition)
            entry = parse_info(data, record.path)
        except EvidenceError as exc:
            image.warnings.append(str(exc))
            continue
        entries.append(RecycleEntry(entry.original_path, entry.size, entry.deleted, entry.version, record.path,
                                    partner.path if partner else data_path, parts[1], partner is not None))
    return sorted(entries, key=lambda e: (e.deleted or "", e.info_path or ""))
