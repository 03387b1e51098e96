"""check_signatures: content type against extension, on an ext4 image with disguised files."""

from __future__ import annotations

import io
import zipfile

import pytest

from forensics_kit.disk import open_image
from forensics_kit.disk.signatures import Signature, check_signatures, detect, zip_members

from .conftest import need, run

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
PE = b"MZ" + bytes(0x3A) + (0x40).to_bytes(4, "little") + b"PE\0\0" + bytes(100)


def _zip(members: dict[str, bytes], stored_first: tuple[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first[0]), stored_first[1])
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"content.xml": b"<x/>"}, ("mimetype", b"application/vnd.oasis.opendocument.text"))

FILES = {  # name -> (content, flagged as)
    "holiday.txt": (JPEG, "jpeg"),
    "photo.jpg": (_zip({"a.txt": b"hi"}), "zip"),
    "letter.docx": (b"just text, not a zip\n", None),
    "invoice.pdf": (PE, "pe"),
    "budget.xlsx": (DOCX, "docx"),
    "real.docx": (DOCX, ""),
    "real.xlsx": (XLSX, ""),
    "real.odt": (ODT, ""),
    "real.jpg": (JPEG, ""),
    "real.pdf": (b"%PDF-1.7\n" + bytes(50), ""),
    "notes.txt": (b"plain text\n", ""),
    "tool": (b"\x7fELF\x02\x01\x01" + bytes(60), ""),  # programs have no extension
    "gone.txt": (b"\x89PNG\r\n\x1a\n" + bytes(40), "png"),  # deleted below
}


@pytest.fixture(scope="module")
def disguised(tmp_path_factory):
    need("mke2fs", "debugfs")
    work = tmp_path_factory.mktemp("sig")
    (work / "src").mkdir()
    for name, (data, _) in FILES.items():
        (work / "src" / name).write_bytes(data)
    image = work / "sig.dd"
    run("mke2fs", "-q", "-F", "-t", "ext4", "-d", work / "src", image, "2M")
    run("debugfs", "-w", "-R", "rm /gone.txt", image)
    return image


def test_disguised_files_are_reported_and_honest_ones_are_not(disguised):
    with open_image(disguised) as img:
        found = {m.path.lstrip("/"): m for m in check_signatures(img)}
    expected = {name: kind for name, (_, kind) in FILES.items() if kind != ""}
    assert {name: m.detected for name, m in found.items()} == expected
    assert "jpg" in found["holiday.txt"].expected_extensions
    assert found["letter.docx"].claimed == ("docx",)
    assert found["gone.txt"].allocated is False


def test_deleted_files_can_be_left_out(disguised):
    with open_image(disguised) as img:
        paths = {m.path for m in check_signatures(img, include_deleted=False)}
    assert "/gone.txt" not in paths and "/holiday.txt" in paths


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"GIF89a....", "gif"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
        (b"Rar!\x1a\x07\x01\x00", "rar"),
        (b"SQLite format 3\x00" + bytes(84), "sqlite"),
        (b"\x00\x00\x00\x18ftypmp42", "mp4"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00", "bmp"),
        (b"II*\x00\x08\x00\x00\x00", "tiff"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(8), "ole2"),
        (b"BMW is a car", None),
        (b"hello", None),
    ],
)
def test_magic_numbers_of_the_registry(data, kind):
    assert detect(data) == kind


def test_zip_members_are_read_from_the_central_directory_and_name_the_format():
    assert zip_members(DOCX) == ["[Content_Types].xml", "word/document.xml"]
    assert detect(DOCX[:4096], DOCX) == "docx"
    assert detect(ODT[:4096], ODT) == "opendocument"
    assert detect(XLSX[:4096], b"") == "zip"  # no central directory seen: a plain ZIP


def test_a_new_signature_registers_itself():
    class Fklab(Signature):
        name, extensions, magic = "fklab-test", frozenset({"fkl"}), (b"FKLAB",)

    try:
        assert detect(b"FKLAB data") == "fklab-test"
    finally:
        del Signature.registry["fklab-test"]
