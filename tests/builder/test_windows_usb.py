"""A USB stick in a recipe: its own image and its traces on a Windows volume, built to agree.

The stick's volume serial is a parameter the FAT file system, EMDMgmt and the shortcuts share;
SYSTEM, SOFTWARE, NTUSER.DAT and setupapi.dev.log take one ``usb`` list. The audit rules
windows-usb-setupapi and windows-usb-volume are clean on the sound build and fire on each
deliberately broken one.
"""

from __future__ import annotations

import copy
import re
from types import SimpleNamespace

import pytest
from disk_helpers import build, fuse_available, tsk

from forensics_kit.builder import load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.builder.audit.rules.windows_usb import UsbVolumeSerials
from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError
from forensics_kit.windows import UsbDevice, open_hive, recent_docs, shell_bags, usb_history
from forensics_kit.windows.volume_serial import volume_serials

pytestmark = pytest.mark.skipif(not fuse_available(), reason="the laptop's NTFS items need ntfs-3g, FUSE and root")

RULES = ["windows-usb-setupapi", "windows-usb-volume", "windows-lnk-target"]
DOC = "bid;price\nsteel;18350\n"
STICK = {"model": "Kingston DataTraveler 3.0", "serial": "60A44C413A8CF1A0B9A70F2B",
         "first_connected": "2024-03-05T09:00:00Z", "last_connected": "2024-03-06T08:00:00Z",
         "last_removed": "2024-03-06T08:30:00Z", "drive_letter": "E", "volume_serial": "3A7C-91F0",
         "volume_label": "WORK"}
ZONE = {"name": "Russian Standard Time", "bias": -180}


def _hive(kind: str, **extra) -> dict:
    return {"generate": "registry_hive", "hive": kind, "computer": "LT01", "installed": "2024-02-01T08:00:00Z",
            "time_zone": ZONE, **extra}


def _evidence(stick: dict | None = None, setupapi_stick: dict | None = None, lnk_serial: str = "3A7C-91F0",
              lnk_made: str = "2024-03-05T09:10:00Z", image_label: str = "WORK",
              ntuser_stick: dict | None = None) -> list[dict]:
    stick = stick or STICK
    lnk = {"generate": "lnk", "target": "E:\\Bid\\bid.csv", "size": len(DOC), "created": "2024-03-05T09:05:00Z",
           "modified": "2024-03-01T10:00:00Z", "accessed": lnk_made, "drive_type": "removable",
           "volume_serial": lnk_serial, "volume_label": "WORK", "machine_id": "lt01"}
    recent = "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/bid.csv.lnk"
    return [
        {"id": "stick", "type": "disk", "file": "stick.dd", "size": "10MiB", "scheme": "none", "tz": "Europe/Moscow",
         "filesystem": {"type": "fat16", "label": image_label, "serial": "3A7C-91F0"},
         "items": [{"id": "bid", "path": "/Bid/bid.csv", "content": {"text": DOC},
                    "times": {"created": "2024-03-05T09:05:00Z", "modified": "2024-03-01T10:00:00Z"}}]},
        {"id": "laptop", "type": "disk", "file": "laptop.dd", "size": "12MiB", "scheme": "none",
         "filesystem": {"type": "ntfs", "label": "Windows", "subsecond": True},
         "items": [
             {"id": "system", "path": "/Windows/System32/config/SYSTEM", "content": _hive("system", usb=[stick]),
              "times": {"created": "2024-02-01T08:00:00Z", "modified": "2024-03-06T09:00:00Z"}},
             {"id": "software", "path": "/Windows/System32/config/SOFTWARE", "content": _hive("software", usb=[stick]),
              "times": {"created": "2024-02-01T08:00:00Z", "modified": "2024-03-06T09:00:00Z"}},
             {"id": "setupapi", "path": "/Windows/INF/setupapi.dev.log",
              "content": {"generate": "setupapi_log", "time_zone": ZONE, "usb": [setupapi_stick or stick]},
              "times": {"created": "2024-02-01T08:00:00Z", "modified": "2024-03-05T09:01:00Z"}},
             {"id": "ntuser", "path": "/Users/anna/NTUSER.DAT",
              "content": _hive("ntuser", user="anna", sid="S-1-5-21-1-2-3-1001", usb=[ntuser_stick or stick],
                               recent_docs=[{"name": "bid.csv", "time": lnk_made}]),
              "times": {"created": "2024-02-01T08:00:00Z", "modified": "2024-03-06T09:00:00Z"}},
             {"id": "usrclass", "path": "/Users/anna/AppData/Local/Microsoft/Windows/UsrClass.dat",
              "content": _hive("usrclass", user="anna", sid="S-1-5-21-1-2-3-1001",
                               shellbags=[{"folder": "E:\\Bid", "time": "2024-03-05T09:06:00Z",
                                           "modified": "2024-03-05T09:05:00Z"}]),
              "times": {"created": "2024-02-01T08:00:00Z", "modified": "2024-03-06T09:00:00Z"}},
             {"id": "recent", "path": recent, "content": lnk,
              "times": {"created": lnk_made, "modified": lnk_made}},
         ]},
    ]


def _findings(folder, evidence) -> list:
    result = build(folder, evidence)
    return result, audit_build(load_recipe(folder / "t-disk.yaml"), result.directory, only=RULES)


@pytest.fixture(scope="module")
def sound(tmp_path_factory):
    folder = tmp_path_factory.mktemp("usb")
    return _findings(folder, _evidence())


def test_the_recipes_serial_is_the_sticks_volume_serial_as_fsstat_prints_it(sound):
    result, _ = sound
    stick = result.directory / "stick.dd"
    assert "Volume ID: 0x3a7c91f0" in tsk("fsstat", stick)
    with open_image(stick) as img:
        assert volume_serials(img) == {None: "3A7C-91F0"}


def test_one_usb_list_gives_system_software_ntuser_and_setupapi_the_same_stick(sound):
    result, _ = sound
    with open_image(result.directory / "laptop.dd") as img:
        [device] = usb_history(img)
        setupapi = img.read("/Windows/INF/setupapi.dev.log").decode()
        with open_hive(img, "/Users/anna/NTUSER.DAT") as ntuser:
            mounts = [k.name for k in ntuser.subkeys("Software\\Microsoft\\Windows\\CurrentVersion\\Explorer"
                                                     "\\MountPoints2")]
            docs = recent_docs(ntuser)
        with open_hive(img, "/Users/anna/AppData/Local/Microsoft/Windows/UsrClass.dat") as usrclass:
            bags = [b.path for b in shell_bags(usrclass)]
    assert (device.vendor, device.product, device.revision, device.vid, device.pid) == (
        "Kingston", "DataTraveler 3.0", "PMAP", "0951", "1666")
    assert (device.serial, device.drive_letter, device.volume_serial, device.volume_label) == (
        STICK["serial"], "E", "3A7C-91F0", "WORK")
    assert device.first_connected.startswith("2024-03-05T09:00:00.")  # milliseconds, the same in every source
    assert device.sources["first_connected"] == "setupapi.dev.log"
    stamp = f"Section start 2024/03/05 12:00:00.{device.first_connected[20:23].ljust(3, '0')}"
    assert stamp in setupapi  # Moscow time, UTC+3
    assert f"USBSTOR\\Disk&Ven_Kingston&Prod_DataTraveler_3.0&Rev_PMAP\\{STICK['serial']}&0]" in setupapi
    assert mounts == [device.volume_guid] and docs == ["bid.csv"]
    assert any(b.endswith("E:\\Bid") for b in bags)


def test_a_sound_stick_and_laptop_pass_the_usb_rules(sound):
    _, findings = sound
    assert findings == []


def test_a_setupapi_install_at_another_time_than_usbstor_is_found(tmp_path):
    moved = {**STICK, "first_connected": "2024-03-05T08:00:00Z"}
    _, findings = _findings(tmp_path, _evidence(setupapi_stick=moved))
    assert [(f.rule, f.text["en"].split(": ", 1)[1][:38]) for f in findings] == [
        ("windows-usb-setupapi", "setupapi.dev.log installs it at 2024-0")]


def test_a_stick_missing_from_setupapi_is_found(tmp_path):
    other = {**STICK, "serial": "0019E06B9C8AF19180000045"}
    _, findings = _findings(tmp_path, _evidence(setupapi_stick=other))
    assert [f.rule for f in findings] == ["windows-usb-setupapi"]
    assert "has no install section" in findings[0].text["en"] and "нет раздела" in findings[0].text["ru"]


def test_a_shortcut_to_a_volume_no_usb_device_had_is_found(tmp_path):
    _, findings = _findings(tmp_path, _evidence(lnk_serial="1111-2222"))
    assert [(f.rule, f.where) for f in findings] == [
        ("windows-usb-volume", "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/bid.csv.lnk")]
    assert "1111-2222" in findings[0].text["en"]


def test_a_shortcut_made_before_the_stick_was_first_connected_is_found(tmp_path):
    _, findings = _findings(tmp_path, _evidence(lnk_made="2024-03-04T10:00:00Z"))
    assert [f.rule for f in findings] == ["windows-usb-volume"]
    assert "was made at 2024-03-04T10:00:00Z, before" in findings[0].text["en"]


def test_a_stick_image_labelled_otherwise_than_emdmgmt_is_found(tmp_path):
    _, findings = _findings(tmp_path, _evidence(image_label="OTHER"))
    assert [f.rule for f in findings] == ["windows-usb-volume"]
    assert "'WORK'" in findings[0].text["en"] and "'OTHER'" in findings[0].text["en"]


def test_a_mount_point_of_a_volume_mounted_devices_does_not_know_is_found(tmp_path):
    other = {**STICK, "serial": "0019E06B9C8AF19180000045"}  # another serial: another volume GUID
    _, findings = _findings(tmp_path, _evidence(ntuser_stick=other))
    assert [(f.rule, f.where) for f in findings] == [("windows-usb-volume", "/Users/anna/NTUSER.DAT")]
    assert "MountPoints2\\{" in findings[0].text["en"] and "MountedDevices" in findings[0].text["ru"]


def test_a_device_with_no_volume_in_mounted_devices_is_found():
    device = UsbDevice("Disk&Ven_X&Prod_Y&Rev_1.00", "X", "Y", "1.00", "S1", None, None, None, None, None, None,
                       None, None, "3A7C-91F0", None)
    case = SimpleNamespace(case="t", variant=None)
    [finding] = UsbVolumeSerials()._device(case, "laptop", device, {})
    assert finding.text["en"] == "Disk&Ven_X&Prod_Y&Rev_1.00 S1 (volume 3A7C-91F0) has no volume in MountedDevices"


def test_a_stick_removed_before_its_last_arrival_is_a_recipe_error(tmp_path):
    broken = copy.deepcopy(_evidence({**STICK, "last_removed": "2024-03-06T07:00:00Z"}))
    with pytest.raises(RecipeError, match="first_connected <= last_connected <= last_removed"):
        build(tmp_path, broken)


def test_a_volume_serial_that_is_not_hex_is_a_recipe_error(tmp_path):
    broken = _evidence()
    broken[0]["filesystem"]["serial"] = "XYZ-1"
    with pytest.raises(RecipeError, match="volume serial of 8 hex digits"):
        build(tmp_path, broken)


def test_hex_parameters_draw_volume_serials_and_device_serials_of_their_width():
    from forensics_kit.builder.parameters import draw_parameters

    specs = {"vsn": {"type": "hex", "digits": 8, "group": 4}, "serial": {"type": "hex", "digits": 24},
             "plain": {"type": "hex"}}
    drawn = [draw_parameters(specs, seed, None) for seed in range(40)]
    assert all(re.fullmatch(r"[1-9A-F][0-9A-F]{3}-[0-9A-F]{4}", d["vsn"]) for d in drawn)
    assert all(re.fullmatch(r"[1-9A-F][0-9A-F]{23}", d["serial"]) for d in drawn)
    assert all(re.fullmatch(r"[1-9A-F][0-9A-F]{7}", d["plain"]) for d in drawn)
    assert len({d["vsn"] for d in drawn}) == 40


def test_a_shortcut_to_a_fat_target_carries_the_times_windows_reads_from_fat():
    import random

    from forensics_kit.builder.contents.windows_artefacts import LnkContent
    from forensics_kit.windows import read_lnk

    spec = {"target": "E:\\Bid\\bid.csv", "size": 27, "created": "2024-03-05T09:05:00.123456Z",
            "modified": "2024-03-01T10:00:03Z", "accessed": "2024-03-05T22:10:00Z", "drive_type": "removable",
            "volume_serial": "3A7C-91F0", "target_clock": "Europe/Moscow"}
    info = read_lnk(LnkContent().generate(spec, random.Random(1)))
    assert info.created.startswith("2024-03-05T09:05:00.12")  # FAT keeps creation to 10 ms
    assert info.modified == "2024-03-01T10:00:02Z"  # and the write time to 2 s
    assert info.accessed == "2024-03-05T21:00:00Z"  # the access date only: 6 March began at 21:00 UTC in Moscow


@pytest.mark.parametrize("fs_type", ["exfat", "fat32"])
def test_a_recipe_serial_sets_exfat_and_fat32_volume_serials_too(tmp_path, fs_type):
    stick = {"id": "stick", "type": "disk", "file": "stick.dd", "size": "40MiB", "scheme": "none",
             "filesystem": {"type": fs_type, "label": "WORK", "serial": "0x3a7c91f0"},
             "items": [{"id": "bid", "path": "/bid.csv", "content": {"text": DOC}}]}
    result = build(tmp_path, [stick])
    with open_image(result.directory / "stick.dd") as img:
        assert volume_serials(img) == {None: "3A7C-91F0"}
    printed = tsk("fsstat", result.directory / "stick.dd")
    assert ("Volume Serial Number: 3a7c-91f0" if fs_type == "exfat" else "Volume ID: 0x3a7c91f0") in printed


def test_drive_e_names_the_stick_connected_last_not_the_one_installed_last():
    from forensics_kit.builder.contents.windows_artefacts import RegistryHiveContent

    older = {**STICK, "serial": "0019E06B9C8AF19180000045", "first_connected": "2024-03-01T09:00:00Z",
             "last_connected": "2024-03-07T09:00:00Z", "last_removed": "2024-03-07T10:00:00Z"}
    spec = _hive("system", usb=[older, STICK])
    [a, b] = usb_history(RegistryHiveContent().generate(spec, None))
    assert (a.serial, a.drive_letter) == (older["serial"], "E")  # back on E: after the other was removed
    assert (b.serial, b.drive_letter) == (STICK["serial"], None)
