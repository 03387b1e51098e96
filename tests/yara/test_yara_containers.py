"""YARA sees raw bytes; with containers it also reads zip members inflated and VBA macros decompressed."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.builder import make_content
from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.yara import scan_files

MACRO = 'Sub AutoOpen()\r\n    Shell "certutil -decode %TEMP%\\x.b64 %TEMP%\\x.exe", 0\r\nEnd Sub\r\n'
RULES = r"""
rule Macro_Certutil { strings: $m = "Attribute VB_Name" $a = "AutoOpen" $c = "certutil -decode"
  condition: $m at 0 and $a and $c }
rule Doc_Text { strings: $t = "quarterly bonus list" condition: $t }
"""


def _files() -> dict[str, bytes]:
    rng = random.Random(5)
    return {
        "EVIL.DOCM": make_content({"generate": "docm", "macros": {"ThisDocument": MACRO}}, rng),
        "GONE.DOCM": make_content({"generate": "docm", "macros": {"ThisDocument": MACRO}}, rng),
        "PLAN.DOCX": make_content({"generate": "docx", "paragraphs": ["the quarterly bonus list"]}, rng),
        # a text naming every word, not a macro: '$m at 0' keeps it out
        "NOTICE.TXT": b"Macros call AutoOpen, then certutil -decode. Attribute VB_Name is VBA.\n",
    }


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for tool in ("mkfs.fat", "mcopy", "mdel"):
        if shutil.which(tool) is None:
            pytest.skip(f"system tool '{tool}' is not installed")
    work = tmp_path_factory.mktemp("yara-containers")
    path = work / "fat.dd"
    env = {"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    subprocess.run(["mkfs.fat", "-F", "16", "-s", "2", "-C", str(path), "8192"], check=True, capture_output=True)
    for name, data in _files().items():
        (work / name).write_bytes(data)
        subprocess.run(["mcopy", "-i", str(path), str(work / name), "::" + name], check=True, env=env)
    subprocess.run(["mdel", "-i", str(path), "::GONE.DOCM"], check=True, env=env)
    (work / "rules.yar").write_text(RULES, encoding="utf-8")
    return path


def test_a_raw_scan_of_the_files_finds_nothing_of_the_compressed_text(image: Path) -> None:
    with open_image(image) as img:
        assert list(scan_files(img, RULES)) == []


def test_containers_find_the_macro_and_the_document_text_with_their_member(image: Path) -> None:
    with open_image(image) as img:
        found = {(m.rule, m.where, m.allocated) for m in scan_files(img, RULES, containers=True)}
        assert img.warnings == []
    assert found == {
        ("Macro_Certutil", "/EVIL.DOCM!word/vbaProject.bin!VBA/ThisDocument", True),
        ("Macro_Certutil", "/GONE.DOCM!word/vbaProject.bin!VBA/ThisDocument", False),
        ("Doc_Text", "/PLAN.DOCX!word/document.xml", True),
    }


def test_the_yara_command_shows_file_and_member_and_refuses_containers_with_raw(image: Path) -> None:
    rules = str(image.parent / "rules.yar")
    result = CliRunner().invoke(cli, ["disk", "yara", str(image), rules, "--containers", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {(r["path"], r["member"]) for r in rows} == {
        ("/EVIL.DOCM", "word/vbaProject.bin!VBA/ThisDocument"), ("/GONE.DOCM", "word/vbaProject.bin!VBA/ThisDocument"),
        ("/PLAN.DOCX", "word/document.xml")}
    plain = CliRunner().invoke(cli, ["--wide", "disk", "yara", str(image), rules, "--containers"])
    assert "/EVIL.DOCM!word/vbaProject.bin!VBA/ThisDocument" in plain.output
    both = CliRunner().invoke(cli, ["disk", "yara", str(image), rules, "--containers", "--raw"])
    assert both.exit_code == 2 and "--containers" in both.output


def test_the_vba_command_prints_each_macro_as_olevba_does(image: Path) -> None:
    result = CliRunner().invoke(cli, ["disk", "vba", str(image), "/EVIL.DOCM"])
    assert result.exit_code == 0, result.output
    assert "VBA module ThisDocument (11 lines) in word/vbaProject.bin!VBA/ThisDocument:" in result.output
    assert 'Shell "certutil -decode %TEMP%\\x.b64 %TEMP%\\x.exe", 0\nEnd Sub' in result.output
    (module,) = [json.loads(line) for line in
                 CliRunner().invoke(cli, ["disk", "vba", str(image), "/EVIL.DOCM", "--json"]).output.splitlines()]
    assert module["stream"] == "VBA/ThisDocument" and module["source"].endswith(MACRO)
    russian = CliRunner().invoke(cli, ["--lang", "ru", "disk", "vba", str(image), "/PLAN.DOCX"])
    assert russian.exit_code == 0 and "макросов VBA нет" in russian.output


def test_help_says_that_search_and_yara_read_raw_bytes() -> None:
    for command in ("search", "yara"):
        text = CliRunner().invoke(cli, ["disk", command, "--help"]).output
        assert "raw bytes" in text and "--containers" in text
    russian = CliRunner().invoke(cli, ["--lang", "ru", "disk", "search", "--help"]).output
    assert "по сырым байтам" in russian
