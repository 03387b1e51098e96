"""Reference solver for disk-03: a Windows user's NTFS volume, from the image alone.

As a trainee would: list the volume with streams, set the usual Zone.Identifier
aside, read the hidden stream, read the DOCX properties, check signatures against
extensions, compare each name's $STANDARD_INFORMATION and $FILE_NAME times in the
bodyfile to catch the timestomped file, and recover the deleted file. Then the Windows
system around the profile: the time zone from SYSTEM, and the prefetch
file that lists the archive under its first name (a .zip no longer on the volume), whose
newest run time is given in the laptop's local time; and the change journal's records of the
disguised file's MFT entry, whose rename gives the moment it took its .dll name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

from forensics_kit.artefacts import read_office_properties
from forensics_kit.disk import BodyEntry, bodyfile, open_image
from forensics_kit.disk.signatures import check_signatures
from forensics_kit.hashing import hash_bytes
from forensics_kit.timefmt import iso_utc, parse_iso
from forensics_kit.windows import open_hive, prefetch_files, usn_journal

EMAIL = re.compile(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
FILE_NAME_SUFFIX = " ($FILE_NAME)"


def _stomped(entries: list[BodyEntry]) -> list[tuple[BodyEntry, BodyEntry]]:
    """(the $SI line, the $FILE_NAME line) of each name created, per $SI, before its $FILE_NAME says.

    fls -m writes a name's $STANDARD_INFORMATION times on its $DATA line and its
    $FILE_NAME times on the "PATH ($FILE_NAME)" line; timestomp rewrites only the former.
    """
    lines = {(e.inode, e.name): e for e in entries if e.attr and e.attr.startswith("128-")}
    pairs = []
    for fn in entries:
        if fn.name.endswith(FILE_NAME_SUFFIX):
            si = lines.get((fn.inode, fn.name[: -len(FILE_NAME_SUFFIX)]))
            if si is not None and 0 < si.crtime < fn.crtime:
                pairs.append((si, fn))
    return pairs


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["laptop"]) as img:
        ntfs = next(p for p in img.partitions() if p.filesystem == "NTFS")
        log(f"disk partitions: NTFS at sector {ntfs.start} (partition {ntfs.index})")
        records = [r for r in img.walk(ntfs.index) if r.path.startswith("/Users/")]
        log(f"disk ls -p {ntfs.index}: {len(records)} names under /Users")

        streams = [r for r in records if r.stream]
        log("named streams: " + ", ".join(r.path for r in streams))
        hidden = next(r for r in streams if r.stream != "Zone.Identifier")
        content = img.read(hidden.path, partition=ntfs.index)
        answers["ads_path"] = hidden.path
        answers["ads_sha256"] = hash_bytes(content)["sha256"]
        answers["ads_contact"] = EMAIL.search(content).group().decode()
        log(f"disk cat '{hidden.path}': {content.decode(errors='replace')!r}; SHA-256 {answers['ads_sha256']}")

        doc = next(r for r in records if r.allocated and r.name.lower().endswith(".docx") and not r.stream)
        props = read_office_properties(img.read(inode=doc.inode, partition=ntfs.index), name=doc.path)
        answers["docx_author"] = props.creator
        answers["docx_last_modified_by"] = props.last_modified_by
        answers["docx_created"] = props.created
        log(f"disk office {doc.path}: creator {props.creator!r}, lastModifiedBy {props.last_modified_by!r}, "
            f"created {props.created}, modified {props.modified} (NTFS crtime of the file: {doc.crtime})")

        mismatches = [m for m in check_signatures(img, ntfs.index) if m.path.startswith("/Users/")]
        answers["mismatched"] = sorted(m.path for m in mismatches)
        for m in mismatches:
            log(f"disk sigcheck: {m.path} has extension .{m.extension} but content {m.detected}")
        dll = next(m for m in mismatches if m.extension == "dll")
        answers["dll_type"] = dll.detected.upper()

        stomped = _stomped(list(bodyfile(img, ntfs.index)))
        for si, fn in stomped:
            log(f"disk timeline --bodyfile: {si.name} (MFT {si.inode}) $SI created {iso_utc(si.crtime)}, "
                f"$FILE_NAME created {iso_utc(fn.crtime)}: $SI earlier than $FN, timestomped")
        si, fn = next((si, fn) for si, fn in stomped if si.name == "/" + dll.path.lstrip("/"))
        answers["dll_shown_created"] = iso_utc(si.crtime)
        answers["dll_real_created"] = iso_utc(fn.crtime)

        deleted = [r for r in records if not r.allocated and r.type == "file" and not r.stream]
        gone = deleted[0]
        data = img.read(inode=gone.inode, partition=ntfs.index)
        answers["deleted_path"] = gone.path
        answers["deleted_sha256"] = hash_bytes(data)["sha256"]
        log(f"disk ls --deleted: {gone.path} (MFT {gone.inode}); disk cat --inode {gone.inode}: "
            f"{data.decode(errors='replace')!r}; SHA-256 {answers['deleted_sha256']}")
        _windows(img, ntfs.index, answers, log)
        renames = [c for c in usn_journal(img, ntfs.index) if c.entry == dll_entry(records, dll.path)
                   and c.reasons[:1] in (["RENAME_OLD_NAME"], ["RENAME_NEW_NAME"], ["BASIC_INFO_CHANGE"])]
        for change in renames:
            log(f"disk usnjrnl: USN {change.usn} {change.time} MFT {change.entry}-{change.sequence} {change.path} "
                + " ".join(change.reasons))
        answers["renamed_time"] = next(c.time for c in renames if c.reasons[:1] == ["RENAME_NEW_NAME"])
    return answers


def dll_entry(records, path: str) -> int:
    """The MFT entry of the file at ``path``."""
    return next(r.inode for r in records if r.path == path and not r.stream)


def _windows(img, partition: int, answers: dict[str, Any], log: Callable[[str], None]) -> None:
    """The time zone from SYSTEM; the program whose prefetch lists the vanished .zip."""
    with open_hive(img, "/Windows/System32/config/SYSTEM", partition=partition) as system:
        control = f"ControlSet{system.value_data('Select', 'Current', 1):03d}\\Control"
        computer = system.value_data(f"{control}\\ComputerName\\ComputerName", "ComputerName")
        zone = system.key(f"{control}\\TimeZoneInformation")
    bias = zone.get("ActiveTimeBias")
    bias = bias - (1 << 32) if bias >= 1 << 31 else bias  # a DWORD: UTC minus local, in minutes
    log(f"disk registry SYSTEM: ComputerName {computer}, TimeZoneKeyName "
        f"{zone.get('TimeZoneKeyName')!r}, ActiveTimeBias {bias} (local = UTC {-bias / 60:+g} h)")
    present = {r.path.upper() for r in img.walk(partition)}
    for path, pf in prefetch_files(img, partition):
        if isinstance(pf, Exception):
            continue
        gone = [f for f in pf.files if f.upper().endswith(".ZIP")
                and "/" + "/".join(f.split("\\")[2:]).upper() not in present]
        log(f"disk prefetch {path}: {pf.executable} ran {pf.run_count} time(s), last {pf.last_run}"
            + (f"; lists {gone[0]}, not on the volume any more" if gone else ""))
        if gone:
            answers["archiver"] = pf.executable.lower()
            local = parse_iso(pf.last_run) - timedelta(minutes=bias)
            answers["archiver_last_run"] = local.replace(tzinfo=timezone(timedelta(minutes=-bias))).isoformat()
