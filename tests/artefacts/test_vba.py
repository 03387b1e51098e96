"""The kit's VBA reader: macros out of a .docm or a bare vbaProject.bin, and what a container holds unpacked."""

from __future__ import annotations

import io
import random
import zipfile

import pytest

from forensics_kit.artefacts.inner import inner_streams
from forensics_kit.artefacts.vba import OvbaError, decompress, read_vba_macros
from forensics_kit.builder import make_content
from forensics_kit.builder.contents.ovba import compress
from forensics_kit.errors import EvidenceError

MACRO = "Sub AutoOpen()\r\n    MsgBox \"Привет\"\r\nEnd Sub\r\n"


def _docm(codepage: int = 1252, macro: str = "Sub AutoOpen()\r\n    Shell \"calc\"\r\nEnd Sub\r\n") -> bytes:
    return make_content({"generate": "docm", "paragraphs": ["Report"], "codepage": codepage,
                         "macros": {"ThisDocument": macro, "Module1": "Sub Helper()\r\nEnd Sub\r\n"}},
                        random.Random(3))


def test_every_module_of_a_docm_comes_back_with_its_place_in_the_file():
    modules = read_vba_macros(_docm(), name="Contract.docm")
    assert [(m.name, m.project, m.stream) for m in modules] == [
        ("ThisDocument", "word/vbaProject.bin", "VBA/ThisDocument"),
        ("Module1", "word/vbaProject.bin", "VBA/Module1")]
    this = modules[0].source
    assert this.startswith('Attribute VB_Name = "ThisDocument"\r\nAttribute VB_Base = "1Normal.ThisDocument"')
    assert this.endswith('Sub AutoOpen()\r\n    Shell "calc"\r\nEnd Sub\r\n')
    assert modules[1].source == 'Attribute VB_Name = "Module1"\r\nSub Helper()\r\nEnd Sub\r\n'


def test_a_bare_ole_project_and_a_cyrillic_code_page_are_read():
    with zipfile.ZipFile(io.BytesIO(_docm(1251, MACRO))) as archive:
        project = archive.read("word/vbaProject.bin")
    (this, _) = read_vba_macros(project, name="vbaProject.bin")
    assert this.project == "" and this.codepage == 1251 and 'MsgBox "Привет"' in this.source


def test_a_document_without_macros_has_none_and_a_non_document_is_an_evidence_error():
    docx = make_content({"generate": "docx"}, random.Random(1))
    assert read_vba_macros(docx, name="plan.docx") == []
    with pytest.raises(EvidenceError, match="notes.txt: not an Office document"):
        read_vba_macros(b"just text", name="notes.txt")


def test_decompress_refuses_what_is_not_ovba():
    assert decompress(compress(b"abc" * 50)) == b"abc" * 50
    with pytest.raises(OvbaError, match="signature byte"):
        decompress(b"\x02\x00\x00")
    with pytest.raises(OvbaError, match="chunk signature"):
        decompress(b"\x01\xff\x0f")


def test_a_module_stream_that_is_not_compressed_is_named_in_the_error():
    from forensics_kit.builder.contents.cfb import Storage, write_compound_file
    from forensics_kit.builder.contents.vba import _dir_stream

    project = write_compound_file(Storage({"VBA": Storage({
        "dir": compress(_dir_stream(["Module1"], 1252)), "Module1": b"Attribute VB_Name = \"Module1\"\r\n"})}))
    with pytest.raises(EvidenceError, match="vbaProject.bin: VBA/Module1: no MS-OVBA signature byte"):
        read_vba_macros(project, name="vbaProject.bin")


def test_inner_streams_gives_each_member_inflated_and_each_macro_decompressed():
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mail/Contract.docm", _docm())
        archive.writestr("readme.txt", "hello " * 30)
    warnings: list[str] = []
    streams = dict(inner_streams(outer.getvalue(), "/Downloads/mail.zip", warnings))
    assert streams["readme.txt"] == b"hello " * 30
    assert b"<w:t xml:space=\"preserve\">Report</w:t>" in streams["mail/Contract.docm!word/document.xml"]
    assert streams["mail/Contract.docm!word/vbaProject.bin!VBA/ThisDocument"].endswith(b'Shell "calc"\r\nEnd Sub\r\n')
    assert warnings == []
