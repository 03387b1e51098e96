"""The ``disk`` evidence type: a raw image with one FAT file system and planted files.

Built with mkfs.fat and mtools on an image file, times patched byte-exactly, then
read back with :mod:`forensics_kit.disk` (The Sleuth Kit) so the truth holds what
an examiner's tools will show: paths, inodes, deleted flags, times, hashes.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any

from forensics_kit.builder import fat
from forensics_kit.builder.artefact import ArtefactTruth, BuildContext, EvidenceType
from forensics_kit.builder.content import make_content
from forensics_kit.builder.tools import ToolError
from forensics_kit.disk import open_image
from forensics_kit.errors import BuildError, ForensicsKitError
from forensics_kit.hashing import hash_bytes

_UNITS = {"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
_LABEL = re.compile(r"^[A-Z0-9 _!#$%&'()@^{}~-]{1,11}$")
_BAD_NAME = re.compile(r'[\\:*?"<>|\x00-\x1f]')
_MIN_SIZE = {"fat12": 1 << 20, "fat16": 8 << 20, "fat32": 33 << 20}
_MAX_SIZE = {"fat12": 32 << 20, "fat16": 2 << 30, "fat32": 64 << 30}
_CLUSTER_ESTIMATE = 4096  # above any cluster mkfs.fat picks for images this builder makes
_FALLBACK_FORMAT_TIME = "2024-01-01T00:00:00Z"


def parse_size(value: int | str) -> int:
    """Bytes in a size such as ``16777216``, ``"16MiB"`` or ``"512 KiB"``."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*", value)
    if not match:
        raise ValueError(f"bad size {value!r} (use e.g. 16MiB)")
    return int(match.group(1)) * _UNITS[match.group(2) or ""]


class DiskEvidence(EvidenceType):
    """A USB-stick-like raw image: no partition table, one FAT12/16/32 file system."""

    name = "disk"

    def build(self, entry: dict[str, Any], context: BuildContext, output: Path) -> ArtefactTruth:
        size, fs_type, label = self._check_volume(entry, context)
        items = entry.get("items", [])
        planned = [self._plan_item(index, item, context) for index, item in enumerate(items)]
        self._check_fits(planned, size, entry, context)
        format_time = self._format_time(entry, planned, context)
        default = fat.FatTimes(format_time, format_time, format_time)

        volume_id = context.rng(entry["id"], "volume-id").getrandbits(32)
        try:
            fat.format_image(output, size, fs_type, label, volume_id)
            for directory in fat.parent_directories([p["path"] for p in planned]):
                fat.make_directory(output, directory)
            for number, plan in enumerate(planned):
                source = context.scratch / f"item-{number}"
                source.write_bytes(plan["data"])
                fat.copy_in(output, source, plan["path"])
        except ToolError as exc:
            if "full" in str(exc).lower():
                raise context.fail(
                    (), f"the items do not fit on the {entry['size']} image"
                ) from exc
            raise context.fail((), str(exc)) from exc
        found = fat.set_times(output, {p["path"]: p["times"] for p in planned}, default)
        missing = [p["path"] for p in planned if p["path"] not in found]
        if missing:
            raise BuildError(f"{output.name}: planted file not found in the image: {missing[0]}")
        for plan in planned:
            if plan["deleted"]:
                fat.delete(output, plan["path"])
        return self._read_back(output, entry, planned)

    @staticmethod
    def _check_volume(entry: dict[str, Any], context: BuildContext) -> tuple[int, str, str]:
        try:
            size = parse_size(entry["size"])
        except ValueError as exc:
            raise context.fail(("size",), str(exc)) from None
        fs_type = entry["filesystem"]["type"]
        if size % 512:
            raise context.fail(("size",), "the size must be a multiple of 512 bytes")
        if not _MIN_SIZE[fs_type] <= size <= _MAX_SIZE[fs_type]:
            raise context.fail(
                ("size",),
                f"{fs_type} needs an image of {_MIN_SIZE[fs_type] >> 20}MiB "
                f"to {_MAX_SIZE[fs_type] >> 20}MiB",
            )
        label = str(entry["filesystem"].get("label", ""))
        if label and not _LABEL.match(label):
            raise context.fail(
                ("filesystem", "label"),
                f"label {label!r} must be 1-11 upper-case "
                "letters, digits, spaces or _-!#$%&'()@^{}~",
            )
        return size, fs_type, label

    @staticmethod
    def _plan_item(index: int, item: dict[str, Any], context: BuildContext) -> dict[str, Any]:
        where = ("items", index)
        path = str(item["path"])
        for part in PurePosixPath(path).parts[1:]:
            if _BAD_NAME.search(part) or part in (".", "..") or part != part.rstrip(". "):
                raise context.fail((*where, "path"), f"{part!r} is not a valid FAT file name")
        times = item.get("times", {})
        seconds = {key: context.time((*where, "times", key), value) for key, value in times.items()}
        return {
            "id": item["id"],
            "path": path,
            "deleted": bool(item.get("deleted", False)),
            "data": make_content(item["content"], context.rng("item", item["id"])),
            "seconds": seconds,
            "index": index,
        }

    @staticmethod
    def _check_fits(
        planned: list[dict[str, Any]], size: int, entry: dict[str, Any], context: BuildContext
    ) -> None:
        room, used = size * 9 // 10, 0
        for plan in planned:
            used += -(-len(plan["data"]) // _CLUSTER_ESTIMATE) * _CLUSTER_ESTIMATE
            if used > room:
                raise context.fail(
                    ("items", plan["index"]),
                    f"content of {len(plan['data'])} bytes does not fit: the items "
                    f"need more than the {entry['size']} image holds",
                )

    @staticmethod
    def _format_time(
        entry: dict[str, Any], planned: list[dict[str, Any]], context: BuildContext
    ) -> float:
        """Return when the stick was formatted and fill each plan's FAT times.

        Formatted: ``formatted``, else the window start, else the first item time;
        an item without a modified time gets it, created/accessed default to modified.
        """
        if "formatted" in entry:
            return context.time(("formatted",), entry["formatted"])
        window = context.recipe.window
        stamps = [s for plan in planned for s in plan["seconds"].values()]
        first = window[0] if window else min(stamps, default=None)
        first = context.time((), _FALLBACK_FORMAT_TIME) if first is None else first
        for plan in planned:
            s = plan["seconds"]
            modified = s.get("modified", first)
            plan["times"] = fat.FatTimes(
                created=s.get("created", modified),
                accessed=s.get("accessed", modified),
                modified=modified,
            )
        return first

    @staticmethod
    def _read_back(
        output: Path, entry: dict[str, Any], planned: list[dict[str, Any]]
    ) -> ArtefactTruth:
        try:
            with open_image(output) as image:
                filesystem = image.filesystems()[0]
                records = [
                    r
                    for r in image.walk()
                    if r.type == "file"
                    and not r.path.startswith("/$")
                    and not r.name.endswith("(Volume Label Entry)")
                ]
                by_path = {r.path.lower(): r for r in records}
                truth = ArtefactTruth()
                for plan in planned:
                    record = by_path.get(plan["path"].lower()) or _deleted_short_name(plan, records)
                    if record is None:
                        raise BuildError(
                            f"{output.name}: {plan['path']} is not listed when read back"
                        )
                    data = image.read(inode=record.inode, partition=record.partition)
                    if data != plan["data"]:
                        raise BuildError(f"{output.name}: {record.path} reads back different bytes")
                    truth.items[plan["id"]] = {
                        "evidence": entry["id"],
                        "path": record.path,
                        "name": record.name,
                        "inode": record.inode,
                        "size": record.size,
                        **hash_bytes(data),
                        "deleted": record.deleted,
                        "mtime": record.mtime,
                        "atime": record.atime,
                        "crtime": record.crtime,
                    }
        except ForensicsKitError:
            raise
        except (OSError, IndexError) as exc:
            raise BuildError(f"{output.name}: cannot read the built image back: {exc}") from exc
        deleted = sorted(r.path for r in records if r.deleted)
        truth.summary = {
            "filesystem": {
                "type": filesystem.type,
                "label": filesystem.label,
                "cluster_size": fat.cluster_size(output),
            },
            "deleted_count": len(deleted),
            "deleted_paths": deleted,
            "file_count": len(records),
        }
        return truth


def _deleted_short_name(plan: dict[str, Any], records: list) -> Any:
    """The record of a deleted 8.3-only name, whose first letter FAT overwrote (TSK shows ``_``)."""
    if not plan["deleted"]:
        return None
    wanted = PurePosixPath(plan["path"])
    for record in records:
        found = PurePosixPath(record.path)
        if (
            record.deleted
            and found.parent == wanted.parent
            and found.name[:1] == "_"
            and found.name[1:].lower() == wanted.name[1:].lower()
        ):
            return record
    return None
