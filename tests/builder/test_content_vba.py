"""Macro documents as Office writes them: a CFB vbaProject.bin with OVBA-compressed modules, read back by olevba."""

from __future__ import annotations

import io
import random
import warnings
import zipfile
from datetime import UTC, datetime

import olefile
import pytest

with warnings.catch_warnings():  # oletools' pyparsing grammar warns about deprecated names on import
    warnings.simplefilter("ignore")
    from oletools.olevba import VBA_Parser, decompress_stream

from forensics_kit.builder import make_content
from forensics_kit.builder.contents.cfb import Storage, write_compound_file
from forensics_kit.builder.contents.ovba import compress

MACRO = 'Sub AutoOpen()\r\n    Shell "certutil -decode %TEMP%\\a.txt %TEMP%\\a.exe", 0\r\nEnd Sub\r\n'
DOCM = {"generate": "docm", "author": "Anna", "created": "2024-05-14T10:12:33Z", "paragraphs": ["Enable content"],
        "macros": {"ThisDocument": MACRO, "Helpers": "Function Twice(x)\r\n    Twice = 2 * x\r\nEnd Function\r\n"}}


def _docm(spec: dict = DOCM, seed: int = 1) -> bytes:
    return make_content(spec, random.Random(seed))


def test_olevba_reads_every_module_source_back_from_the_docm():
    parser = VBA_Parser("Contract.docm", data=_docm())
    assert parser.detect_vba_macros()
    sources = {stream: code for _, stream, _, code in parser.extract_macros()}
    parser.close()
    assert set(sources) == {"VBA/ThisDocument", "VBA/Helpers"}
    assert MACRO.replace("\r\n", "\n").strip() in sources["VBA/ThisDocument"].replace("\r\n", "\n")
    assert "Twice = 2 * x" in sources["VBA/Helpers"]


def test_the_docm_hides_its_macro_from_a_raw_search_as_word_does():
    data = _docm()
    for word in (b"Sub AutoOpen()", b"certutil -decode", b"Attribute VB_", b"Enable content"):
        assert word not in data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist() if i.file_size)
        project = archive.read("word/vbaProject.bin")
        types = archive.read("[Content_Types].xml").decode()
    assert project.startswith(bytes.fromhex("d0cf11e0a1b11ae1"))
    # OVBA writes at most 8 literal bytes after each flag byte: a short word may show, a phrase does not
    assert b"certutil -decode" not in project and b"Sub AutoOpen()" not in project
    assert "application/vnd.ms-word.document.macroEnabled.main+xml" in types


def test_the_docm_is_byte_reproducible_and_seeded():
    assert _docm() == _docm()
    assert _docm(seed=2) != _docm()


@pytest.mark.parametrize("text", [
    b"",
    b"a",
    b"abcabcabcabcabcabc" * 3,
    MACRO.encode() * 40,  # past one 4096-byte chunk, long matches across a whole chunk
    bytes(range(256)) * 17,  # a chunk that cannot shrink is stored raw
])
def test_the_compressor_agrees_with_olevbas_decompressor(text):
    packed = compress(text)
    assert packed[0] == 1
    assert decompress_stream(bytearray(packed)) == text


def test_repeated_text_really_compresses():
    text = MACRO.encode() * 40
    assert len(compress(text)) < len(text) // 4


def test_the_compound_file_opens_strictly_with_olefile_big_and_mini_streams_and_times():
    when = datetime(2024, 5, 14, 10, 12, 33, tzinfo=UTC)
    big = bytes(range(256)) * 40
    names = {f"S{i}": bytes([i]) * (i * 7) for i in range(12)}
    data = write_compound_file(Storage({"VBA": Storage({"dir": b"x" * 100, "Module1": big}, when, when),
                                        "PROJECT": b"ID=1\r\n", **names}, modified=when))
    assert len(data) % 512 == 0
    with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.openstream("VBA/Module1").read() == big
        assert ole.openstream("VBA/dir").read() == b"x" * 100
        assert ole.openstream("PROJECT").read() == b"ID=1\r\n"
        assert all(ole.openstream(name).read() == value for name, value in names.items())
        assert ole.getmtime("VBA") == when.replace(tzinfo=None)
        assert ole.get_type("VBA") == olefile.STGTY_STORAGE


def test_a_docm_without_macros_is_refused():
    with pytest.raises(ValueError, match="macros"):
        _docm({"generate": "docm", "macros": {}})
