"""Shortcuts against lnkinfo, the Recycle Bin on an image, and the USB history joined from every source."""

from __future__ import annotations

import re
import subprocess

from windows_case import ANNA_SID, need

from forensics_kit.builder.windows import info_record
from forensics_kit.disk import open_image
from forensics_kit.windows import parse_info, read_lnk, recycle_bin, usb_history


def test_lnk_agrees_with_lnkinfo_and_with_what_was_written(wincase):
    path = wincase.root / "tree" / wincase.lnk_path.lstrip("/")
    out = subprocess.run([need("lnkinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    info = read_lnk(path)
    peer = dict(re.findall(r"^\t([A-Z][A-Za-z ]+?)\s*: (.*)$", out, flags=re.MULTILINE))
    assert peer["Local path"] == info.local_path == wincase.shortcut.target
    assert peer["Drive serial number"] == "0x1a2b3c4d" and info.volume_serial == "1A2B-3C4D"
    assert peer["Drive type"] == "Removable (2)" and info.drive_type == "removable"
    assert peer["Volume label"] == info.volume_label == "SANDISK"
    assert peer["Machine identifier"] == info.machine_id == "ws01"
    assert peer["File size"] == f"{info.size} bytes" == "48213 bytes"
    assert peer["Creation time"].startswith("Mar 05, 2024 11:00:00") and info.created == "2024-03-05T11:00:00Z"
    assert info.accessed == "2024-03-07T10:10:00Z" and peer["Droid file identifier"] == info.droid_file


def test_recycle_bin_lists_each_deleted_file_with_its_pair(wincase):
    with open_image(wincase.image) as img:
        entries = recycle_bin(img)
        warnings = list(img.warnings)
    assert any("$IBROKEN.txt: a $I record is at least 24 bytes, this one is 10" in w for w in warnings)
    assert [(e.original_path, e.sid, e.size, e.deleted) for e in entries] == [
        (path, sid, size, when.strftime("%Y-%m-%dT%H:%M:%SZ")) for path, sid, size, when in wincase.recycled]
    assert all(e.data_present and e.sid == ANNA_SID and e.version == 2 for e in entries)


def test_version_1_records_of_windows_7_are_read_too(wincase):
    _, _, size, when = wincase.recycled[0]
    entry = parse_info(info_record(r"C:\old.txt", size, when, version=1))
    assert (entry.version, entry.original_path, entry.size) == (1, r"C:\old.txt", size)


def test_usb_history_joins_registry_and_setupapi(wincase):
    with open_image(wincase.image) as img:
        devices = usb_history(img)
    assert [d.serial for d in devices] == ["60A44C413A8CF1A0B9A70F2B", "4C530001231120115142"]
    stick = devices[1].to_dict()
    assert stick | {"sources": None} == {
        "device": "Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00", "vendor": "SanDisk", "product": "Cruzer Blade",
        "revision": "1.00", "serial": "4C530001231120115142", "friendly_name": "SanDisk Cruzer Blade USB Device",
        "vid": "0781", "pid": "5567", "first_connected": "2024-03-05T12:00:00Z",
        "last_connected": "2024-03-07T10:00:00Z", "last_removed": "2024-03-07T11:00:00Z", "drive_letter": "E",
        "volume_guid": "{6c1bc5a2-8f3e-11ee-b9d1-0800272f0001}", "volume_serial": "1A2B-3C4D",
        "volume_label": "SANDISK", "sources": None}
    assert stick["sources"]["first_connected"] == "setupapi.dev.log"
    assert devices[0].last_removed is None and devices[0].drive_letter == "F"


def test_usb_history_agrees_with_regripper_usbstor(wincase):
    tool = need("regripper")
    out = subprocess.run([tool, "-r", str(wincase.root / "tree/Windows/System32/config/SYSTEM"), "-p", "usbstor"],
                         capture_output=True, text=True, check=True).stdout
    serials = re.findall(r"S/N: (\S+)&0", out)
    arrivals = [t.replace(" ", "T") for t in re.findall(r"Last Arrival\s+: (\S+ \S+)Z", out)]
    devices = sorted(usb_history(wincase.files["/Windows/System32/config/SYSTEM"]), key=lambda d: d.device)
    assert serials == [d.serial for d in devices]
    assert arrivals == [d.last_connected.rstrip("Z") for d in devices]


def test_the_lnk_ties_the_document_to_the_stick_by_volume_serial(wincase):
    info = read_lnk(wincase.files[wincase.lnk_path])
    stick = [d for d in usb_history(wincase.files["/Windows/System32/config/SYSTEM"],
                                    wincase.files["/Windows/System32/config/SOFTWARE"])
             if d.serial == wincase.stick.serial][0]
    assert info.volume_serial == stick.volume_serial


def test_setupapi_local_times_become_utc_with_the_hives_bias(wincase):
    from datetime import timedelta

    from forensics_kit.windows import open_hive, setupapi_installs
    from forensics_kit.windows.usb import time_zone_bias

    text = wincase.files["/Windows/INF/setupapi.dev.log"].decode()
    assert "Section start 2024/03/05 15:00:00.000" in text  # 12:00 UTC written in Moscow time
    with open_hive(wincase.files["/Windows/System32/config/SYSTEM"]) as system:
        bias = time_zone_bias(system, "ControlSet001")
    assert bias == timedelta(minutes=-180)
    installs = setupapi_installs(text, bias)
    assert installs[f"USBSTOR\\{wincase.stick.device}\\{wincase.stick.instance}".upper()] == "2024-03-05T12:00:00Z"


def test_a_unicode_target_with_strings_agrees_with_lnkinfo(tmp_path):
    from datetime import UTC, datetime

    from forensics_kit.builder.windows import DRIVE_FIXED, Shortcut

    link = Shortcut("C:\\Users\\анна\\Документы\\отчёт за март.docx", size=777,
                    created=datetime(2024, 3, 1, 8, 0, tzinfo=UTC), modified=datetime(2024, 3, 2, 8, 0, tzinfo=UTC),
                    accessed=datetime(2024, 3, 3, 8, 0, tzinfo=UTC), drive_type=DRIVE_FIXED,
                    volume_serial=0xCAFEBABE, volume_label="Windows", machine_id="ws01",
                    description="Отчёт", arguments="/q", working_dir="C:\\Users\\анна\\Документы")
    path = link.write(tmp_path / "report.lnk")
    out = subprocess.run([need("lnkinfo"), str(path)], capture_output=True, text=True, check=True).stdout
    peer = dict(re.findall(r"^\t([A-Z][A-Za-z ]+?)\s*: (.*)$", out, flags=re.MULTILINE))
    info = read_lnk(path)
    assert peer["Local path"] == info.local_path == link.target
    assert peer["Description"] == info.description == "Отчёт"
    assert peer["Command line arguments"] == info.arguments == "/q"
    assert peer["Working directory"] == info.working_dir == link.working_dir
    assert peer["Drive serial number"] == "0xcafebabe" and info.volume_serial == "CAFE-BABE"
    assert peer["Drive type"] == "Fixed (3)" and peer["Modification time"].startswith("Mar 02, 2024 08:00:00")
