"""Prefetch files read by libscca's sccainfo: name and hash, run count, last run times, loaded files, volume."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from forensics_kit.builder.windows import Prefetch, WindowsVolume, prefetch_hash

T = datetime(2024, 3, 7, 10, 10, tzinfo=UTC)


def test_the_prefetch_hash_is_the_one_windows_names_files_with():
    # NOTEPAD.EXE-D8414F97.pf and CMD.EXE-4A81B364.pf on Windows 7 to 10 (C: is HarddiskVolume2)
    assert prefetch_hash("\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\NOTEPAD.EXE") == 0xD8414F97
    assert prefetch_hash("\\DEVICE\\HARDDISKVOLUME2\\WINDOWS\\SYSTEM32\\CMD.EXE") == 0x4A81B364
    assert Prefetch("C:\\Windows\\System32\\cmd.exe", 1, [T], 1, T).name == "CMD.EXE-4A81B364.pf"


@pytest.mark.parametrize("version", [23, 30])
def test_sccainfo_reads_what_was_written(tmp_path, version):
    tool = shutil.which("sccainfo")
    if tool is None:
        pytest.skip("sccainfo not installed (make setup installs libscca-utils)")
    runs = [T, T - timedelta(hours=2), T - timedelta(days=1)]
    prefetch = Prefetch("C:\\Tools\\rclone.exe", 3, runs, 0x1A2B3C4D, datetime(2023, 1, 1, tzinfo=UTC),
                        ["C:\\Windows\\System32\\ntdll.dll", "C:\\Windows\\System32\\kernel32.dll"], version=version)
    path = prefetch.write(tmp_path)
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout
    assert f"Format version\t\t\t: {version}" in out
    assert f"Prefetch hash\t\t\t: 0x{prefetch.hash:08x}" in out and "Executable filename\t\t: RCLONE.EXE" in out
    assert "Run count\t\t\t: 3" in out
    times = re.findall(r"Last run time:[^:]*: (\w+ \d+, \d+ [\d:]+)", out)
    assert times[:len(runs) if version == 30 else 1] == [t.strftime("%b %d, %Y %H:%M:%S") for t in runs][
        :len(runs) if version == 30 else 1]
    names = re.findall(r"Filename: \d+\s+: (.*)", out)
    assert names == ["\\VOLUME{01D9A1B2C3D4E5F6-1A2B3C4D}\\WINDOWS\\SYSTEM32\\NTDLL.DLL",
                     "\\VOLUME{01D9A1B2C3D4E5F6-1A2B3C4D}\\WINDOWS\\SYSTEM32\\KERNEL32.DLL",
                     "\\VOLUME{01D9A1B2C3D4E5F6-1A2B3C4D}\\TOOLS\\RCLONE.EXE"]
    assert "Serial number\t\t\t: 0x1a2b3c4d" in out


def test_the_skeleton_puts_prefetch_files_where_windows_does():
    vol = WindowsVolume("WS01", T)
    path = vol.add_prefetch(Prefetch("C:\\Windows\\System32\\cmd.exe", 2, [T], 0x1A2B3C4D, T))
    assert path == "/Windows/Prefetch/CMD.EXE-4A81B364.pf" and vol.files()[path][4:8] == b"SCCA"
