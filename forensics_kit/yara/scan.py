"""Run YARA rules over every file of a disk image (deleted ones too) or over its raw media.

:func:`scan_files` reads each file through TSK, so a deleted file is scanned with
the content ``icat`` would recover; files up to one window are scanned whole (the
rules see the real ``filesize``), bigger ones in overlapping windows.
:func:`scan_raw` scans the media itself, slack and unallocated space included,
and names the owner of each match with the block map.

Both read raw bytes: the text of a deflated zip member (docx, xlsx, docm, zip)
or of an OVBA-compressed VBA module is not there for a rule to see. With
``containers=True``, :func:`scan_files` also scans what an examiner unpacks from
each zip or OLE file (:func:`forensics_kit.artefacts.inner.inner_streams`):
every member inflated, every VBA module's source decompressed, each match
naming its place in the container (``member``: ``word/vbaProject.bin!VBA/ThisDocument``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forensics_kit.disk.blockmap import BlockMap, Owner, build_block_map
from forensics_kit.disk.containers import one_line
from forensics_kit.disk.image import DiskImage
from forensics_kit.disk.media_source import open_source
from forensics_kit.disk.walker import open_content, resolve_path
from forensics_kit.errors import ForensicsKitError
from forensics_kit.yara.rules import Rules, compile_rules
from forensics_kit.yara.windows import OVERLAP, WINDOW, RuleHit, StringHit, Window, match_window, scan_reader

Progress = Callable[[str, int, int], None] | None


@dataclass(slots=True)
class YaraMatch:
    """One rule matching one file (or one place of the raw media).

    Attributes:
        rule, tags, meta: the rule's identifier, tags and meta values.
        path, inode, allocated, partition: the file (raw scan: the owner of ``offset``).
        offset: for a raw scan, absolute image offset of the first string match.
        strings: every string match: identifier, offset (in the file, or absolute
            for a raw scan), length and the first bytes matched.
        owner: for a raw scan, what owns ``offset`` (file, slack, unallocated...).
        member: for a match inside a container (``containers=True``), the unpacked
            stream's path in the file (zip member, ``!`` and VBA module stream...);
            ``strings`` offsets are then in that stream.
    """

    rule: str
    tags: list[str]
    meta: dict[str, Any]
    path: str | None
    inode: int | None
    allocated: bool | None
    partition: int | None = None
    offset: int | None = None
    strings: list[StringHit] = field(default_factory=list)
    owner: Owner | None = None
    member: str | None = None

    @property
    def where(self) -> str | None:
        """The file's path, with the container path of an unpacked stream after ``!``."""
        return f"{self.path}!{self.member}" if self.member else self.path

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (matched bytes as text with escapes)."""
        return {
            "rule": self.rule,
            "tags": self.tags,
            "meta": self.meta,
            "path": self.path,
            "inode": self.inode,
            "allocated": self.allocated,
            "partition": self.partition,
            "offset": self.offset,
            "owner": self.owner.to_dict() if self.owner else None,
            "member": self.member,
            "strings": [
                {"identifier": s.identifier, "offset": s.offset, "length": s.length,
                 "data": s.data.decode("latin-1").encode("unicode_escape").decode("ascii")}
                for s in self.strings
            ],
        }


def _rules(rules: Rules | str | Path) -> Rules:
    return rules if isinstance(rules, Rules) else compile_rules(rules)


def scan_files(
    img: DiskImage,
    rules: Rules | str | Path,
    partition: int | None = None,
    include_deleted: bool = True,
    progress: Progress = None,
    *,
    window: int = WINDOW,
    overlap: int = OVERLAP,
    containers: bool = False,
) -> Iterator[YaraMatch]:
    """Yield a match for every rule matching a file's content (deleted files too).

    With ``containers``, each zip or OLE file is also unpacked and every member and
    VBA module source scanned on its own (matches carry ``member``). A file that
    cannot be read (a deleted file whose blocks are gone) is skipped with a line in
    ``img.warnings``, and so is a member that cannot be unpacked.
    """
    compiled = _rules(rules)
    done = 0
    for record in img.walk(partition):
        if record.type != "file" or record.size <= 0 or (not include_deleted and not record.allocated):
            continue
        done += 1
        if progress and done % 64 == 0:
            progress("yara: files", done, 0)
        try:
            hits = list(_scan_one(img, record, compiled, window, overlap))
        except ForensicsKitError as exc:
            img.warnings.append(f"{record.path}: not scanned: {exc}")
            continue
        for hit in hits:
            yield YaraMatch(hit.rule, hit.tags, hit.meta, record.path, record.inode, record.allocated,
                            record.partition, None, hit.strings)
        if containers:
            yield from _scan_members(img, record, compiled)


def _scan_members(img: DiskImage, record, rules: Rules) -> Iterator[YaraMatch]:
    """Matches in the unpacked members of one zip or OLE file (nothing for other files)."""
    from forensics_kit.artefacts.inner import MAX_MEMBER_BYTES, inner_streams, is_container

    if record.stream is not None or record.size > MAX_MEMBER_BYTES:
        return
    try:
        head = next(iter(img.iter_content(inode=record.inode, partition=record.partition, chunk_size=8)), b"")
        if not is_container(head):
            return
        data = img.read(inode=record.inode, partition=record.partition)
    except ForensicsKitError as exc:
        img.warnings.append(f"{record.path}: not unpacked: {exc}")
        return
    for member, content in inner_streams(data, record.path, img.warnings):
        for hit in match_window(rules, Window(0, content, len(content))):
            yield YaraMatch(hit.rule, hit.tags, hit.meta, record.path, record.inode, record.allocated,
                            record.partition, None, hit.strings, member=member)


def _scan_one(img: DiskImage, record, rules: Rules, window: int, overlap: int) -> Iterator[RuleHit]:
    ofs = img._select(record.partition)  # noqa: SLF001 - same kit
    inode, stream = record.inode, record.stream
    if stream is not None:
        inode, stream = resolve_path(ofs, record.path)
    file, attr_type, attr_id, size = open_content(ofs, int(inode), stream, record.path)

    def read(offset: int, want: int) -> bytes:
        try:
            return file.read_random(offset, min(want, size - offset), attr_type, attr_id)
        except (OSError, RuntimeError) as exc:
            raise ForensicsKitError(f"read failed at byte {offset}: {one_line(exc)}") from exc

    if size <= window + overlap:
        data = read(0, size)
        yield from match_window(rules, Window(0, data, len(data)))
        return
    merged: dict[str, RuleHit] = {}  # one match per rule and file, with the strings of every window
    for _win, hits in scan_reader(read, 0, size, rules, window=window, overlap=overlap):
        for hit in hits:
            if hit.rule in merged:
                merged[hit.rule].strings.extend(hit.strings)
            else:
                merged[hit.rule] = hit
    yield from merged.values()


def scan_raw(
    img_or_path: DiskImage | str | Path,
    rules: Rules | str | Path,
    progress: Progress = None,
    *,
    owners: bool = True,
    window: int = WINDOW,
    overlap: int = OVERLAP,
) -> Iterator[YaraMatch]:
    """Scan the whole media in overlapping windows; offsets are absolute in the image.

    With ``owners``, a rule's string matches are grouped by what owns them (a file,
    its slack, unallocated space; the block map is built at the first match), one
    :class:`YaraMatch` per rule and owner in each window; without, one per rule and
    window. A string match is reported once even across window boundaries (up to
    ``overlap`` bytes long).
    """
    compiled = _rules(rules)
    with open_source(img_or_path) as source:
        block_map: BlockMap | None = None
        for _win, hits in scan_reader(source.read, 0, source.size, compiled, window=window, overlap=overlap,
                                      progress=progress, step="yara: media"):
            for hit in hits:
                if not owners or not hit.strings:
                    offset = hit.strings[0].offset if hit.strings else _win.offset
                    yield YaraMatch(hit.rule, hit.tags, hit.meta, None, None, None, None, offset, hit.strings)
                    continue
                if source.image is not None and block_map is None:
                    block_map = build_block_map(source.image)
                groups: dict[Owner, list[StringHit]] = {}
                for string in hit.strings:
                    owner = block_map.owner(string.offset) if block_map else Owner("unpartitioned")
                    groups.setdefault(owner, []).append(string)
                for owner, strings in groups.items():
                    allocated = (not owner.deleted) if owner.path else None
                    yield YaraMatch(hit.rule, hit.tags, hit.meta, owner.path, owner.inode, allocated,
                                    owner.partition, strings[0].offset, strings, owner)
