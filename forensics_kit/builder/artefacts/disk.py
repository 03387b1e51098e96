"""The ``disk`` evidence type: a disk image with partitions, file systems and planted traces.

Each file system is made in a volume file of its own (``volume.py`` and its
implementations), its items planted, their blocks located with The Sleuth Kit,
item actions applied (slack, overwrite...), deletions done and unallocated
traces written; then the volumes are copied into the image at their offsets,
the partition table and gap data written, and the image delivered as raw,
split or E01. The truth is read back from the built bytes (see ``disk_truth``).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from forensics_kit.builder import containers, exfat, fat
from forensics_kit.builder import ext as _ext  # noqa: F401 - registers ext2/3/4
from forensics_kit.builder import ntfs as _ntfs  # noqa: F401 - registers ntfs
from forensics_kit.builder.actions import ACTION_KEYS, ItemAction, locate, place_unallocated
from forensics_kit.builder.artefact import ArtefactTruth, BuildContext, EvidenceType
from forensics_kit.builder.artefacts.disk_truth import read_back
from forensics_kit.builder.content import make_content
from forensics_kit.builder.contents.windows_system import resolve_volume_references
from forensics_kit.builder.partitions import (
    ALIGN,
    EXTENDED_LBA,
    EXTENDED_TYPES,
    SECTOR,
    ExtendedPlan,
    PartitionPlan,
    default_start,
    extended_for,
    free_ranges,
    gpt_name_for,
    inside_extended,
    mbr_type_for,
    overlaps,
    usable_range,
    write_table,
)
from forensics_kit.builder.tools import ToolError
from forensics_kit.builder.volume import FileSystemType, Plant, VolumeSpec, parse_size
from forensics_kit.errors import BuildError
from forensics_kit.hashing import hash_bytes

_CLUSTER_ESTIMATE = 4096  # above any cluster mkfs.fat picks for images this builder makes
_USABLE = {"fat": 0.9, "exfat": 0.8, "ext": 0.7, "ntfs": 0.55}
_FALLBACK_FORMAT_TIME = "2024-01-01T00:00:00Z"


class DiskEvidence(EvidenceType):
    """A disk image: no table (a USB stick's one file system), MBR or GPT partitions."""

    name = "disk"

    def build(self, entry: dict[str, Any], context: BuildContext, output: Path) -> ArtefactTruth:
        size = self._size(entry, ("size",), context)
        if size % SECTOR:
            raise context.fail(("size",), "the size must be a multiple of 512 bytes")
        scheme = entry.get("scheme", "none")
        problem = containers.check(entry, size)
        if problem:
            raise context.fail((), problem)
        plans, volumes = self._plan_volumes(entry, scheme, size, context)
        extended = self._plan_extended(entry, plans, context)
        gaps = self._plan_gaps(entry, scheme, size, plans, context)
        self._check_ids(volumes, gaps, context)

        raw = output if containers.container_spec(entry)["format"] == "raw" else context.scratch / "media.raw"
        with open(raw, "wb") as image:
            image.truncate(size)
            for plan, spec, fs in volumes:
                volume = context.scratch / f"volume-{plan.slot if plan else 'whole'}"
                spec.options["file"] = volume
                self._make_volume(volume, spec, fs, context)
                with open(volume, "rb") as source:
                    image.seek(plan.offset if plan else 0)
                    while chunk := source.read(1 << 20):
                        image.write(chunk)
            write_table(image, scheme, size, plans, self._guid(context, entry["id"], "disk"), extended)
            for gap in gaps:
                image.seek(gap["image_offset"])
                image.write(gap.pop("data"))
        truth = read_back(raw, entry, scheme, plans, volumes, gaps, extended)
        acquired = self._acquired(entry, context)
        truth.summary.update(containers.write(raw, output, containers.container_spec(entry), acquired))
        return truth

    # -- planning ----------------------------------------------------------------------

    @staticmethod
    def _size(entry: dict[str, Any], where: tuple, context: BuildContext) -> int:
        try:
            node = entry
            for key in where:
                node = node[key]
            return parse_size(node)
        except ValueError as exc:
            raise context.fail(where, str(exc)) from None

    def _plan_volumes(
        self, entry: dict[str, Any], scheme: str, size: int, context: BuildContext
    ) -> tuple[list[PartitionPlan], list[tuple[PartitionPlan | None, VolumeSpec, FileSystemType]]]:
        self._check_logical(entry, scheme, context)
        if scheme == "none":
            if "partitions" in entry or "filesystem" not in entry:
                raise context.fail((), "scheme none holds one file system: give 'filesystem', not 'partitions'")
            rng = context.rng(entry["id"], "volume-id")
            spec, fs = self._volume(entry, (), size, 0, rng, entry, context)
            return [], [(None, spec, fs)]
        if "partitions" not in entry or "filesystem" in entry or "items" in entry:
            raise context.fail((), f"scheme {scheme}: put file systems and items under 'partitions'")
        low, high = usable_range(scheme, size)
        plans, volumes, cursor = [], [], low
        for slot, part in enumerate(entry["partitions"]):
            where = ("partitions", slot)
            logical = part.get("logical", False)
            first_logical = logical and not any(p.logical for p in plans)
            length = self._size(part, ("size",), context)
            start = self._size(part, ("start",), context) if "start" in part else default_start(cursor)
            start += ALIGN if logical and "start" not in part else 0  # its EBR takes the aligned MiB before
            if start % SECTOR or length % SECTOR or length <= 0:
                raise context.fail(where, "start and size must be multiples of 512 bytes")
            if logical and start - ALIGN < (low if first_logical else cursor):
                raise context.fail(
                    where, f"logical partition at byte {start} needs its extended boot record 1 MiB before it, "
                    "after the previous logical partition",
                )  # fmt: skip
            if start < low or start + length > high:
                raise context.fail(
                    where, f"partition at byte {start} of {length} bytes does not fit in the usable "
                    f"area {low}..{high} of the {entry['size']} disk",
                )  # fmt: skip
            fs = self._fs(part, where, context) if "filesystem" in part else None
            mbr = part.get("type", fs.mbr_type if fs else 0x83)
            mbr = int(mbr, 16) if isinstance(mbr, str) and scheme == "mbr" else mbr
            if logical and mbr in (*EXTENDED_TYPES, 0x85):
                raise context.fail((*where, "type"), "a logical partition cannot be an extended one itself")
            gpt = str(part["type"]) if scheme == "gpt" and "type" in part else (fs.gpt_type if fs else
                                                                                 "0FC63DAF-8483-4772-8E79-3D69D8477DE4")
            plan = PartitionPlan(
                id=part["id"], slot=slot, start=start // SECTOR, length=length // SECTOR,
                fs_type=fs.name if fs else None,
                mbr_type=mbr_type_for(mbr if isinstance(mbr, int) else 0x83, part.get("hidden", False)),
                gpt_type=gpt, guid=self._guid(context, entry["id"], part["id"]),
                name=part.get("name", gpt_name_for(gpt)),
                deleted=part.get("deleted", False), hidden=part.get("hidden", False), logical=logical,
            )  # fmt: skip
            plans.append(plan)
            cursor = start + length
            if fs is not None:
                rng = context.rng(entry["id"], part["id"], "volume-id")
                spec, _ = self._volume(part, where, length, plan.start, rng, entry, context)
                volumes.append((plan, spec, fs))
        clash = overlaps(plans)
        if clash:
            raise context.fail(("partitions",), f"partitions {clash[0].id!r} and {clash[1].id!r} overlap")
        return plans, volumes

    @staticmethod
    def _check_logical(entry: dict[str, Any], scheme: str, context: BuildContext) -> None:
        """Logical partitions: MBR only, after at most 3 primary ones (the 4th entry is the extended one)."""
        parts = entry.get("partitions", [])
        logical = [bool(part.get("logical", False)) for part in parts]
        if scheme != "mbr":
            if any(logical):
                where = ("partitions", logical.index(True), "logical")
                raise context.fail(where, f"logical partitions need scheme mbr (this disk's scheme is {scheme})")
            if "extended_type" in entry:
                raise context.fail(("extended_type",), f"an extended partition needs scheme mbr (not {scheme})")
            return
        if not any(logical):
            if "extended_type" in entry:
                raise context.fail(("extended_type",), "no partition is marked 'logical: true' to go in it")
            if len(parts) > 4:
                raise context.fail(
                    ("partitions",), "an MBR holds at most 4 primary partitions (mark the others 'logical: true')"
                )
            return
        first = logical.index(True)
        if not all(logical[first:]):
            raise context.fail(
                ("partitions", logical.index(False, first)),
                "list primary partitions before the logical ones (these share one extended partition after them)",
            )
        if first > 3:
            raise context.fail(
                ("partitions",),
                f"an MBR with logical partitions holds at most 3 primary ones (got {first}): "
                "the 4th entry is the extended partition",
            )

    @staticmethod
    def _plan_extended(entry: dict[str, Any], plans: list[PartitionPlan], context: BuildContext) -> ExtendedPlan | None:
        """The extended partition around the logical plans; no primary partition may reach into it."""
        kind = entry.get("extended_type", EXTENDED_LBA)
        extended = extended_for(plans, int(kind, 16) if isinstance(kind, str) else kind)
        intruder = inside_extended(plans, extended)
        if intruder is not None:
            raise context.fail(
                ("partitions", intruder.slot), f"partition {intruder.id!r} overlaps the extended partition"
            )
        return extended

    @staticmethod
    def _fs(holder: dict[str, Any], where: tuple, context: BuildContext) -> FileSystemType:
        name = holder["filesystem"]["type"]
        if name not in FileSystemType.registry:
            known = ", ".join(FileSystemType.names())
            raise context.fail((*where, "filesystem", "type"), f"unknown file system {name!r} (known: {known})")
        return FileSystemType.lookup(name)()

    def _volume(
        self, holder: dict[str, Any], where: tuple, size: int, start: int, rng, entry: dict, context: BuildContext
    ) -> tuple[VolumeSpec, FileSystemType]:
        fs = self._fs(holder, where, context)
        if not fs.min_size <= size <= fs.max_size:
            raise context.fail(
                (*where, "size"),
                f"{fs.name} needs a volume of {fs.min_size >> 20}MiB to {fs.max_size >> 20}MiB (got {size} bytes)",
            )
        label = str(holder["filesystem"].get("label", ""))
        problem = fs.check_label(label)
        if problem:
            raise context.fail((*where, "filesystem", "label"), problem)
        plants = [
            self._plant(i, item, (*where, "items", i), fs, context) for i, item in enumerate(holder.get("items", []))
        ]
        if holder["filesystem"].get("subsecond"):  # real ext4/NTFS times are not whole seconds
            for plant in plants:
                plant.subsecond = True
        format_time = self._format_time(entry, plants, context)
        serial = rng.getrandbits(64 if fs.name == "ntfs" else 32)
        if "serial" in holder["filesystem"]:  # set by the recipe, e.g. the stick a laptop's shortcuts name
            serial = self._serial(holder["filesystem"]["serial"], 64 if fs.name == "ntfs" else 32, where, context)
        resolve_volume_references(plants, serial, format_time)  # .lnk/.pf facts from their target and volume
        spec = VolumeSpec(fs.name, label, size, start, serial, format_time, plants, where or ("filesystem",))
        spec.options["tz"] = self._zone(entry, context)
        spec.options["usn_journal"] = bool(holder["filesystem"].get("usn_journal"))  # NTFS: $UsnJrnl:$J
        spec.options["directories"] = dict(holder["filesystem"].get("directories") or {})  # ext: owner, mode, birth
        spec.options["unallocated"] = [
            (u["id"], make_content(u["content"], context.rng("unallocated", u["id"])), (*where, "unallocated", n))
            for n, u in enumerate(holder.get("unallocated", []))
        ]
        self._check_fits(spec, fs, holder, context)
        return spec, fs

    @staticmethod
    def _serial(value: Any, bits: int, where: tuple, context: BuildContext) -> int:
        """A volume serial given as ``3A7C-91F0`` (as ``fsstat``/``dir`` print it), hex digits or a number."""
        text = str(value).strip().replace("-", "")
        try:
            serial = value if isinstance(value, int) else int(text[2:] if text.lower().startswith("0x") else text, 16)
        except ValueError:
            serial = -1
        if not 0 <= serial < 1 << bits:
            raise context.fail(
                (*where, "filesystem", "serial"),
                f"a volume serial of {bits // 4} hex digits, e.g. 3A7C-91F0 (got {value!r})",
            )
        return serial

    @staticmethod
    def _plant(index: int, item: dict[str, Any], where: tuple, fs: FileSystemType, context: BuildContext) -> Plant:
        for key in ("path", "rename_to"):
            for part in PurePosixPath(str(item.get(key, "/x"))).parts[1:]:
                problem = fs.check_name(part)
                if problem:
                    raise context.fail((*where, key), problem)
        times = {k: context.time((*where, "times", k), v) for k, v in item.get("times", {}).items()}
        for key in ("owner", "mode"):
            if key in item and not fs.name.startswith("ext"):
                raise context.fail((*where, key), f"{key} is kept by ext2/3/4 only, not {fs.name}")
        plant = Plant(
            id=item["id"], path=str(item["path"]), deleted=bool(item.get("deleted", False)), spec=item,
            data=make_content(item["content"], context.rng("item", item["id"])), times=times, location=where,
            rng=lambda purpose, _id=item["id"]: context.rng("item", _id, purpose),
        )  # fmt: skip
        for key in ACTION_KEYS:
            if key in item:
                ItemAction.lookup(key)().plan(plant, item[key], fs, lambda p: context.fail(where, p))
        return plant

    @staticmethod
    def _check_fits(spec: VolumeSpec, fs: FileSystemType, holder: dict, context: BuildContext) -> None:
        family = next((f for f in ("fat", "exfat", "ext") if fs.name.startswith(f)), "ntfs")
        room, used = spec.size * _USABLE[family], 0
        for plant in spec.plants:
            used += -(-len(plant.data) // _CLUSTER_ESTIMATE) * _CLUSTER_ESTIMATE
            if used > room:
                raise context.fail(
                    plant.location,
                    f"content of {len(plant.data)} bytes does not fit: the items need more than the "
                    f"{holder['size']} {fs.name} volume holds",
                )

    @staticmethod
    def _zone(entry: dict[str, Any], context: BuildContext) -> str:
        """The clock zone of the computer that wrote the disk (``tz``, IANA name): FAT keeps its local time."""
        zone = str(entry.get("tz", "UTC"))
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise context.fail(("tz",), f"unknown time zone {zone!r} (use an IANA name, e.g. Europe/Moscow)") from None
        return zone

    @staticmethod
    def _format_time(entry: dict[str, Any], plants: list[Plant], context: BuildContext) -> float:
        """When the volume was formatted (``formatted``, else the window start, else the first item
        time); fills every plant's missing times: created/accessed default to modified, deleted
        to the latest of its times."""
        window = context.recipe.window
        stamps = [s for plant in plants for s in plant.times.values()]
        first = window[0] if window else min(stamps, default=None)
        first = context.time((), _FALLBACK_FORMAT_TIME) if first is None else first
        formatted = context.time(("formatted",), entry["formatted"]) if "formatted" in entry else first
        for plant in plants:
            t = plant.times
            t.setdefault("modified", first)
            t.setdefault("created", t["modified"])
            t.setdefault("accessed", t["modified"])
            t.setdefault("deleted", max(t.values()))
        return formatted

    def _plan_gaps(
        self, entry: dict[str, Any], scheme: str, size: int, plans: list[PartitionPlan], context: BuildContext
    ) -> list[dict[str, Any]]:
        gaps: list[dict[str, Any]] = []
        if entry.get("gap_data") and scheme == "none":
            raise context.fail(("gap_data",), "gap data needs a partition table (scheme mbr or gpt)")
        free = free_ranges(scheme, size, plans)
        for index, gap in enumerate(entry.get("gap_data", [])):
            where = ("gap_data", index)
            data = make_content(gap["content"], context.rng("gap", gap["id"]))
            if "offset" in gap:
                offset = self._size(gap, ("offset",), context)
            else:
                offset = next((a for a, b in free if b - a >= len(data)), -1)
            if not any(a <= offset and offset + len(data) <= b for a, b in free):
                raise context.fail(where, f"{len(data)} bytes at {offset} are not inside free space between partitions")
            free = [r for a, b in free for r in ((a, offset), (offset + len(data), b)) if r[0] < r[1]] if any(
                a <= offset < b for a, b in free) else free  # fmt: skip
            gaps.append({"id": gap["id"], "image_offset": offset, "data": data, "location": where,
                         "size": len(data), "hashes": hash_bytes(data)})
        return gaps

    @staticmethod
    def _check_ids(volumes: list, gaps: list, context: BuildContext) -> None:
        seen: set[str] = set()
        for _plan, spec, _fs in volumes:
            ids = [(p.id, p.location) for p in spec.plants] + [(u[0], u[2]) for u in spec.options["unallocated"]]
            for trace_id, where in ids:
                if trace_id in seen:
                    raise context.fail(where, f"duplicate item id {trace_id!r}")
                seen.add(trace_id)
        for gap in gaps:
            if gap["id"] in seen:
                raise context.fail(gap["location"], f"duplicate item id {gap['id']!r}")
            seen.add(gap["id"])

    # -- making ------------------------------------------------------------------------

    @staticmethod
    def _make_volume(volume: Path, spec: VolumeSpec, fs: FileSystemType, context: BuildContext) -> None:
        try:
            fs.plant(volume, spec, context.scratch)
        except ToolError as exc:
            if fat.is_full(exc) or "allocate" in str(exc).lower() or "space" in str(exc).lower():
                raise context.fail(spec.location, f"the items do not fit on the {fs.name} volume") from exc
            raise context.fail(spec.location, str(exc)) from exc
        except OSError as exc:
            raise context.fail(spec.location, f"cannot plant on the {fs.name} volume: {exc.strerror}") from exc
        busy: set[int] = set()
        for plant in spec.plants:
            located = locate(volume, plant.path)
            plant.facts["located"] = located
            fs.finish(volume, plant, located)
            busy |= located.blocks()
            for key in ACTION_KEYS:
                if key in plant.spec:
                    try:
                        facts = ItemAction.lookup(key)().apply(plant, plant.spec[key], located, volume)
                    except BuildError as exc:
                        raise context.fail(plant.location, str(exc)) from exc
                    plant.facts.update(facts)
            if "slack" in plant.facts:
                busy.add(plant.facts["slack"]["volume_offset"] // located.block_size)
        deleted = [p for p in spec.plants if p.deleted]
        if deleted:
            fs.delete(volume, spec, deleted, context.scratch)
        if spec.options["unallocated"]:
            unit = fat.allocation_unit(volume) if fs.name.startswith("fat") else (0, 1)
            unit = exfat.allocation_unit(volume) if fs.name == "exfat" else unit
            rng = context.rng("unallocated", *map(str, spec.location))
            traces = [(u[0], u[1]) for u in spec.options["unallocated"]]
            spec.options["placed"] = place_unallocated(volume, traces, busy, rng, unit)

    @staticmethod
    def _guid(context: BuildContext, *parts: str) -> str:
        import uuid

        return str(uuid.UUID(int=context.rng(*parts, "guid").getrandbits(128), version=4)).upper()

    @staticmethod
    def _acquired(entry: dict[str, Any], context: BuildContext) -> float:
        spec = containers.container_spec(entry)
        if "acquired" in spec:
            return context.time(("container", "acquired"), spec["acquired"])
        window = context.recipe.window
        if window:
            return window[1]
        return context.time((), _FALLBACK_FORMAT_TIME)

