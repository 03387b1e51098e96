"""Hash sets: find files in an image whose hash is on a list of known (bad) hashes.

A hash set is a text file, one hash per line, MD5, SHA-1 and SHA-256 mixed
(told apart by length), ``#`` comments, and ``md5sum``/``sha256sum`` output
(``hash  filename`` or ``hash *filename``) accepted as is, the file name kept as
a label. Every file of the image, deleted ones included, is hashed once with
just the algorithms the set uses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.records import FileRecord
from forensics_kit.errors import ForensicsKitError
from forensics_kit.hashing import hash_chunks

ALGORITHM_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256"}
_LINE = re.compile(r"^([0-9A-Fa-f]+)(?:\s+\*?(.*))?$")

Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class HashSet:
    """Known hashes by algorithm, with the label (file name) each came with, if any."""

    source: str
    hashes: dict[str, dict[str, str | None]] = field(default_factory=dict)  # algorithm -> hash -> label

    @property
    def algorithms(self) -> list[str]:
        return [a for a in ("md5", "sha1", "sha256") if self.hashes.get(a)]

    def __len__(self) -> int:
        return sum(len(v) for v in self.hashes.values())

    def lookup(self, digests: dict[str, str]) -> Iterator[tuple[str, str, str | None]]:
        """(algorithm, hash, label) for each of ``digests`` that is in the set."""
        for algorithm, digest in digests.items():
            known = self.hashes.get(algorithm, {})
            if digest in known:
                yield algorithm, digest, known[digest]


def load_hashset(path: str | Path) -> HashSet:
    """Read a hash-set file.

    Raises:
        ForensicsKitError: unreadable file, or a line that is not a hash (named by number).
    """
    try:
        text = Path(path).read_text("utf-8", errors="replace")
    except OSError as exc:
        raise ForensicsKitError(f"{path}: cannot read hash set: {exc.strerror or exc}") from exc
    hashset = HashSet(str(path))
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        algorithm = ALGORITHM_BY_LENGTH.get(len(match.group(1))) if match else None
        if match is None or algorithm is None:
            raise ForensicsKitError(
                f"{path}: line {number}: not an MD5, SHA-1 or SHA-256 hash (32, 40 or 64 hex digits): {line[:80]!r}"
            )
        label = (match.group(2) or "").strip() or None
        hashset.hashes.setdefault(algorithm, {})[match.group(1).lower()] = label
    return hashset


@dataclass(slots=True, frozen=True)
class HashMatch:
    """A file of the image whose hash is in the hash set."""

    path: str
    inode: int
    partition: int | None
    allocated: bool
    size: int
    algorithm: str
    hash: str
    label: str | None = None  # the name the hash set gives it

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def match_hashset(
    img: DiskImage,
    hashset_file: str | Path | HashSet,
    partition: int | None = None,
    progress: Progress | None = None,
    *,
    shadow: int | None = None,
) -> Iterator[HashMatch]:
    """Yield every file (deleted ones included) whose MD5, SHA-1 or SHA-256 is in the hash set.

    ``shadow`` hashes the files of that volume shadow copy of the NTFS volume
    instead of its current state. A file that cannot be read is skipped with a
    warning in ``img.warnings``.
    """
    hashset = hashset_file if isinstance(hashset_file, HashSet) else load_hashset(hashset_file)
    algorithms = hashset.algorithms
    if not algorithms:
        return
    records = [r for r in img.walk(partition, shadow=shadow) if r.type == "file" and r.inode]
    seen: dict[tuple, dict[str, str]] = {}
    for done, record in enumerate(records, 1):
        if progress is not None:
            progress("hashing files", done - 1, len(records))
        key = (record.partition, record.inode, record.stream)
        digests = seen.get(key)
        if digests is None:
            try:
                digests = seen[key] = _digests(img, record, algorithms, shadow)
            except (ForensicsKitError, OSError) as exc:
                img.warnings.append(f"{record.path}: not hashed: {str(exc).splitlines()[0]}")
                continue
        for algorithm, digest, label in hashset.lookup(digests):
            yield HashMatch(
                record.path, record.inode, record.partition, record.allocated, record.size, algorithm, digest, label
            )
    if progress is not None:
        progress("hashing files", len(records), len(records))


def _digests(img: DiskImage, record: FileRecord, algorithms: list[str], shadow: int | None) -> dict[str, str]:
    content = img._open_record(record, shadow)  # noqa: SLF001 - same package
    return hash_chunks(content.chunks(), algorithms)
