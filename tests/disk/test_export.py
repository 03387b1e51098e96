"""export_files: copies with a manifest, safe names, never outside the output folder or over a file."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import pytest

from forensics_kit.disk import open_image
from forensics_kit.disk.export import export_files
from forensics_kit.errors import NotFoundError

from .conftest import icat, need, run

HOSTILE_EXT4 = {  # source name -> content; mke2fs -d copies them as they are
    "...": b"dots",
    "CON": b"device",
    "aux.txt": b"device with extension",
    "a\\b": b"backslash",
    "line\nbreak": b"newline",
    "n" * 255: b"longest name",
    "Report.txt": b"mixed case",
    "REPORT.TXT": b"upper case",
    "dot.": b"trailing dot",
    "space ": b"trailing space",
    "Q1Q1Q1Q1Q": b"becomes ../../pwn",
    "sub/Q2Q2Q2Q2Q": b"becomes /tmp/pwn1",
    "sub/deleted.txt": b"deleted\n" * 50,
}
PATCHES = {b"Q1Q1Q1Q1Q": b"../../pwn", b"Q2Q2Q2Q2Q": b"/tmp/pwn1"}  # names no tool would write


def _patch(path: Path, patches: dict[bytes, bytes]) -> None:
    data = bytearray(path.read_bytes())
    for old, new in patches.items():
        at = data.find(old)
        assert at >= 0 and len(old) == len(new)
        data[at : at + len(old)] = new
    path.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def hostile_ext4(tmp_path_factory) -> Path:
    """ext4 whose names are hostile: dots, devices, separators, control characters, 255 bytes, case twins."""
    need("mke2fs", "debugfs")
    work = tmp_path_factory.mktemp("hostile")
    src = work / "src"
    (src / "sub").mkdir(parents=True)
    for name, data in HOSTILE_EXT4.items():
        (src / name).write_bytes(data)
    image = work / "hostile.dd"
    run("mke2fs", "-q", "-F", "-t", "ext4", "-d", src, image, "2M")
    run("debugfs", "-w", "-R", "rm /sub/deleted.txt", image)
    _patch(image, PATCHES)
    return image


@pytest.fixture(scope="module")
def hostile_fat(tmp_path_factory) -> Path:
    """FAT16 with long-name oddities: Cyrillic, a >255-byte UTF-8 name, and an LFN patched to '../..'."""
    need("mkfs.fat", "mcopy")
    work = tmp_path_factory.mktemp("hostilefat")
    image = work / "fat.dd"
    run("mkfs.fat", "-F", "16", "-s", "2", "-C", image, "8192")
    (work / "x").write_bytes(b"x")
    for name in ("qqqqq long name.txt", "Отчёт за март 2024.docx", "Ж" * 126 + ".txt", "aux.txt"):
        run("mcopy", "-i", image, work / "x", "::" + name)
    _patch(image, {"qqqqq".encode("utf-16-le"): "../..".encode("utf-16-le")})
    return image


def _inside(out: Path, exported_as: str) -> bool:
    real = Path(os.path.realpath(out / exported_as))
    return real.is_relative_to(out.resolve()) and real.is_file() and not (out / exported_as).is_symlink()


@pytest.mark.parametrize("fixture", ["hostile_ext4", "hostile_fat"])
def test_hostile_names_are_exported_inside_the_output_folder_with_their_content(fixture, request, tmp_path):
    image = request.getfixturevalue(fixture)
    box = tmp_path / "box"
    out = box / "out"
    with open_image(image) as img:
        report = export_files(img, out)
        wanted = [r for r in img.walk() if r.type == "file" and r.inode]
        assert len(report.files) == len(wanted) and not report.skipped
        for exported in report.files:
            assert _inside(out, exported.exported_as), exported
            data = (out / exported.exported_as).read_bytes()
            assert data == img.read(inode=exported.inode)
            assert hashlib.sha256(data).hexdigest() == exported.sha256
    assert sorted(os.listdir(box)) == ["out"]
    assert len({f.exported_as.casefold() for f in report.files}) == len(report.files)  # no case twins


def test_crafted_slash_names_stay_one_file_in_their_folder(hostile_ext4, tmp_path):
    with open_image(hostile_ext4) as img:
        report = export_files(img, tmp_path)
    by_path = {f.path: f.exported_as for f in report.files}
    assert by_path["/../../pwn"] == ".._.._pwn"
    assert by_path["/sub//tmp/pwn1"] == "sub/_tmp_pwn1"
    assert by_path["/CON"] == "_CON" and by_path["/aux.txt"] == "_aux.txt"
    assert {by_path["/Report.txt"], by_path["/REPORT.TXT"]} == {"REPORT.TXT", "Report (2).txt"}  # listing order
    assert by_path["/..."] == "___" and by_path["/dot."] == "dot" and by_path["/space "] == "space"


def test_long_utf8_name_is_cut_keeping_its_extension(hostile_fat, tmp_path):
    with open_image(hostile_fat) as img:
        report = export_files(img, tmp_path, paths=["/Ж*"])
    (only,) = report.files
    assert only.exported_as.endswith(".txt") and len(only.exported_as.encode()) <= 255


def test_deleted_export_equals_icat_and_manifests_list_it(ext4_image, tmp_path):
    with open_image(ext4_image.path) as img:
        report = export_files(img, tmp_path, deleted_only=True)
    (gone,) = report.files
    assert gone.path == "/home/user/evidence.txt" and gone.allocated is False
    content = (tmp_path / gone.exported_as).read_bytes()
    assert content == icat(ext4_image.path, gone.inode) == ext4_image.deleted[gone.path]
    rows = list(csv.DictReader((tmp_path / "manifest.csv").open(encoding="utf-8")))
    assert rows == [{k: "" if v is None else str(v) for k, v in gone.to_dict().items()}]
    assert json.loads((tmp_path / "manifest.json").read_text("utf-8")) == [gone.to_dict()]


def test_folder_export_keeps_the_structure_and_inode_export_takes_one_file(fat16_image, tmp_path):
    with open_image(fat16_image.path) as img:
        report = export_files(img, tmp_path / "f", folder="/DOCS")
        single = export_files(img, tmp_path / "i", inode=report.files[0].inode)
    assert {f.exported_as for f in report.files} == {"DOCS/notes.txt", "DOCS/_ld.txt", "DOCS/SUB/deep archive name.bin"}
    assert (tmp_path / "f" / "DOCS/SUB/deep archive name.bin").read_bytes() == fat16_image.files[
        "/DOCS/SUB/deep archive name.bin"
    ]
    assert len(single.files) == 1


def test_existing_files_are_never_overwritten_and_links_never_followed(ext4_image, tmp_path):
    out = tmp_path / "out"
    (out / "home").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (out / "home" / "user").symlink_to(outside)  # a trap: must not be followed
    (out / "manifest.csv").write_text("earlier export\n")
    with open_image(ext4_image.path) as img:
        report = export_files(img, out, paths=["/home/user/*"])
    assert os.listdir(outside) == []
    assert (out / "manifest.csv").read_text() == "earlier export\n"
    assert report.manifest_csv.endswith("manifest (2).csv")
    assert {f.exported_as.split("/")[1] for f in report.files} == {"user (2)"}
    again = export_files(open_image(ext4_image.path), out, paths=["/home/user/todo.txt"])
    assert again.files[0].exported_as == "home/user (2)/todo (2).txt"
    assert (out / "home/user (2)/todo.txt").read_bytes() == b"buy milk\n"


def test_every_file_system_gets_its_own_folder_on_a_partitioned_disk(mbr_image, tmp_path):
    with open_image(mbr_image.path) as img:
        report = export_files(img, tmp_path, deleted_only=True)
    assert {f.exported_as.split("/")[0] for f in report.files} == {"partition-2", "partition-3"}


def test_an_empty_selection_is_an_error(fat16_image, tmp_path):
    with open_image(fat16_image.path) as img, pytest.raises(NotFoundError, match="no file matches"):
        export_files(img, tmp_path, paths=["/nothing/*"])
