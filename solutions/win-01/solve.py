"""Reference solver for win-01: a USB stick and the documents that left on it, from the two images alone.

As an examiner would: read the stick's volume serial from its boot sector (what ``fsstat``
prints), find the device with that volume serial in the laptop's USB history (SYSTEM's
USBSTOR/USB/MountedDevices, SOFTWARE's EMDMgmt and setupapi.dev.log joined), then read the
user's Recent shortcuts and keep those whose drive serial is the stick's, compare them with
the stick's files, read the ShellBags for the folder browsed on the stick, and list the
Recycle Bin's ``$I`` records for what was deleted from the laptop afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PureWindowsPath
from typing import Any

from forensics_kit.disk import open_image
from forensics_kit.timefmt import parse_iso
from forensics_kit.windows import open_hive, read_lnk, recent_docs, recycle_bin, shell_bags, usb_history
from forensics_kit.windows.volume_serial import volume_serials


def _kit_path(windows_path: str) -> str:
    """``E:\\Docs\\a.csv`` as the path inside the volume: ``/Docs/a.csv``."""
    return "/" + re.sub(r"^[A-Za-z]:", "", windows_path).replace("\\", "/").lstrip("/")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["stick"]) as stick:
        fat = next(fs for fs in stick.filesystems() if fs.type.startswith("FAT"))
        serial = volume_serials(stick)[fat.partition]
        stick_files = sorted(r.path for r in stick.walk(fat.partition) if r.type == "file" and r.allocated
                             and not r.path.endswith("(Volume Label Entry)"))  # TSK lists the label as a file
    answers["volume_serial"] = serial
    log(f"fsstat stick.dd (partition {fat.partition}, {fat.type}, label {fat.label}): volume serial {serial}; "
        f"files: {', '.join(stick_files)}")

    with open_image(evidence["laptop"]) as img:
        part = next(fs.partition for fs in img.filesystems() if fs.type == "NTFS")
        devices = usb_history(img, partition=part)
        for d in devices:
            log(f"disk usb: {d.vendor} {d.product} {d.serial} first {d.first_connected} "
                f"({d.sources.get('first_connected')}), last {d.last_connected}, removed {d.last_removed}, "
                f"drive {d.drive_letter}, volume serial {d.volume_serial}")
        device = next(d for d in devices if d.volume_serial == serial)
        answers["stick_model"] = f"{device.vendor} {device.product}"
        answers["stick_serial"] = device.serial
        answers["first_connected"] = device.first_connected
        answers["last_connected"] = device.last_connected
        answers["drive_letter"] = device.drive_letter
        by_volume = {d.volume_serial: d for d in devices if d.volume_serial}

        recent = [r for r in img.walk(part) if r.type == "file" and r.allocated
                  and "/Recent/" in r.path and r.path.lower().endswith(".lnk")]
        opened, elsewhere = [], []
        for record in recent:
            info = read_lnk(img.read(record.path, partition=part), name=record.path)
            log(f"disk lnk {record.path}: {info.local_path} ({info.drive_type}, serial {info.volume_serial}, "
                f"{info.size} bytes, written {info.modified})")
            if info.drive_type != "removable":
                continue
            (opened if info.volume_serial == serial else elsewhere).append(info)
        answers["opened_files"] = sorted(_kit_path(i.local_path) for i in opened)
        other = by_volume[elsewhere[0].volume_serial]
        answers["other_device"] = other.serial
        log(f"{elsewhere[0].local_path} was on volume {other.volume_serial}: {other.vendor} {other.product} "
            f"{other.serial}")
        answers["never_opened"] = next(p for p in stick_files if p not in answers["opened_files"])

        users = sorted({r.path.split("/")[2] for r in recent})
        with open_hive(img, f"/Users/{users[0]}/NTUSER.DAT", partition=part) as ntuser:
            names = recent_docs(ntuser)
        log(f"RecentDocs of {users[0]} (newest first): {names}; the stick's documents among them: "
            f"{[n for n in names if any(i.local_path.endswith(n) for i in opened)]}")
        with open_hive(img, f"/Users/{users[0]}/AppData/Local/Microsoft/Windows/UsrClass.dat",
                       partition=part) as usrclass:
            bags = [b for b in shell_bags(usrclass) if re.match(r"^(My Computer\\)?[A-Za-z]:\\.+", b.path)]
        on_stick = [b for b in bags if PureWindowsPath(b.path.removeprefix("My Computer\\")).drive
                    == f"{device.drive_letter}:" and device.first_connected and b.browsed
                    and parse_iso(b.browsed) >= parse_iso(device.first_connected)]
        answers["browsed_folder"] = PureWindowsPath(on_stick[-1].path).name
        log(f"ShellBags: {[(b.path, b.browsed) for b in bags]}")

        removed = parse_iso(device.last_removed or device.last_connected)
        entries = [e for e in recycle_bin(img, part) if e.deleted and parse_iso(e.deleted) >= removed]
        entries.sort(key=lambda e: e.deleted or "")
        answers["deleted_files"] = [PureWindowsPath(e.original_path).name for e in entries]
        answers["deleted_time"] = entries[0].deleted
        for e in entries:
            log(f"disk recycle: {e.original_path} {e.size} bytes deleted {e.deleted} by {e.sid} ({e.data_path})")
    return answers
