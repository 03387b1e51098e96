"""Reference solver for disk-06: a malware hunt with YARA and a hash set, from the image alone.

It runs the CERT's rules (labs/disk-06/rules.yar, given to trainees) over every file,
deleted ones included, writes its own rule for the family the brief describes
(MacroStorm), matches the known-bad hash list (labs/disk-06/known_bad.txt), and
checks file signatures, as a trainee would.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.artefacts.vba import read_vba_macros
from forensics_kit.disk import check_signatures, match_hashset, open_image
from forensics_kit.hashing import hash_bytes
from forensics_kit.yara import compile_rules, scan_files

LAB = Path(__file__).resolve().parents[2] / "labs" / "disk-06"

# The trainee's own rule, from the brief: a Word macro that runs on opening and unpacks its
# payload with certutil -decode. The .docm keeps its macro deflated in the zip and
# OVBA-compressed in vbaProject.bin, so the rule runs over the unpacked macro source
# (`fklab disk yara --containers`, after reading one with `fklab disk vba`), which starts
# with the module's Attribute VB_Name line.
MACROSTORM = r"""
rule MacroStorm_Macro
{
    strings:
        $module = "Attribute VB_Name"
        $auto = "AutoOpen" nocase
        $certutil = "certutil" nocase
        $decode = "-decode" nocase
    condition:
        $module at 0 and $auto and $certutil and $decode
}
"""
PICTURES = {"jpg", "jpeg", "png", "gif", "bmp"}


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    # the question says the office clocks run on Central European Summer Time: FAT keeps that local time
    with open_image(evidence["usb"], fat_time_zone="Europe/Berlin") as img:
        records = {r.path: r for r in img.walk()}
        matches = list(scan_files(img, compile_rules(LAB / "rules.yar")))
        for m in matches:
            log(f"disk yara rules.yar: {m.rule} matches {m.path} (inode {m.inode}"
                f"{', deleted' if not m.allocated else ''})")
        ghost = [m for m in matches if m.rule == "GhostInvoice_Dropper"]
        nord = [m for m in matches if m.rule == "NordLoader_PE"]
        answers["ghost_files"] = sorted(m.path for m in ghost)
        answers["nord_files"] = sorted(m.path for m in nord)

        for m in nord:
            content = img.read(inode=m.inode)
            c2 = re.search(rb"NRD-C2:([A-Za-z0-9.-]+)", content)
            if c2:
                answers["c2_domain"] = c2.group(1).decode()
                log(f"disk cat --inode {m.inode}: the string after NRD-C2: is {answers['c2_domain']}")
            if not m.allocated:
                answers["nord_deleted_sha256"] = hash_bytes(content)["sha256"]
                log(f"disk hash --inode {m.inode}: deleted NordLoader sample {m.path}, "
                    f"SHA-256 {answers['nord_deleted_sha256']}")

        for record in records.values():
            if record.type == "file" and record.path.lower().endswith(".docm"):
                for module in read_vba_macros(img.read(inode=record.inode), name=record.path):
                    log(f"disk vba {record.path}: module {module.name} in {module.project}!{module.stream}, "
                        f"{len(module.source.splitlines())} lines")
        own = list(scan_files(img, compile_rules(MACROSTORM), containers=True))
        log("disk yara --containers, own rule MacroStorm_Macro (VBA source + AutoOpen + certutil -decode): "
            + ", ".join(m.where for m in own))
        answers["macrostorm_files"] = sorted({m.path for m in own})

        known = list(match_hashset(img, LAB / "known_bad.txt"))
        for h in known:
            log(f"disk hashset known_bad.txt: {h.path} = {h.label} ({h.algorithm})")
        answers["known_bad_files"] = sorted({h.path for h in known})

        for s in check_signatures(img):
            log(f"disk sigcheck: {s.path} has extension .{s.extension} but is {s.detected}")
            if s.extension.lower() in PICTURES and s.detected not in {"jpeg", "png", "gif", "bmp"}:
                answers["fake_picture"] = s.path

        archives = [m.path for m in ghost if m.path.lower().endswith(".zip")]
        if archives:
            answers["ghost_arrival"] = records[archives[0]].crtime
            log(f"disk ls: {archives[0]} created {answers['ghost_arrival']} (copied to the stick; its mtime "
                f"{records[archives[0]].mtime} is older: a copy keeps the modification time)")
    return answers
