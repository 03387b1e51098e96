"""``fklab disk exif|pdfinfo|office|history|authlog|bashhist``: inside an image or on an exported --file."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.builder import make_content
from forensics_kit.cli.main import cli

REPO = Path(__file__).resolve().parents[2]
FILES = {
    "photo.jpg": {"generate": "jpeg", "exif": {"make": "Canon", "model": "EOS 250D", "taken": "2024-03-05T14:02:11Z",
                                               "gps": {"lat": -33.8688, "lon": 151.2093}}},
    "report.pdf": {"generate": "pdf", "author": "Bob", "created": "2024-03-01T10:00:00Z"},
    "plan.docx": {"generate": "docx", "author": "Anna", "last_modified_by": "Mallory"},
    "places.sqlite": {"generate": "browser_history",
                      "visits": [{"url": "https://bank.example/", "title": "Bank", "time": "2024-03-05T10:00:00Z"}]},
    "auth.log": {"generate": "auth_log", "events": [
        {"kind": "failed", "time": "2024-03-05T10:00:00Z", "ip": "198.51.100.7", "repeat": 3},
        {"kind": "accepted", "time": "2024-03-05T10:01:00Z", "ip": "198.51.100.7", "user": "root"}]},
    ".bash_history": {"generate": "bash_history", "commands": ["id", "history -c"]},
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("exported")
    for name, spec in FILES.items():
        (folder / name).write_bytes(make_content(spec, random.Random(1)))
    return folder


def _json(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    text = result.output.strip()
    return [json.loads(text)] if text.startswith("{\n") else [json.loads(line) for line in text.splitlines()]


def test_exif_of_an_exported_file(exported):
    (info,) = _json("disk", "exif", "--file", str(exported / "photo.jpg"))
    assert (info["model"], info["gps_lat"], info["datetime_original"]) == ("EOS 250D", -33.8688, "2024-03-05T14:02:11")


def test_pdfinfo_office_history_and_bashhist_of_exported_files(exported):
    assert _json("disk", "pdfinfo", "--file", str(exported / "report.pdf"))[0]["created"] == "2024-03-01T10:00:00Z"
    assert _json("disk", "office", "--file", str(exported / "plan.docx"))[0]["last_modified_by"] == "Mallory"
    (visit,) = _json("disk", "history", "--file", str(exported / "places.sqlite"))
    assert (visit["url"], visit["browser"]) == ("https://bank.example/", "firefox")
    assert [c["command"] for c in _json("disk", "bashhist", "--file", str(exported / ".bash_history"))] == [
        "id", "history -c"]


def test_authlog_summary_counts_the_attack(exported):
    (row,) = _json("disk", "authlog", "--file", str(exported / "auth.log"), "--year", "2024", "--summary")
    assert (row["source_ip"], row["failures"], row["successes"], row["first_time"]) == (
        "198.51.100.7", 3, 1, "2024-03-05T10:00:00Z")


def test_table_output_shows_the_values(exported):
    result = CliRunner().invoke(cli, ["disk", "exif", "--file", str(exported / "photo.jpg")])
    assert result.exit_code == 0 and "EOS 250D" in result.output and "-33.8688" in result.output


def test_reading_inside_an_image_by_path_and_by_inode(tmp_path, exported):
    pytest.importorskip("pytsk3")
    from forensics_kit.disk import open_image

    image = tmp_path / "stick.dd"
    subprocess.run(["mkfs.fat", "-C", "-n", "ART", str(image), "2048"], check=True, capture_output=True)
    subprocess.run(["mcopy", "-i", str(image), str(exported / "plan.docx"), "::/plan.docx"], check=True)
    (info,) = _json("disk", "office", str(image), "/plan.docx")
    assert info["creator"] == "Anna"
    with open_image(image) as img:
        inode = next(r.inode for r in img.walk() if r.name == "plan.docx")
    assert _json("disk", "office", str(image), "--inode", str(inode))[0]["creator"] == "Anna"


def test_wrong_file_type_is_one_line_error_without_traceback(exported):
    result = subprocess.run([sys.executable, "-m", "forensics_kit.cli.main", "disk", "history", "--file",
                             str(exported / "plan.docx")], capture_output=True, text=True, cwd=REPO, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"Error: {exported / 'plan.docx'}: not an SQLite database "
                                                  "(no 'SQLite format 3' header)"]


def test_image_and_file_together_is_a_usage_error(exported):
    result = CliRunner().invoke(cli, ["disk", "exif", "x.dd", "--inode", "3", "--file", str(exported / "photo.jpg")])
    assert result.exit_code == 2 and "not both" in result.output
