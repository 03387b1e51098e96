"""Office properties reader: round trip with docx/xlsx generators, python-docx/openpyxl cross-checks,
XML bombs, external entities and zip bombs refused."""

from __future__ import annotations

import io
import zipfile

import pytest
from artefact_samples import generated

from forensics_kit.artefacts import read_office_properties
from forensics_kit.errors import EvidenceError

DOC = {"author": "Анна Иванова", "last_modified_by": "Mallory", "created": "2024-03-01T08:00:00Z",
       "modified": "2024-03-04T17:45:10Z", "title": "Transfer <plan> & notes", "revision": 7, "company": "ООО Ромашка",
       "paragraphs": ["First paragraph", "IBAN DE89 3704 0044 0532 0130 00"]}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_generated_docx_reads_back_its_core_and_app_properties():
    props = read_office_properties(generated("docx", **DOC))
    assert props.kind == "docx"
    assert (props.creator, props.last_modified_by, props.title) == ("Анна Иванова", "Mallory", DOC["title"])
    assert (props.created, props.modified, props.revision) == ("2024-03-01T08:00:00Z", "2024-03-04T17:45:10Z", "7")
    assert (props.application, props.company) == ("Microsoft Office Word", "ООО Ромашка")
    assert props.warnings == []


def test_generated_xlsx_reads_back_its_properties():
    props = read_office_properties(generated("xlsx", author="Bob", created="2024-03-01T08:00:00Z",
                                             rows=[["Name", "Sum"], ["x", 12.5]]))
    assert (props.kind, props.creator, props.application) == ("xlsx", "Bob", "Microsoft Excel")


def test_python_docx_opens_our_docx_and_sees_the_same_properties():
    docx = pytest.importorskip("docx", reason="python-docx not installed (test-only cross-check)")
    document = docx.Document(io.BytesIO(generated("docx", **DOC)))
    core = document.core_properties
    ours = read_office_properties(generated("docx", **DOC))
    assert (core.author, core.last_modified_by, core.title, str(core.revision)) == (
        ours.creator, ours.last_modified_by, ours.title, ours.revision)
    assert core.created.strftime("%Y-%m-%dT%H:%M:%SZ") == ours.created
    assert core.modified.strftime("%Y-%m-%dT%H:%M:%SZ") == ours.modified
    assert [p.text for p in document.paragraphs] == DOC["paragraphs"]


def test_docx_saved_by_python_docx_is_read():
    docx = pytest.importorskip("docx", reason="python-docx not installed (test-only cross-check)")
    document = docx.Document()
    document.core_properties.author = "Trudy"
    document.core_properties.last_modified_by = "Victor"
    document.add_paragraph("hello")
    buffer = io.BytesIO()
    document.save(buffer)
    props = read_office_properties(buffer.getvalue())
    assert (props.kind, props.creator, props.last_modified_by) == ("docx", "Trudy", "Victor")


def test_openpyxl_opens_our_xlsx():
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl not installed (test-only cross-check)")
    book = openpyxl.load_workbook(io.BytesIO(generated("xlsx", author="Bob", rows=[["Name", "Sum"], ["x", 12.5]])))
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [["Name", "Sum"], ["x", 12.5]]
    assert book.properties.creator == "Bob"


def test_billion_laughs_in_core_xml_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b'<cp:coreProperties xmlns:cp="x"><title>&lol3;</title></cp:coreProperties>')
    with pytest.raises(EvidenceError, match="core.xml: refused XML"):
        read_office_properties(_zip({"docProps/core.xml": bomb}))


def test_external_entity_in_app_xml_is_refused():
    xxe = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Properties>&x;</Properties>'
    with pytest.raises(EvidenceError, match="app.xml: refused XML"):
        read_office_properties(_zip({"docProps/app.xml": xxe}))


def test_zip_bomb_member_is_refused_before_it_is_expanded():
    bomb = _zip({"docProps/core.xml": b"<a>" + b" " * (8 << 20) + b"</a>"}, zipfile.ZIP_DEFLATED)
    assert len(bomb) < 100_000
    with pytest.raises(EvidenceError, match="cap"):
        read_office_properties(bomb)


def test_zip_bomb_lying_about_its_size_is_stopped_at_the_cap():
    honest = _zip({"docProps/core.xml": b"<a>" + b" " * (4 << 20) + b"</a>"}, zipfile.ZIP_DEFLATED)
    size = (4 << 20) + 7
    lying = honest.replace(size.to_bytes(4, "little"), (100).to_bytes(4, "little"))
    with pytest.raises(EvidenceError):
        read_office_properties(lying)


def test_not_a_zip_and_zip_without_properties_are_evidence_errors():
    with pytest.raises(EvidenceError, match=r"^x\.docx: not an Office document \(not a readable zip"):
        read_office_properties(b"PK\x03\x04broken", name="x.docx")
    with pytest.raises(EvidenceError, match="no docProps"):
        read_office_properties(_zip({"word/document.xml": b"<w/>"}))


def test_malformed_xml_is_an_evidence_error():
    with pytest.raises(EvidenceError, match="malformed XML"):
        read_office_properties(_zip({"docProps/core.xml": b"<unclosed>"}))



def test_encrypted_zip_member_is_an_evidence_error():
    data = bytearray(generated("docx", author="A"))
    entry = bytes(data).index(b"PK\x01\x02")
    while bytes(data[entry + 46 : entry + 63]) != b"docProps/core.xml":
        entry = bytes(data).index(b"PK\x01\x02", entry + 4)
    data[entry + 8] |= 0x01  # central directory: "encrypted" flag of core.xml
    with pytest.raises(EvidenceError, match="core.xml: cannot be extracted"):
        read_office_properties(bytes(data))
