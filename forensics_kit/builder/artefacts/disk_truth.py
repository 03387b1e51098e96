"""Truth of a built disk image, read back with :mod:`forensics_kit.disk` (The Sleuth Kit).

Partitions come from the image's table as mmls numbers them (an MBR's
extended partition and its EBRs are mmls' Meta entries); each file
system's items are read back from its volume (the same bytes the image holds at
the partition's offset, which also reaches a partition whose table entry was
wiped). Every offset is given in the image: ``image_offset`` (bytes),
``sector`` (512-byte image sector) and ``block`` (the file system's block as
istat/blkcat number it, relative to the partition).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from forensics_kit.builder import exfat, fat
from forensics_kit.builder.actions import true_type
from forensics_kit.builder.artefact import ArtefactTruth
from forensics_kit.builder.partitions import SECTOR, ExtendedPlan, PartitionPlan, ebr_chain
from forensics_kit.builder.volume import Plant, VolumeSpec
from forensics_kit.disk import open_image
from forensics_kit.errors import BuildError, ForensicsKitError
from forensics_kit.hashing import hash_bytes
from forensics_kit.timefmt import pin_local_time_zone


def read_back(
    raw: Path,
    entry: dict[str, Any],
    scheme: str,
    plans: list[PartitionPlan],
    volumes: list[tuple[PartitionPlan | None, VolumeSpec, Any]],
    gaps: list[dict[str, Any]],
    extended: ExtendedPlan | None = None,
) -> ArtefactTruth:
    """Build the artefact's truth from the written image and volume files."""
    truth = ArtefactTruth()
    try:
        with open_image(raw) as image:
            listing = image.partitions()
        table = {p.start: p for p in listing if p.kind == "partition"}
        unallocated = [p for p in listing if p.kind == "unallocated"]
        summaries = []
        for plan, spec, _fs in volumes:
            base = plan.offset if plan else 0
            index = table[plan.start].index if plan and plan.start in table else None
            summaries.append(_volume_truth(spec, base, index, plan, entry["id"], truth))
    except ForensicsKitError:
        raise
    except (OSError, IndexError, KeyError) as exc:
        raise BuildError(f"{raw.name}: cannot read the built image back: {exc}") from exc
    finally:
        pin_local_time_zone()  # a FAT volume was read in its clock's zone; the rest of the process keeps UTC
    first = summaries[0] if summaries else {"filesystem": None, "deleted": [], "files": 0}
    deleted = sorted(p for s in summaries for p in s["deleted"])
    truth.summary = {
        "filesystem": first["filesystem"],
        "deleted_count": len(deleted),
        "deleted_paths": deleted,
        "file_count": sum(s["files"] for s in summaries),
        "scheme": scheme,
    }
    ebrs = {plan.id: sector for sector, plan in ebr_chain(extended, plans) if plan} if extended else {}
    if scheme != "none":
        truth.summary["partitions"] = [
            _partition_truth(plan, scheme, table, summaries, volumes, ebrs.get(plan.id)) for plan in plans
        ]
        truth.summary["unallocated_ranges"] = [
            {"index": u.index, "start": u.start, "length": u.length, "offset": u.offset} for u in unallocated
        ]
    if extended is not None:
        truth.summary["extended"] = _extended_truth(extended, plans, listing)
    for gap in gaps:
        sector = gap["image_offset"] // SECTOR
        holder = next((u.index for u in unallocated if u.start <= sector <= u.end), None)
        truth.items[gap["id"]] = {
            "evidence": entry["id"], "kind": "gap_data", "image_offset": gap["image_offset"], "sector": sector,
            "unallocated_index": holder, "size": gap["size"], **gap["hashes"],
        }  # fmt: skip
    return truth


def _partition_truth(
    plan: PartitionPlan, scheme: str, table: dict, summaries: list, volumes: list, ebr: int | None
) -> dict[str, Any]:
    found = table.get(plan.start)
    summary = next((s for (p, _spec, _fs), s in zip(volumes, summaries, strict=True) if p is plan), None)
    fs = summary["filesystem"] if summary else None
    return {
        "id": plan.id,
        "index": found.index if found else None,
        "slot": found.slot if found else None,
        "start": plan.start,
        "length": plan.length,
        "end": plan.start + plan.length - 1,
        "offset": plan.offset,
        "type": f"0x{plan.mbr_type:02x}" if scheme == "mbr" else plan.gpt_type,
        **({"guid": plan.guid, "name": plan.name} if scheme == "gpt" else {}),
        "description": found.description if found else None,
        "in_table": found is not None,
        "deleted": plan.deleted,
        "hidden": plan.hidden,
        "logical": plan.logical,
        "ebr": ebr,
        "filesystem": fs["type"] if fs else None,
        "label": fs["label"] if fs else None,
        "cluster_size": fs["cluster_size"] if fs else None,
    }


def _extended_truth(extended: ExtendedPlan, plans: list[PartitionPlan], listing: list) -> dict[str, Any]:
    """The extended partition as mmls lists it (a Meta entry) and its EBRs ("Extended Table (#n)")."""
    found = next((p for p in listing if p.kind == "meta" and p.start == extended.start
                  and p.length == extended.length and "Extended (0x" in p.description), None)  # fmt: skip
    tables = {p.start: p.index for p in listing if p.kind == "meta" and p.description.startswith("Extended Table")}
    return {
        "index": found.index if found else None,
        "mbr_slot": extended.slot,
        "start": extended.start,
        "length": extended.length,
        "end": extended.end - 1,
        "offset": extended.start * SECTOR,
        "type": f"0x{extended.mbr_type:02x}",
        "description": found.description if found else None,
        "tables": [
            {"sector": sector, "index": tables.get(sector), "partition": plan.id if plan else None}
            for sector, plan in ebr_chain(extended, plans)
        ],
    }


def _volume_truth(
    spec: VolumeSpec, base: int, index: int | None, plan: PartitionPlan | None, evidence: str, truth: ArtefactTruth
) -> dict[str, Any]:
    volume = spec.options["file"]
    zone = spec.options.get("tz", "UTC") if spec.fs_type.startswith("fat") else "UTC"
    with open_image(volume, fat_time_zone=zone) as image:  # FAT's local times back to UTC
        info = image.filesystems()[0]
        records = [
            r
            for r in image.walk()
            if r.type == "file"
            and (not r.path.startswith("/$") or r.path.lower().startswith("/$recycle.bin/"))  # NTFS metadata aside
            and not r.name.endswith("(Volume Label Entry)")
            and r.stream is None
        ]
        by_path = {r.path.lower(): r for r in records}
        common = {"partition": index, "volume": plan.id if plan else None}
        for plant in spec.plants:
            record = by_path.get(plant.path.lower()) or _deleted_short_name(plant, records)
            if record is None:
                raise BuildError(f"{volume.name}: {plant.path} is not listed when read back")
            data = image.read(inode=record.inode)
            expected = _expected(plant)
            if data != expected and not plant.deleted:
                raise BuildError(f"{volume.name}: {record.path} reads back different bytes")
            item = {
                "evidence": evidence, "path": record.path, "name": record.name, "inode": record.inode,
                "size": len(expected), **hash_bytes(expected), "deleted": record.deleted, "mtime": record.mtime,
                "atime": record.atime, "crtime": record.crtime, **common,
            }  # fmt: skip
            item.update(_locations(plant, base, data == expected))
            truth.items[plant.id] = item
    cluster = fat.cluster_size(volume) if spec.fs_type.startswith("fat") else info.block_size
    cluster = exfat.cluster_size(volume) if spec.fs_type == "exfat" else cluster
    for trace_id, placed in spec.options.get("placed", {}).items():
        truth.items[trace_id] = {"evidence": evidence, "kind": "unallocated", **common, **_where(placed, base)}
    return {
        "filesystem": {"type": info.type, "label": info.label, "cluster_size": cluster},
        "deleted": [r.path for r in records if r.deleted],
        "files": len(records),
    }


def _expected(plant: Plant) -> bytes:
    data = bytearray(plant.data)
    overwrite = plant.spec.get("overwrite")
    if overwrite:
        text = overwrite["text"].encode("utf-8")
        data[overwrite["offset"] : overwrite["offset"] + len(text)] = text
    return bytes(data)


def _where(facts: dict[str, Any], base: int) -> dict[str, Any]:
    """Turn a volume offset into image offset, image sector and (kept) file-system block."""
    out = {k: v for k, v in facts.items() if k != "volume_offset"}
    if "volume_offset" in facts:
        offset = base + facts["volume_offset"]
        out["image_offset"], out["sector"] = offset, offset // SECTOR
        if "block_size" in facts and "block" not in facts:
            out["block"] = facts["volume_offset"] // facts["block_size"]
    return out


def _locations(plant: Plant, base: int, recoverable: bool) -> dict[str, Any]:
    located = plant.facts["located"]
    out: dict[str, Any] = {"recoverable": recoverable, "true_type": true_type(_expected(plant))}
    if located.runs and not located.resident:
        out["content"] = _where({"volume_offset": located.runs[0][0] * located.block_size,
                                 "block_size": located.block_size}, base)
        out["blocks"] = [[start, count] for start, count in located.runs]
    else:
        out["resident"] = True
    for key in ("original_path", "original_name", "original_sha256"):
        if key in plant.facts:
            out[key] = plant.facts[key]
    for key in ("slack", "appended", "overwritten"):
        if key in plant.facts:
            out[key] = _where({**plant.facts[key], "block_size": located.block_size}, base)
    if "ads" in plant.facts:
        out["ads"] = plant.facts["ads"]
    if "timestomp" in plant.facts:  # where its MFT record lies, the stomped $SI and the real $FILE_NAME times
        out["timestomp"] = _where(plant.facts["timestomp"], base)
    return out


def _deleted_short_name(plant: Plant, records: list) -> Any:
    """The record of a deleted 8.3-only name, whose first letter FAT overwrote (TSK shows ``_``)."""
    if not plant.deleted:
        return None
    wanted = PurePosixPath(plant.path)
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
