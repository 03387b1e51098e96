"""YARA over an image's files (deleted too) and over its raw media, cross-checked with ``yara -s``."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from forensics_kit.disk import open_image
from forensics_kit.yara import compile_rules, scan_files, scan_raw

RULES = r"""
rule secret_word : demo { meta: level = 3 strings: $w = "nightjar" nocase $h = { 4E 49 47 48 54 }
  condition: any of them }
rule wide_memo { strings: $m = "memo:" wide condition: $m }
rule never { strings: $n = "no such text anywhere" condition: $n }
"""
FILES = {
    "LIVE.TXT": b"plan: nightjar at dawn. NIGHTJAR confirmed\n",
    "WIDE.TXT": "memo: meet".encode("utf-16le"),
    "GONE.TXT": b"deleted Nightjar copy\n",
    "PLAIN.TXT": b"nothing to see\n",
}


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"system tool '{tool}' is not installed")


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need("mkfs.fat", "mcopy", "mdel")
    work = tmp_path_factory.mktemp("yara")
    path = work / "fat.dd"
    env = {"MTOOLS_SKIP_CHECK": "1", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    subprocess.run(["mkfs.fat", "-F", "16", "-s", "2", "-C", str(path), "8192"], check=True, capture_output=True)
    for name, data in FILES.items():
        (work / name).write_bytes(data)
        subprocess.run(["mcopy", "-i", str(path), str(work / name), "::" + name], check=True, env=env)
    subprocess.run(["mdel", "-i", str(path), "::GONE.TXT"], check=True, env=env)
    return path


def _yara_cli(rules: Path, target: Path) -> dict[str, list[tuple[int, str]]]:
    """Rule -> [(offset, identifier)] from ``yara -s``."""
    proc = subprocess.run(["yara", "-s", str(rules), str(target)], capture_output=True, text=True,
                          errors="replace", check=True)
    out: dict[str, list[tuple[int, str]]] = {}
    rule = None
    for line in proc.stdout.splitlines():
        match = re.match(r"^0x([0-9a-f]+):(\$\w+):", line)
        if match:
            out[rule].append((int(match.group(1), 16), match.group(2)))
        else:
            rule = line.split()[0]
            out[rule] = []
    return out


def test_file_scan_finds_live_and_deleted_files_with_meta_and_tags(image: Path) -> None:
    with open_image(image) as img:
        matches = list(scan_files(img, compile_rules(RULES)))
    got = {(m.rule, m.path, m.allocated) for m in matches}
    assert got == {("secret_word", "/LIVE.TXT", True), ("secret_word", "/_ONE.TXT", False),
                   ("wide_memo", "/WIDE.TXT", True)}
    live = next(m for m in matches if m.path == "/LIVE.TXT")
    assert live.tags == ["demo"] and live.meta == {"level": 3}
    assert [(s.identifier, s.offset) for s in live.strings] == [("$w", 6), ("$h", 24), ("$w", 24)]
    with open_image(image) as img:
        assert {m.path for m in scan_files(img, RULES, include_deleted=False)} == {"/LIVE.TXT", "/WIDE.TXT"}


def test_big_files_are_scanned_in_windows_with_each_string_once(image: Path) -> None:
    with open_image(image) as img:
        whole = list(scan_files(img, RULES))
        windowed = list(scan_files(img, RULES, window=8, overlap=16))
    key = sorted((m.rule, m.path, [(s.identifier, s.offset) for s in m.strings]) for m in whole)
    assert sorted((m.rule, m.path, [(s.identifier, s.offset) for s in m.strings]) for m in windowed) == key


def test_raw_scan_names_owners_and_finds_a_match_across_a_window_once(image: Path, tmp_path: Path) -> None:
    matches = list(scan_raw(image, RULES))
    owners = {(m.rule, m.owner.kind, m.path) for m in matches}
    assert ("secret_word", "file", "/LIVE.TXT") in owners and ("secret_word", "file", "/_ONE.TXT") in owners
    blob = tmp_path / "edge.bin"
    blob.write_bytes(b"\x00" * 4090 + b"NIGHTJAR" + b"\x00" * 5000)
    edge = list(scan_raw(blob, RULES, window=4096, overlap=64))
    assert [(m.rule, [(s.identifier, s.offset) for s in m.strings]) for m in edge] == [
        ("secret_word", [("$h", 4090), ("$w", 4090)])]
    assert edge[0].owner.kind == "unpartitioned"


@pytest.mark.crosscheck
def test_file_matches_equal_yara_command_on_each_file(image: Path, tmp_path: Path) -> None:
    _need("yara")
    rules = tmp_path / "rules.yar"
    rules.write_text(RULES)
    with open_image(image) as img:
        for record in img.walk():
            if record.type != "file" or not record.size:
                continue
            local = tmp_path / f"f{record.inode}"
            local.write_bytes(img.read(inode=record.inode))
            ours = {m.rule: sorted((s.offset, s.identifier) for s in m.strings)
                    for m in scan_files(img, rules) if m.inode == record.inode}
            assert ours == {r: sorted(v) for r, v in _yara_cli(rules, local).items()}, record.path


@pytest.mark.crosscheck
def test_raw_match_offsets_equal_yara_command_on_the_image(image: Path, tmp_path: Path) -> None:
    _need("yara")
    rules = tmp_path / "rules.yar"
    rules.write_text(RULES)
    theirs = {r: sorted(v) for r, v in _yara_cli(rules, image).items()}
    ours: dict[str, list[tuple[int, str]]] = {}
    for m in scan_raw(image, rules, window=1 << 20, overlap=4096):
        ours.setdefault(m.rule, []).extend((s.offset, s.identifier) for s in m.strings)
    assert {r: sorted(v) for r, v in ours.items()} == theirs
