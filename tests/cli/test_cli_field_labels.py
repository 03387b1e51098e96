"""Key-value blocks (disk info, verify, hash, stat, artefacts, custody, net summary) speak the trainee's language."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.builder import make_content
from forensics_kit.cli import output
from forensics_kit.cli.main import cli
from forensics_kit.cli.text import CATALOGUE

FILES = {
    "photo.jpg": {"generate": "jpeg", "exif": {"make": "Canon", "model": "EOS 250D", "taken": "2024-03-05T14:02:11Z",
                                               "gps": {"lat": -33.8688, "lon": 151.2093}}},
    "report.pdf": {"generate": "pdf", "author": "Bob", "created": "2024-03-01T10:00:00Z"},
    "plan.docx": {"generate": "docx", "author": "Anna", "last_modified_by": "Mallory"},
}


@pytest.fixture
def labels(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Every field name and block title the commands ask to show, in Russian."""
    seen: set[str] = set()
    translate = output.label

    def record(text: str) -> str:
        seen.add(text)
        return translate(text)

    monkeypatch.setattr(output, "label", record)
    return seen


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["--lang", "ru", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_every_field_of_the_kits_key_value_blocks_has_a_russian_form(labels, build, tmp_path: Path) -> None:
    sd = build("intro-01", None) / "sd.E01"
    usb = build("disk-01", None) / "usb.dd"
    laptop = build("disk-03", None) / "laptop.dd"
    capture = build("net-01", None) / "capture.pcap"
    for name, spec in FILES.items():
        (tmp_path / name).write_bytes(make_content(spec, random.Random(1)))
    _run("disk", "info", str(sd))
    _run("disk", "verify", str(sd))
    _run("disk", "hash", str(usb))
    _run("disk", "stat", str(usb), "-i", "5")
    _run("disk", "stat", str(laptop), "/Users", "-p", "2")
    _run("disk", "exif", "--file", str(tmp_path / "photo.jpg"))
    _run("disk", "pdfinfo", "--file", str(tmp_path / "report.pdf"))
    _run("disk", "office", "--file", str(tmp_path / "plan.docx"))
    _run("disk", "custody", "add", str(usb), "--log", str(tmp_path / "case.log"), "--examiner", "A", "--action", "x")
    _run("net", "summary", str(capture))
    fields = {text for text in labels if "/" not in text}  # artefact blocks are titled with their file's path
    assert len(fields) > 80
    missing = sorted(text for text in fields if not CATALOGUE.get(f"field.{text}", {}).get("ru"))
    assert not missing, missing


def test_lang_ru_shows_russian_field_names_and_json_keeps_english(build) -> None:
    usb = str(build("disk-01", None) / "usb.dd")
    russian = _run("disk", "info", usb)
    assert "формат" in russian and "format " not in russian
    machine = CliRunner().invoke(cli, ["--lang", "ru", "disk", "info", usb, "--json"])
    assert '"format"' in machine.output


CLI = Path(__file__).resolve().parents[2] / "forensics_kit" / "cli"


def test_every_table_title_and_status_line_of_the_cli_has_a_russian_form() -> None:
    import re

    titles, statuses = set(), set()
    for module in CLI.glob("*.py"):
        text = module.read_text("utf-8")
        titles |= set(re.findall(r'title="([^"]+)"', text))
        statuses |= set(re.findall(r'status\("([a-z-]+)"', text))
    assert titles and statuses
    missing = sorted(t for t in titles if not CATALOGUE.get(f"field.{t}", {}).get("ru"))
    missing += sorted(f"status.{s}" for s in statuses if not CATALOGUE.get(f"status.{s}", {}).get("ru"))
    assert not missing, missing


def test_status_lines_read_in_russian(build, tmp_path: Path) -> None:
    usb = str(build("disk-01", None) / "usb.dd")
    log = str(tmp_path / "case.log")
    _run("disk", "custody", "add", usb, "--log", log, "--examiner", "A", "--action", "received")
    text = _run("disk", "custody", "verify", "--log", log)
    assert "цепочка цела" in text and "chain intact" not in text


def test_every_progress_step_the_kit_reports_has_a_russian_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from forensics_kit.cli import common

    kit = CLI.parent
    steps = set()
    for module in kit.rglob("*.py"):
        text = module.read_text("utf-8")
        steps |= set(re.findall(r'progress\("([^"{]+)"', text)) | set(re.findall(r'step(?:: str)? ?= ?"([^"]+)"', text))
    assert {"hashing media", "searching", "carving"} <= steps
    missing = sorted(s for s in steps if not CATALOGUE.get(f"step.{s}", {}).get("ru"))
    assert not missing, missing
    monkeypatch.setattr("forensics_kit.cli.output.current_lang", lambda: "ru")
    assert common._step("hashing media") == "хеширование носителя"
