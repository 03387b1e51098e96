"""disk-03's Windows questions answered with the field's tools alone, against the build's truth.

RegRipper (compname, timezone) on the SYSTEM hive, sccainfo on 7-Zip's prefetch file, usnjls
on the image, lnkinfo on the bid's Recent shortcut: what a trainee without the kit would run.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from windows_case import need

from forensics_kit.disk import open_image


@pytest.fixture(scope="module")
def laptop(build, tmp_path_factory) -> tuple[Path, dict, Path, int]:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "builder"))
    from disk_helpers import fuse_available

    if not fuse_available():
        pytest.skip("disk-03 is written through ntfs-3g with FUSE (root, /dev/fuse)")
    folder = build("disk-03", None)
    truth = json.loads((folder / "truth.json").read_text("utf-8"))
    out = tmp_path_factory.mktemp("disk03")
    image = folder / "laptop.dd"
    with open_image(image) as img:
        ntfs = next(p for p in img.partitions() if p.filesystem == "NTFS")
        for path in ("/Windows/System32/config/SYSTEM", "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf"):
            (out / path.rsplit("/", 1)[-1]).write_bytes(img.read(path, partition=ntfs.index))
        bid = truth["items"]["bid"]["path"].rsplit("/", 1)[-1]
        lnk = f"/Users/{truth['parameters']['user']}/AppData/Roaming/Microsoft/Windows/Recent/{bid}.lnk"
        (out / "bid.lnk").write_bytes(img.read(lnk, partition=ntfs.index))
    return image, truth, out, ntfs.start


def _run(*args: str) -> str:
    return subprocess.run([need(args[0]), *args[1:]], capture_output=True, text=True, check=True).stdout


def test_regripper_gives_the_computer_name_and_the_zone(laptop) -> None:
    _, truth, out, _ = laptop
    assert f"ComputerName    = {truth['parameters']['computer']}" in _run("regripper", "-r", str(out / "SYSTEM"),
                                                                          "-p", "compname")
    zone = _run("regripper", "-r", str(out / "SYSTEM"), "-p", "timezone")
    assert "ActiveTimeBias -> -180 (-3 hours)" in zone and "Russian Standard Time" in zone


def test_sccainfo_names_the_archive_and_its_last_run(laptop) -> None:
    _, truth, out, _ = laptop
    info = _run("sccainfo", str(out / "7ZG.EXE-0F8C4081.pf"))
    tender = truth["parameters"]["tender"]
    assert f"\\DOWNLOADS\\TENDER_{tender}.ZIP" in info and "Run count\t\t\t: 3" in info
    last = re.search(r"Last run time: 1\t+: (.+?)\.\d+ UTC", info).group(1)
    when = datetime.strptime(last, "%b %d, %Y %H:%M:%S").replace(tzinfo=UTC)
    assert when.isoformat().replace("+00:00", "Z") == truth["parameters"]["t_zip"]


def test_usnjls_shows_the_rename_to_the_dll_at_its_time(laptop) -> None:
    image, truth, _, start = laptop
    rows = [line.split("\t") for line in _run("usnjls", "-o", str(start), str(image)).splitlines() if line]
    dll = truth["items"]["bundle"]["path"].rsplit("/", 1)[-1]
    renamed = [r for r in rows if r[4] == dll and r[3].split() == ["RENAME_NEW_NAME"]]
    assert len(renamed) == 1
    when = datetime.fromtimestamp(int(renamed[0][2].split(".")[0]), UTC)
    assert when.isoformat().replace("+00:00", "Z") == truth["parameters"]["t_renamed"]
    assert any(r[3].split() == ["RENAME_OLD_NAME"] and r[4] == f"tender_{truth['parameters']['tender']}.zip"
               for r in rows)


def test_lnkinfo_reads_the_bids_shortcut_as_the_volume_holds_the_bid(laptop) -> None:
    image, truth, out, start = laptop
    info = _run("lnkinfo", str(out / "bid.lnk"))
    bid = "C:" + truth["items"]["bid"]["path"].replace("/", "\\")
    assert f"Local path\t\t\t: {bid}" in info
    serial = re.search(r"Volume Serial Number: ([0-9A-F]+)", _run("fsstat", "-o", str(start), str(image))).group(1)
    assert f"Drive serial number\t\t: 0x{serial[-8:].lower()}" in info
