"""win-01 read with the field's tools: RegRipper, lnkinfo and The Sleuth Kit agree with the kit.

The lab must be solvable with the peer tools alone, so each answer the reference solver
gets from :mod:`forensics_kit.windows` is read again here the way an examiner without the
kit would: hives and logs cut out of the laptop image with ``icat``, read with RegRipper's
``usbstor``, ``mountdev``, ``emdmgmt``, ``recentdocs`` and ``shellbags``; shortcuts with
``lnkinfo``; the stick with ``fsstat``, ``fls`` and ``icat``.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from windows_case import need

from forensics_kit.disk import open_image
from forensics_kit.windows import open_hive, read_lnk, recent_docs, shell_bags, usb_history
from forensics_kit.windows.volume_serial import volume_serials

SECTOR = 2048  # both images: an MBR, the partition from 1 MiB


def _run(tool: str, *args: object) -> str:
    return subprocess.run([need(tool), *map(str, args)], capture_output=True, check=True).stdout.decode(
        "utf-8", "replace")


def _inodes(image: Path) -> dict[str, str]:
    """``{path: inode}`` of every allocated file, as ``fls -r -p`` lists it."""
    out = {}
    for line in _run("fls", "-r", "-p", "-o", SECTOR, image).splitlines():
        match = re.match(r"r/r (\S+):\t(.+)$", line)
        if match:
            out["/" + match[2]] = match[1]
    return out


@pytest.fixture(scope="module")
def win01(build, tmp_path_factory) -> dict:
    """The default build, with the laptop's hives and Recent shortcuts cut out by icat."""
    folder = build("win-01", None)
    laptop, stick = folder / "laptop.dd", folder / "stick.dd"
    out = tmp_path_factory.mktemp("win01-icat")
    inodes = _inodes(laptop)
    files = {}
    for path, inode in inodes.items():
        if path.endswith(("/SYSTEM", "/SOFTWARE", "/NTUSER.DAT", "/UsrClass.dat", ".lnk", "setupapi.dev.log")) \
                or "/$Recycle.Bin/" in path:
            target = out / path.lstrip("/").replace("/", "_")
            target.write_bytes(subprocess.run([need("icat"), "-o", str(SECTOR), str(laptop), inode],
                                              capture_output=True, check=True).stdout)
            files[path] = target
    with open_image(laptop) as img:
        devices = usb_history(img, partition=next(fs.partition for fs in img.filesystems()))
    with open_image(stick) as img:
        [serial] = volume_serials(img).values()
    return {"laptop": laptop, "stick": stick, "files": files, "devices": devices, "serial": serial}


def _file(win01: dict, suffix: str) -> Path:
    return next(p for k, p in win01["files"].items() if k.endswith(suffix))


def _stick_device(win01: dict):
    return next(d for d in win01["devices"] if d.volume_serial == win01["serial"])


def test_fsstat_volume_id_is_the_serial_the_kit_reads(win01):
    volume_id = re.search(r"Volume ID: 0x([0-9a-f]{8})", _run("fsstat", "-o", SECTOR, win01["stick"]))[1]
    assert f"{volume_id[:4]}-{volume_id[4:]}".upper() == win01["serial"]


def test_regripper_usbstor_gives_the_kits_serials_and_times(win01):
    out = _run("regripper", "-r", _file(win01, "/SYSTEM"), "-p", "usbstor")
    found = dict(re.findall(r"S/N: (\S+)&0 .*?First InstallDate\s+: (\S+ \S+)Z", out, flags=re.S))
    arrivals = dict(re.findall(r"S/N: (\S+)&0 .*?Last Arrival\s+: (\S+ \S+)Z", out, flags=re.S))
    assert sorted(found) == sorted(d.serial for d in win01["devices"])
    for device in win01["devices"]:
        assert found[device.serial].replace(" ", "T") == device.first_connected[:19]
        assert arrivals[device.serial].replace(" ", "T") == device.last_connected[:19]


def test_regripper_mountdev_gives_the_stick_drive_e(win01):
    out = _run("regripper", "-r", _file(win01, "/SYSTEM"), "-p", "mountdev")
    stick = _stick_device(win01)
    block = out.split(f"#{stick.serial}&0#")[1].split("Device:")[0]
    assert "\\DosDevices\\E:" in block and stick.drive_letter == "E"
    assert stick.volume_guid in block


def test_regripper_emdmgmt_ties_each_device_to_its_volume_serial(win01):
    out = _run("regripper", "-r", _file(win01, "/SOFTWARE"), "-p", "emdmgmt")
    vsn = dict(re.findall(r"SN: (\S+)&0\n(?:  Vol Name: .*\n)?  VSN: (\S+)", out))
    assert vsn == {d.serial: d.volume_serial for d in win01["devices"]}


def test_setupapi_section_start_in_local_time_is_the_first_connection(win01):
    text = _file(win01, "setupapi.dev.log").read_bytes().decode("utf-8")  # CRLF kept, as Windows writes it
    stick = _stick_device(win01)
    stamp = re.search(rf"Device Install \(Hardware initiated\) - USBSTOR\\{re.escape(stick.device)}\\"
                      rf"{stick.serial}&0\]\r\n>>>  Section start (\S+ \S+)", text)[1]
    local = datetime.strptime(stamp, "%Y/%m/%d %H:%M:%S.%f")
    assert (local - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S") == stick.first_connected[:19]


def test_lnkinfo_names_the_stick_by_drive_serial_for_the_opened_documents_only(win01):
    opened = {}
    for path, local in win01["files"].items():
        if not path.endswith(".lnk"):
            continue
        out = _run("lnkinfo", local)
        peer = dict(re.findall(r"^\t([A-Z][A-Za-z ]+?)\s*: (.*)$", out, flags=re.MULTILINE))
        info = read_lnk(local)
        assert peer["Local path"] == info.local_path
        serial = peer["Drive serial number"][2:].upper()
        assert f"{serial[:4]}-{serial[4:]}" == info.volume_serial
        if peer["Drive type"] == "Removable (2)":
            opened[info.local_path] = info.volume_serial
    on_stick = sorted(p for p, s in opened.items() if s == win01["serial"])
    assert [p.rsplit("\\", 1)[1] for p in on_stick] == ["clients_2024.csv", "tender_117_calc.csv"]
    assert len(opened) == 3  # the CV on the engineer's own stick, also E:


def test_regripper_recentdocs_and_shellbags_agree_with_the_kit(win01):
    ntuser, usrclass = _file(win01, "/NTUSER.DAT"), _file(win01, "/UsrClass.dat")
    out = _run("regripper", "-r", ntuser, "-p", "recentdocs")
    first = out.split("RecentDocs\n", 2)[-1].split("\n\n")[0]
    names = re.findall(r"^  \d+ = (.+)$", first, flags=re.MULTILINE)
    with open_hive(ntuser) as hive:
        assert names == recent_docs(hive)
    bags_out = _run("regripper", "-r", usrclass, "-p", "shellbags")
    with open_hive(usrclass) as hive:
        on_e = [b for b in shell_bags(hive) if "E:\\" in b.path and not b.path.endswith("E:\\")]
    [bag] = on_e
    line = next(line for line in bags_out.splitlines() if f"{bag.path} [" in line)
    assert line.split("|")[0].strip().replace(" ", "T") == bag.browsed[:19]


def test_the_recycled_originals_are_byte_for_byte_the_copies_on_the_stick(win01):
    stick_files = _inodes(win01["stick"])
    recycled = {p: f for p, f in win01["files"].items() if p.rsplit("/", 1)[-1].startswith("$R")}
    infos = {p: f for p, f in win01["files"].items() if p.rsplit("/", 1)[-1].startswith("$I")}
    assert len(recycled) == len(infos) == 3
    copies = {}
    for path, inode in stick_files.items():
        if path.endswith(".csv"):
            copies[path.rsplit("/", 1)[1]] = subprocess.run(
                [need("icat"), "-o", str(SECTOR), str(win01["stick"]), inode], capture_output=True, check=True).stdout
    for info_path, info in infos.items():
        raw = info.read_bytes()
        size = int.from_bytes(raw[8:16], "little")
        original = raw[28:].decode("utf-16-le").rstrip("\0")
        data = recycled[info_path.replace("/$I", "/$R")].read_bytes()
        assert len(data) == size and copies[original.rsplit("\\", 1)[1]] == data


def test_disk_info_prints_the_volume_serials_fsstat_gives(win01):
    import json

    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    serials = {}
    for name in ("stick", "laptop"):
        result = CliRunner().invoke(cli, ["disk", "info", str(win01[name]), "--json"], catch_exceptions=False)
        [fs] = json.loads(result.stdout)["filesystems"]
        serials[name] = fs["serial"]
    fat = re.search(r"Volume ID: 0x([0-9a-f]{8})", _run("fsstat", "-o", SECTOR, win01["stick"]))[1].upper()
    ntfs = re.search(r"Volume Serial Number: ([0-9A-F]{16})", _run("fsstat", "-o", SECTOR, win01["laptop"]))[1]
    assert serials == {"stick": f"{fat[:4]}-{fat[4:]}", "laptop": f"{ntfs[8:12]}-{ntfs[12:]}"}
    assert serials["stick"] == win01["serial"]


def test_fklab_alone_finds_the_stick_disk_info_then_disk_usb(win01):
    import json

    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    def run(*args: str) -> list[dict]:
        result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]

    [info] = run("disk", "info", str(win01["stick"]))
    serial = info["filesystems"][0]["serial"]
    devices = run("disk", "usb", str(win01["laptop"]))
    [stick] = [d for d in devices if d["volume_serial"] == serial]
    assert stick == _stick_device(win01).to_dict()
    assert stick["drive_letter"] == "E" and stick["sources"]["first_connected"] == "setupapi.dev.log"
    assert stick["volume_label"] == info["filesystems"][0]["label"]
