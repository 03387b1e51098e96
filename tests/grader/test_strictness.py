"""Strict where forensics is strict: letter case counts by default for passwords, Unix accounts,
ext2/3/4 names and URL paths, and only the systems that ignore case (FAT, exFAT, NTFS, DNS,
e-mail domains, hex digits) ignore it. Keys can override either way; shipped keys declare it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from grader.checkers import Outcome, make_checker

REPO = Path(__file__).resolve().parents[2]


def _outcome(type_: str, given: str, expected: object, **options: object) -> Outcome:
    return make_checker(type_, options).check(given, expected).outcome


@pytest.mark.parametrize(("type_", "options", "given", "expected"), [
    ("text", {"kind": "password"}, "forge-9434-co87", "Forge-9434-CO87"),
    ("text", {"kind": "username"}, "GMAIER", "gmaier"),
    ("path", {"fs": "ext4"}, "/HOME/SERGEY/.bash_history", "/home/sergey/.bash_history"),
    ("path", {"fs": "ext3"}, "/Home/sergey/x", "/home/sergey/x"),
    ("text", {"kind": "url"}, "https://shop.example/Admin/upload.php", "https://shop.example/admin/upload.php"),
    ("text", {"kind": "uri"}, "/Admin/upload.php", "/admin/upload.php"),
    ("text", {"kind": "filename", "fs": "ext4"}, "Shell.php", "shell.php"),
    ("text", {"kind": "filename"}, "Shell.php", "shell.php"),  # no file system named: strict
    ("text", {"kind": "email"}, "Bid.1234@proton.me", "bid.1234@proton.me"),
])
def test_case_counts_where_the_system_is_case_sensitive(type_, options, given, expected):
    result = make_checker(type_, options).check(given, expected)
    assert result.outcome is Outcome.WRONG
    assert "case" in result.reason.render("en")  # the reason names the slip, not the value
    assert expected not in result.reason.render("en")


@pytest.mark.parametrize(("type_", "options", "given", "expected"), [
    ("path", {"fs": "fat16"}, "/DOCS/INVOICE.PDF", "/Docs/invoice.pdf"),
    ("path", {"fs": "exfat"}, "/dcim/img_0001.jpg", "/DCIM/IMG_0001.JPG"),
    ("path", {"fs": "ntfs"}, "C:\\USERS\\ANNA\\NOTES.TXT", "/Users/anna/notes.txt"),
    ("text", {"kind": "filename", "fs": "ntfs"}, "NOTES.TXT", "notes.txt"),
    ("text", {"kind": "domain"}, "FILES.EXAMPLE.NET", "files.example.net"),
    ("text", {"kind": "email"}, "bid.1234@PROTON.ME", "bid.1234@proton.me"),
    ("text", {"kind": "windows_user"}, "A.SOKOLOV", "a.sokolov"),
    ("text", {"kind": "url"}, "HTTPS://SHOP.EXAMPLE/admin/", "https://shop.example/admin/"),
    ("hash", {}, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
])
def test_case_is_ignored_only_where_the_system_ignores_it(type_, options, given, expected):
    assert _outcome(type_, given, expected, **options) is Outcome.CORRECT


def test_keys_can_override_the_default_either_way():
    assert _outcome("text", "FORGE", "forge", kind="password", case_sensitive=False) is Outcome.CORRECT
    assert _outcome("path", "/DOCS/A.TXT", "/Docs/a.txt", fs="fat16", case_sensitive=True) is Outcome.WRONG
    assert _outcome("text", "ABC", "abc", case_sensitive=True) is Outcome.WRONG
    assert _outcome("text", "bid@x.org", "Bid@x.org", kind="email", local_case_sensitive=False) is Outcome.CORRECT


def test_an_unknown_file_system_is_a_key_error():
    from grader.errors import CheckerConfigError

    with pytest.raises(CheckerConfigError, match="unknown file system"):
        make_checker("path", {"fs": "fat17"})


def _recipe_filesystems(case: str) -> set[str]:
    recipe = yaml.safe_load((REPO / "datasets" / f"{case}.yaml").read_text("utf-8"))
    found: set[str] = set()
    stack = [recipe]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            fs = node.get("filesystem")
            if isinstance(fs, dict) and isinstance(fs.get("type"), str):
                found.add(fs["type"].lower())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def test_shipped_keys_declare_the_file_system_of_every_path_and_names_of_case_sensitive_systems():
    from grader.notations.files import fs_case_sensitive

    for lab_file in sorted((REPO / "labs").glob("*/lab.yaml")):
        lab = yaml.safe_load(lab_file.read_text("utf-8"))
        key = yaml.safe_load((REPO / "solutions" / lab["id"] / "key.yaml").read_text("utf-8"))
        systems = set().union(*(_recipe_filesystems(e["dataset"]) for e in lab["evidence"]))
        for question in lab["questions"]:
            options = key["answers"][question["id"]].get("options") or {}
            is_path = question["type"] == "path" or options.get("item_type") == "path"
            if not is_path:
                continue
            assert options.get("fs"), (lab["id"], question["id"], "declare fs")
            assert options["fs"] in systems, (lab["id"], question["id"], options["fs"], systems)
            assert fs_case_sensitive(options["fs"]) is not None


def test_shipped_password_and_account_questions_are_case_sensitive():
    for key_file in sorted((REPO / "solutions").glob("*/key.yaml")):
        key = yaml.safe_load(key_file.read_text("utf-8"))
        for qid, entry in key["answers"].items():
            if "password" in qid:
                assert (entry.get("options") or {}).get("kind") == "password", (key_file, qid)
