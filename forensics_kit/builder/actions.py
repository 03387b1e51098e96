"""What happens to a planted item besides being written: a registry of small actions.

Each action is a key of a recipe item (``slack: {text: ...}``). ``plan`` runs
before anything is written (checks, and changes to the bytes or name of the
item); ``apply`` runs on the finished volume, before deletions, with the item's
blocks as The Sleuth Kit sees them, and writes into the volume file. Each returns
the facts it adds to the item's truth (volume byte offsets; the disk evidence
turns them into image offsets, sectors and blocks).
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

import pytsk3

from forensics_kit.builder import ntfs_mft
from forensics_kit.builder.content import make_content
from forensics_kit.builder.registry import Registered
from forensics_kit.builder.volume import FileSystemType, Plant
from forensics_kit.errors import BuildError
from forensics_kit.hashing import hash_bytes
from forensics_kit.timefmt import iso_utc, parse_iso

_SIGNATURES = [
    (b"\xff\xd8\xff", "jpeg"),
    (b"PK\x03\x04", "zip"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"%PDF", "pdf"),
    (b"GIF8", "gif"),
    (b"MZ", "exe"),
    (b"<!DOCTYPE html", "html"),
    (b"<html", "html"),
]


def true_type(data: bytes) -> str:
    """What a file really is, from its first bytes (``text`` for printable content)."""
    for magic, name in _SIGNATURES:
        if data.startswith(magic):
            return name
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "data"
    return "text"


@dataclass
class Located:
    """Where a planted file's content sits in its volume (TSK's view).

    Attributes:
        block_size: bytes per TSK block (a sector on FAT, a cluster/block elsewhere).
        runs: ``(first block, block count)`` of the content, in file order.
        resident: the content lives inside the metadata (small NTFS files).
    """

    inode: int
    size: int
    block_size: int
    runs: list[tuple[int, int]]
    resident: bool

    def volume_offset(self, file_offset: int) -> int:
        """Volume byte offset of a byte of the file (also past EOF inside the last block)."""
        block, within = divmod(file_offset, self.block_size)
        for start, count in self.runs:
            if block < count:
                return (start + block) * self.block_size + within
            block -= count
        raise BuildError(f"offset {file_offset} lies outside the file's blocks")

    def blocks(self) -> set[int]:
        return {start + n for start, count in self.runs for n in range(count)}


def locate(volume: Path, path: str, ads: str | None = None) -> Located:
    """Open the volume with pytsk3 and find the blocks of ``path`` (or of its stream)."""
    try:
        fs = pytsk3.FS_Info(pytsk3.Img_Info(str(volume)))
        entry = fs.open(path)
    except OSError as exc:
        raise BuildError(f"{volume.name}: cannot find {path} after planting: {exc}") from exc
    for attr in entry:
        kind, name = int(attr.info.type), attr.info.name
        name = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
        if kind in (1, 128) and (name or None) == ads:
            runs = [(int(r.addr), int(r.len)) for r in attr if int(r.len)]
            return Located(
                int(entry.info.meta.addr),
                int(attr.info.size),
                int(fs.info.block_size),
                runs,
                bool(int(attr.info.flags) & int(pytsk3.TSK_FS_ATTR_RES)),
            )
    raise BuildError(f"{volume.name}: {path} has no data stream")


class ItemAction(Registered):
    """Contract: ``plan(plant, value, fs, fail)`` then ``apply(plant, value, located, volume) -> facts``."""

    kind: ClassVar[str] = "item action"
    registry: ClassVar[dict[str, type[Registered]]] = {}

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:  # noqa: B027 - optional hook
        """Check the value and change the plant before it is written."""

    @abstractmethod
    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        """Change the built volume; return facts for the item's truth."""


def _written(volume: Path, offset: int, data: bytes) -> None:
    with open(volume, "r+b") as stream:
        stream.seek(offset)
        stream.write(data)


class Rename(ItemAction):
    """``rename_to``: the file ends up under another name (often a wrong extension)."""

    name = "rename_to"

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:
        plant.facts["original_path"] = plant.path
        plant.facts["original_name"] = PurePosixPath(plant.path).name
        plant.path = str(value)

    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        return {}


class AppendAfterEof(ItemAction):
    """``append_after_eof``: bytes appended to the file (a ZIP after a JPEG's end marker)."""

    name = "append_after_eof"

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:
        extra = make_content(value, plant.rng("append"))
        plant.facts["appended"] = {"file_offset": len(plant.data), "size": len(extra), **hash_bytes(extra)}
        plant.data += extra

    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        facts = dict(plant.facts["appended"])
        if not located.resident:
            facts["volume_offset"] = located.volume_offset(facts["file_offset"])
        return {"appended": facts}


class Slack(ItemAction):
    """``slack``: text written after the file's end inside its last block; the size stays."""

    name = "slack"

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:
        if not value.get("text"):
            raise fail("slack.text: give the text to hide in the slack")

    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        data = value["text"].encode("utf-8")
        room = -located.size % located.block_size if located.block_size else 0
        where = f"{plant.path} ({located.size} bytes, {located.block_size}-byte blocks)"
        if located.resident:
            raise BuildError(f"slack of {where}: the content is resident in the MFT; make the file larger")
        if located.block_size and located.size % located.block_size == 0:
            room = 0
        if len(data) > room:
            raise BuildError(f"slack of {where}: {len(data)} bytes do not fit in the {room} bytes of slack")
        offset = located.volume_offset(located.size)
        _written(volume, offset, data)
        return {"slack": {"volume_offset": offset, "size": len(data), "text": value["text"], **hash_bytes(data)}}


class Overwrite(ItemAction):
    """``overwrite``: part of the content replaced in place (e.g. wiped by a later write)."""

    name = "overwrite"

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:
        data = value["text"].encode("utf-8")
        if value["offset"] + len(data) > len(plant.data):
            raise fail(f"overwrite: {len(data)} bytes at offset {value['offset']} pass the end of the "
                       f"{len(plant.data)}-byte file")
        plant.facts["original_sha256"] = hash_bytes(plant.data)["sha256"]

    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        data = value["text"].encode("utf-8")
        if located.resident:
            raise BuildError(f"overwrite of {plant.path}: the content is resident in the MFT; make the file larger")
        for index in range(len(data)):  # byte by byte: the range may cross a block boundary
            _written(volume, located.volume_offset(value["offset"] + index), data[index : index + 1])
        start = located.volume_offset(value["offset"])
        return {"overwritten": {"file_offset": value["offset"], "size": len(data), "volume_offset": start}}


class AlternateStream(ItemAction):
    """``ads``: a named NTFS data stream next to the file's content (``file:name``)."""

    name = "ads"

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:
        if not fs.supports_ads:
            raise fail(f"ads: alternate data streams need NTFS, not {fs.name}")
        if any(c in value["name"] for c in ':/\\\x00'):
            raise fail(f"ads.name: {value['name']!r} must not contain ':', '/' or '\\'")
        plant.ads = (value["name"], make_content(value["content"], plant.rng("ads")))

    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        assert plant.ads is not None
        return {"ads": {"name": plant.ads[0], "path": f"{plant.path}:{plant.ads[0]}", "size": len(plant.ads[1]),
                        **hash_bytes(plant.ads[1])}}


class Timestomp(ItemAction):
    """``timestomp``: $STANDARD_INFORMATION times backdated in the MFT record, as timestomp/SetMACE do.

    Only the four $SI FILETIMEs change (a time left out stays); $FILE_NAME and the
    directory's index entry keep the times the driver wrote at creation, so a
    trainee spots the stomp by comparing the two (istat, ``fls -m``). Stomped times
    may lie outside the case window: backdating is the point.
    """

    name = "timestomp"

    def plan(self, plant: Plant, value: Any, fs: FileSystemType, fail) -> None:
        if fs.name != "ntfs":
            raise fail(f"timestomp: $STANDARD_INFORMATION times are NTFS metadata, not {fs.name}")
        stomped = {}
        for field in ntfs_mft.TIME_FIELDS:
            if field in value:
                stomped[field] = _stomp_time(value[field], lambda p, f=field: fail(f"timestomp.{f}: {p}"))
        if not stomped:
            raise fail(f"timestomp: give at least one of {', '.join(ntfs_mft.TIME_FIELDS)}")
        plant.facts["timestomp_filetimes"] = stomped

    def apply(self, plant: Plant, value: Any, located: Located, volume: Path) -> dict[str, Any]:
        record = ntfs_mft.read_record(volume, located.inode)
        before = record.times(ntfs_mft.STANDARD_INFORMATION)
        file_name = record.times(ntfs_mft.FILE_NAME)
        record.set_standard_times(plant.facts["timestomp_filetimes"])
        ntfs_mft.write_record(volume, record)
        after = ntfs_mft.read_record(volume, located.inode)  # the fixups must check out again
        if after.data != record.data:
            raise BuildError(f"timestomp of {plant.path}: MFT entry {located.inode} reads back different bytes")
        stomped = after.times(ntfs_mft.STANDARD_INFORMATION)
        facts = {"mft_entry": located.inode, "volume_offset": record.strides[0], "si": _iso_times(stomped),
                 "fn": _iso_times(file_name), "si_before": _iso_times(before)}  # fmt: skip
        return {"timestomp": facts}


def _stomp_time(value: Any, fail) -> int:
    """FILETIME of a recipe time; after 1970 (TSK shows earlier times as unset) and before 2106."""
    try:
        when = parse_iso(str(value))
    except ValueError:
        raise fail(f"bad time {value!r} (use e.g. 2019-06-01T10:00:00Z)") from None
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    seconds = delta.days * 86400 + delta.seconds
    if not 0 < seconds < 1 << 32:
        raise fail(f"time {value} must lie between 1970 and 2106 (The Sleuth Kit shows earlier times as unset)")
    return ntfs_mft.filetime(seconds, delta.microseconds * 1000)


def _iso_times(filetimes: dict[str, int]) -> dict[str, str | None]:
    return {field: iso_utc(*ntfs_mft.posix(filetimes[field])) for field in ntfs_mft.TIME_FIELDS}


ACTION_KEYS = ("rename_to", "append_after_eof", "slack", "overwrite", "ads", "timestomp")


def place_unallocated(
    volume: Path, traces: list[tuple[str, bytes]], busy: set[int], rng, unit: tuple[int, int] = (0, 1)
) -> dict[str, dict[str, Any]]:
    """Write each trace into free blocks no planted file used; return volume offsets by trace id.

    Blocks are chosen by ``rng`` among the free runs of the second half of the
    volume (aligned to ``unit`` = (first data block, blocks per cluster) on FAT), so
    a deleted file's freed blocks and the slack of live files stay untouched.
    """
    from forensics_kit.builder.volume import run_env

    listing = run_env("blkls", ["-A", "-l", volume])
    free = {int(line.split("|")[0]) for line in listing.splitlines() if line[:1].isdigit() and line.endswith("|f")}
    free -= busy
    block_size = int(pytsk3.FS_Info(pytsk3.Img_Info(str(volume))).info.block_size)
    first, per = unit
    out: dict[str, dict[str, Any]] = {}
    for trace_id, data in traces:
        need = -(-len(data) // (block_size * per)) * per
        starts = sorted(
            s for s in free if (s - first) % per == 0 and s >= first and all(s + n in free for n in range(need))
        )
        if not starts:
            raise BuildError(f"{volume.name}: no {need} free blocks left for the unallocated trace {trace_id!r}")
        start = rng.choice(starts[len(starts) // 2 :])
        _written(volume, start * block_size, data)
        free -= set(range(start, start + need))
        busy |= set(range(start, start + need))
        out[trace_id] = {"volume_offset": start * block_size, "block": start, "block_size": block_size,
                         "size": len(data), **hash_bytes(data)}
    return out
