"""Prefetch files: written by our writer (versions 30 and 23), read with libscca, checked against sccainfo, CLI."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from windows_case import need

from forensics_kit.builder.contents.windows_system import PrefetchContent, volume_device
from forensics_kit.builder.windows import Prefetch
from forensics_kit.cli.main import cli
from forensics_kit.errors import EvidenceError
from forensics_kit.windows import read_prefetch

RUNS = [datetime(2024, 4, 14, 2, 13, 29, tzinfo=UTC), datetime(2024, 4, 2, 3, 25, 40, tzinfo=UTC),
        datetime(2024, 4, 1, 15, 29, 41, tzinfo=UTC)]
CREATED = datetime(2024, 4, 1, 6, 0, tzinfo=UTC)
EXE = "C:\\Program Files\\7-Zip\\7zG.exe"
ZIP = "C:\\Users\\anna\\Downloads\\tender_1.zip"


def _seven_zip(version: int = 30) -> Prefetch:
    return Prefetch(EXE, 3, RUNS if version == 30 else RUNS[:1], 0x9A6CDFC6, CREATED, loaded=[ZIP], version=version,
                    volume_device=volume_device(CREATED, 0x9A6CDFC6))


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Path:
    """A FAT volume with /Windows/Prefetch holding a good file of each version and a damaged one."""
    if not (shutil.which("mkfs.fat") and shutil.which("mcopy")):
        pytest.skip("mtools and dosfstools are needed to make the image")
    root = tmp_path_factory.mktemp("prefetch")
    tree = root / "tree" / "Windows" / "Prefetch"
    tree.mkdir(parents=True)
    _seven_zip().write(tree)
    notepad = Prefetch("C:\\Windows\\System32\\notepad.exe", 1, RUNS[:1], 0x9A6CDFC6, CREATED, version=23)
    notepad.write(tree)
    (tree / "BROKEN.EXE-00000000.pf").write_bytes(_seven_zip().to_bytes()[:120])
    (tree / "NOTES.TXT-11111111.pf").write_bytes(b"not a prefetch file at all")
    image = root / "win.img"
    subprocess.run(["mkfs.fat", "-C", "-F", "16", "--invariant", str(image), "16384"], check=True,
                   capture_output=True)
    subprocess.run(["mcopy", "-s", "-m", "-i", str(image), str(root / "tree" / "Windows"), "::/"], check=True,
                   capture_output=True, env={"MTOOLS_SKIP_CHECK": "1", "TZ": "UTC", "PATH": "/usr/bin:/bin"})
    return image


def _sccainfo(data: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "x.pf"
    path.write_bytes(data)
    out = subprocess.run([need("sccainfo"), str(path)], capture_output=True, text=True, check=True).stdout
    return dict(re.findall(r"^\t([A-Z][A-Za-z ]+(?:: \d+)?):?\t+: (.*)$", out, flags=re.MULTILINE))


def test_windows_names_the_notepad_file_as_a_real_system_does() -> None:
    notepad = Prefetch("C:\\Windows\\System32\\notepad.exe", 1, RUNS[:1], 0, CREATED)
    assert notepad.name == "NOTEPAD.EXE-D8414F97.pf"  # the name on every Windows 10 system drive


@pytest.mark.parametrize("version", [30, 23])
def test_read_prefetch_agrees_with_sccainfo(version: int, tmp_path: Path) -> None:
    data = _seven_zip(version).to_bytes()
    info = read_prefetch(data, name="7ZG.pf")
    peer = _sccainfo(data, tmp_path)
    assert peer["Format version"] == str(info.format_version) == str(version)
    assert peer["Executable filename"] == info.executable == "7ZG.EXE"
    assert peer["Prefetch hash"] == f"0x{info.prefetch_hash.lower()}" == "0x0f8c4081"
    assert peer["Run count"] == str(info.run_count) == "3"
    assert peer["Last run time: 1" if version == 30 else "Last run time"].startswith("Apr 14, 2024 02:13:29")
    assert info.last_run_times == (["2024-04-14T02:13:29Z", "2024-04-02T03:25:40Z", "2024-04-01T15:29:41Z"]
                                   if version == 30 else ["2024-04-14T02:13:29Z"])
    assert peer["Serial number"] == "0x9a6cdfc6" and info.volumes[0].serial == "9A6C-DFC6"
    assert peer["Creation time"].startswith("Apr 01, 2024 06:00:00")
    assert info.volumes[0].created == "2024-04-01T06:00:00Z"
    assert peer["Device path"] == info.volumes[0].device_path == "\\VOLUME{01da83f9d4bb7000-9a6cdfc6}"
    device = "\\VOLUME{01DA83F9D4BB7000-9A6CDFC6}"
    assert peer["Filename: 1"] == info.files[0] == device + "\\USERS\\ANNA\\DOWNLOADS\\TENDER_1.ZIP"
    assert info.executable_path() == device + "\\PROGRAM FILES\\7-ZIP\\7ZG.EXE"


def test_the_content_generator_sorts_runs_and_shifts_them() -> None:
    data = PrefetchContent().generate({"executable": EXE, "run_times": ["2024-04-01T15:29:41Z", "2024-04-14T02:13:29Z"],
                                       "run_offset": -9, "volume_serial": "9A6C-DFC6",
                                       "volume_created": "2024-04-01T06:00:00Z", "loaded": [ZIP]}, random.Random(1))
    info = read_prefetch(data, name="gen.pf")
    assert info.run_count == 2 and info.last_run_times == ["2024-04-14T02:13:20Z", "2024-04-01T15:29:32Z"]
    assert info.volumes[0].serial == "9A6C-DFC6" and info.files[0].endswith("\\TENDER_1.ZIP")


@pytest.mark.parametrize("spec, problem", [
    ({"run_times": []}, "at least one run time"),
    ({"run_times": ["2024-04-01T00:00:00Z"] * 9}, "at most 8"),
    ({"run_times": ["2024-04-01T00:00:00Z", "2024-04-02T00:00:00Z"], "run_count": 1}, "less than"),
    ({"run_times": ["2024-04-01T00:00:00Z"], "version": 17}, "version 17"),
])
def test_the_content_generator_refuses_what_windows_would_not_write(spec: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        PrefetchContent().generate({"executable": EXE, **spec}, random.Random(1))


def test_a_damaged_or_foreign_file_is_one_line_of_evidence_error() -> None:
    with pytest.raises(EvidenceError, match="not a Windows prefetch file"):
        read_prefetch(b"MZ" + bytes(200), name="x.pf")
    with pytest.raises(EvidenceError) as cut:
        read_prefetch(_seven_zip().to_bytes()[:120], name="cut.pf")
    assert "\n" not in str(cut.value) and str(cut.value).startswith("cut.pf: ")


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_disk_prefetch_lists_the_folder_and_shows_one_file(image: Path) -> None:
    rows = [json.loads(line) for line in _cli("disk", "prefetch", str(image), "--json").output.splitlines()]
    assert [(r["executable"], r["run_count"]) for r in rows] == [("7ZG.EXE", 3), (None, None), ("NOTEPAD.EXE", 1),
                                                                   (None, None)]
    assert rows[0]["last_run"] == "2024-04-14T02:13:29Z" and rows[1]["error"] and rows[3]["error"]
    one = json.loads(_cli("disk", "prefetch", str(image), "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf", "--json").output)
    assert one["run_count"] == 3 and one["volumes"][0]["serial"] == "9A6C-DFC6" and len(one["files"]) == 2
    table = _cli("--wide", "disk", "prefetch", str(image), "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf").output
    assert "2024-04-14T02:13:29Z, 2024-04-02T03:25:40Z" in table and "\\USERS\\ANNA\\DOWNLOADS\\TENDER_1.ZIP" in table


def test_disk_prefetch_speaks_russian_under_lang_ru(image: Path) -> None:
    listing = _cli("--lang", "ru", "disk", "prefetch", str(image)).output
    assert "Последний запуск (UTC)" in listing and "Запусков" in listing
    assert "это не файл prefetch Windows" in listing  # a file that is not one, in the error column
    one = _cli("--lang", "ru", "disk", "prefetch", str(image), "/Windows/Prefetch/7ZG.EXE-0F8C4081.pf").output
    assert "число запусков" in one and "Загруженный файл" in one


def test_a_malformed_prefetch_file_is_one_line_of_error(image: Path) -> None:
    for path in ("/Windows/Prefetch/BROKEN.EXE-00000000.pf", "/Windows/Prefetch/NOTES.TXT-11111111.pf"):
        result = CliRunner().invoke(cli, ["disk", "prefetch", str(image), path])
        assert result.exit_code == 1 and result.output.strip().count("\n") == 0, result.output
        assert "Traceback" not in result.output


def test_the_programs_a_prefetch_file_names_are_planted_as_pe_images_file_recognises(tmp_path: Path) -> None:
    from forensics_kit.builder.contents.windows_system import PeContent
    from forensics_kit.disk.signatures import detect

    exe = tmp_path / "7zG.exe"
    exe.write_bytes(PeContent().generate({"size": "6KiB", "built": "2024-03-12T04:10:00Z"}, random.Random(3)))
    dll = tmp_path / "7z.dll"
    dll.write_bytes(PeContent().generate({"size": 1000, "dll": True, "subsystem": "console"}, random.Random(3)))
    assert detect(exe.read_bytes()[:4096]) == detect(dll.read_bytes()[:4096]) == "pe"
    assert len(exe.read_bytes()) == 0x400 + 6 * 1024 and len(dll.read_bytes()) == 0x400 + 1024
    if shutil.which("file"):
        out = subprocess.run(["file", "-b", str(exe), str(dll)], capture_output=True, text=True, check=True).stdout
        assert out.splitlines() == ["PE32+ executable (GUI) x86-64, for MS Windows",
                                    "PE32+ executable (DLL) (console) x86-64, for MS Windows"]
    with pytest.raises(ValueError, match="subsystem"):
        PeContent().generate({"subsystem": "posix"}, random.Random(1))
