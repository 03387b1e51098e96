"""names: any name from evidence maps to one safe, unique local path component."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_kit.disk.names import MAX_NAME_BYTES, NameAllocator, is_device_name, safe_name, safe_parts

# Any text, weighted towards the troublesome characters.
names = st.lists(
    st.one_of(
        st.sampled_from(list("./\\\x00\n\r\t :*?\"<>| ")),
        st.sampled_from(["CON", "nul", "Aux", "COM1", "lpt9", ".txt", "..", "ё", "€", "😀", "\udcff"]),
        st.characters(codec="utf-8"),
        st.characters(),
    ),
    max_size=120,
).map("".join) | st.text(max_size=300)


@settings(max_examples=400, deadline=None)
@given(names)
def test_safe_name_is_one_harmless_component_idempotent_and_deterministic(name):
    safe = safe_name(name)
    assert safe and safe not in (".", "..")
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not any(ord(ch) < 0x20 for ch in safe)
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert not safe.endswith((".", " "))
    assert not is_device_name(safe)
    assert safe_name(safe) == safe
    assert safe_name(name) == safe


@settings(max_examples=200, deadline=None)
@given(st.lists(names, max_size=6))
def test_joined_path_always_resolves_inside_the_output_folder(tmp_path_factory, parts):
    out = tmp_path_factory.mktemp("out")
    target = out.joinpath(*safe_parts("/".join(parts))) if parts else out
    assert os.path.commonpath([out.resolve(), Path(os.path.abspath(target))]) == str(out.resolve())


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("..", "__"),
        ("...", "___"),
        ("CON", "_CON"),
        ("aux.txt", "_aux.txt"),
        ("LPT1 .log", "_LPT1 .log"),
        ("console.txt", "console.txt"),
        ("a\\b", "a_b"),
        ("line\nbreak.txt", "line_break.txt"),
        ("trailing. . ", "trailing"),
        ("../../etc/passwd", ".._.._etc_passwd"),
        ("", "_"),
    ],
)
def test_known_hostile_names(name, safe):
    assert safe_name(name) == safe


def test_long_name_is_cut_on_a_character_boundary_keeping_the_extension():
    name = "ж" * 200 + ".docx"  # 405 bytes in UTF-8
    safe = safe_name(name)
    assert safe.endswith(".docx") and len(safe.encode()) <= 255
    assert safe[:-5] == "ж" * ((255 - 5) // 2)


def test_duplicates_and_case_collisions_are_numbered_per_folder():
    names = NameAllocator()
    assert names.allocate((), "Report.txt") == "Report.txt"
    assert names.allocate((), "REPORT.TXT") == "REPORT (2).TXT"
    assert names.allocate((), "report.txt") == "report (3).txt"
    assert names.allocate(("sub",), "report.txt") == "report.txt"
    assert names.allocate((), "x" * 300) == "x" * 255
    assert names.allocate((), "x" * 300).endswith(" (2)")
