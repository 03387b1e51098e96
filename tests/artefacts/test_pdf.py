"""PDF Info reader: round trip with the pdf generator, pypdf-written files, dates, damaged files."""

from __future__ import annotations

import io

import pytest
from artefact_samples import generated

from forensics_kit.artefacts import pdf_date_to_iso, read_pdf_info
from forensics_kit.errors import EvidenceError


def test_generated_pdf_reads_back_author_title_and_dates():
    data = generated("pdf", author="Ольга Смирнова", title="Q1 (draft)", creator="Writer", producer="LibreOffice 7.6",
                     created="2024-03-01T10:00:00Z", modified="2024-03-02T09:30:00Z", utc_offset="+03:00",
                     body="Line one\nLine (two)")
    info = read_pdf_info(data)
    assert (info.author, info.title, info.creator, info.producer) == (
        "Ольга Смирнова", "Q1 (draft)", "Writer", "LibreOffice 7.6")
    assert (info.created, info.modified) == ("2024-03-01T10:00:00Z", "2024-03-02T09:30:00Z")
    assert info.raw["CreationDate"] == "D:20240301130000+03'00'"
    assert info.pages == 1 and not info.encrypted and info.warnings == []


def test_pdf_without_info_has_empty_fields():
    info = read_pdf_info(generated("pdf"))
    assert info.author is None and info.created is None and info.pages == 1


def test_pdf_written_by_pypdf_is_read():
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": "Mallory", "/Title": "Invoice", "/ModDate": "D:20231231235959-05'00'"})
    buffer = io.BytesIO()
    writer.write(buffer)
    info = read_pdf_info(buffer.getvalue())
    assert (info.author, info.title, info.modified) == ("Mallory", "Invoice", "2024-01-01T04:59:59Z")


@pytest.mark.parametrize(("text", "iso"), [
    ("D:20240301100000Z", "2024-03-01T10:00:00Z"),
    ("D:20240301100000+03'00'", "2024-03-01T07:00:00Z"),
    ("D:20240301100000+0300", "2024-03-01T07:00:00Z"),
    ("D:20240301100000", "2024-03-01T10:00:00"),
    ("D:2024", "2024-01-01T00:00:00"),
    ("yesterday", None),
])
def test_pdf_dates_become_iso(text, iso):
    assert pdf_date_to_iso(text) == iso


def test_unreadable_date_is_a_warning():
    info = read_pdf_info(generated("pdf", title="x").replace(b"/Title (x)", b"/CreationDate (D:2024-99)"))
    assert info.created is None and any("date" in w for w in info.warnings)


def test_not_a_pdf_is_an_evidence_error():
    with pytest.raises(EvidenceError, match=r"^a\.bin: not a PDF"):
        read_pdf_info(b"\x00" * 100, name="a.bin")


def test_truncated_pdfs_give_info_or_evidence_error():
    data = generated("pdf", author="A", title="T")
    for cut in range(10, len(data), 37):
        try:
            read_pdf_info(data[:cut])
        except EvidenceError:
            pass
