"""Bad input on the command line: one line on stderr, a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def fklab(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FKLAB_LANG": "en"}
    env.pop("FKLAB_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "forensics_kit.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture()
def junk(tmp_path: Path) -> Path:
    path = tmp_path / "junk.bin"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def test_missing_image_is_a_one_line_error(tmp_path: Path) -> None:
    assert_one_line_error(fklab("disk", "ls", str(tmp_path / "nope.dd")), "nope.dd")


def test_random_bytes_are_not_a_disk_image(junk: Path) -> None:
    assert_one_line_error(fklab("disk", "ls", str(junk)), "junk.bin")


def test_a_folder_is_not_a_disk_image(tmp_path: Path) -> None:
    assert_one_line_error(fklab("disk", "info", str(tmp_path)), str(tmp_path.name))


def test_random_bytes_are_not_a_capture(junk: Path) -> None:
    assert_one_line_error(fklab("net", "summary", str(junk)), "junk.bin")


def test_truncated_capture_is_reported_or_read_up_to_the_cut(tmp_path: Path) -> None:
    header = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    record = struct.pack("<IIII", 1_700_000_000, 0, 60, 60) + bytes(60)
    path = tmp_path / "cut.pcap"
    path.write_bytes(header + record + record[:30])
    result = fklab("net", "summary", str(path), "--json")
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert '"packets": 1' in result.stdout
    else:
        assert_one_line_error(result, "cut.pcap")


def test_unknown_lab_lists_the_known_ones() -> None:
    assert_one_line_error(fklab("lab", "show", "disk-99"), "disk-99", "disk-01")


def test_malformed_answers_file_is_a_one_line_error(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("lab: disk-01\nanswers: [\n", "utf-8")
    assert_one_line_error(fklab("lab", "check", "disk-01", str(answers)), "answers.yaml", "not valid YAML")


def test_answers_with_unknown_question_id_is_a_one_line_error(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("lab: net-01\nanswers:\n  qq: 1\n", "utf-8")
    assert_one_line_error(fklab("lab", "check", "net-01", str(answers)), "answers.yaml", "qq")


def test_lang_option_switches_lab_texts_to_russian() -> None:
    result = fklab("--lang", "ru", "lab", "list")
    assert result.returncode == 0
    assert "Название" in result.stdout and "начальный" in result.stdout
