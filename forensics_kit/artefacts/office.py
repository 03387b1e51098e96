"""Office Open XML properties (DOCX, XLSX, PPTX): who wrote a document, who changed it, and when.

Read from ``docProps/core.xml`` and ``docProps/app.xml`` inside the zip. The
XML is parsed by defusedxml with DTDs refused (no entity expansion bombs, no
external entities) and each member is read with a hard size cap whatever its
header claims (no zip bombs).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any

from forensics_kit.artefacts._source import load_bytes
from forensics_kit.errors import EvidenceError

MAX_PROPERTIES_BYTES = 1 << 20  # properties parts are a few KiB; a larger one is refused
_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
}
_CORE = {
    "title": "dc:title", "subject": "dc:subject", "creator": "dc:creator", "keywords": "cp:keywords",
    "description": "dc:description", "last_modified_by": "cp:lastModifiedBy", "revision": "cp:revision",
    "created": "dcterms:created", "modified": "dcterms:modified", "last_printed": "cp:lastPrinted",
}
_APP = {"application": "Application", "app_version": "AppVersion", "company": "Company", "total_time": "TotalTime",
        "template": "Template", "pages": "Pages", "words": "Words"}
_KINDS = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))


@dataclass
class OfficeProperties:
    """Core and application properties of an Office document; times as stored (W3C, normally UTC)."""

    kind: str | None = None
    creator: str | None = None
    last_modified_by: str | None = None
    created: str | None = None
    modified: str | None = None
    last_printed: str | None = None
    title: str | None = None
    subject: str | None = None
    keywords: str | None = None
    description: str | None = None
    revision: str | None = None
    application: str | None = None
    app_version: str | None = None
    company: str | None = None
    total_time: str | None = None
    template: str | None = None
    pages: str | None = None
    words: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_office_properties(data: bytes | str, name: str | None = None) -> OfficeProperties:
    """Read the properties of a DOCX/XLSX/PPTX (any OOXML package).

    Raises:
        EvidenceError: not a zip, no ``docProps/core.xml`` nor ``app.xml``, a part
            over the size cap, or XML that is malformed or carries a DTD.
    """
    data, name = load_bytes(data, name)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise EvidenceError(name, f"not an Office document (not a readable zip: {exc})") from None
    with archive:
        members = archive.namelist()
        props = OfficeProperties(kind=next((k for prefix, k in _KINDS if any(m.startswith(prefix) for m in members)),
                                           None))
        core = _part(archive, "docProps/core.xml", name)
        app = _part(archive, "docProps/app.xml", name)
    if core is None and app is None:
        raise EvidenceError(name, "not an Office document (no docProps/core.xml or docProps/app.xml)")
    if core is None:
        props.warnings.append("no docProps/core.xml")
    else:
        for attr, tag in _CORE.items():
            setattr(props, attr, _text(core.find(tag, _NS)))
    if app is None:
        props.warnings.append("no docProps/app.xml")
    else:
        for attr, tag in _APP.items():
            setattr(props, attr, _text(app.find(f"ep:{tag}", _NS)))
    return props


def _part(archive: zipfile.ZipFile, member: str, name: str) -> Any:
    """The parsed XML root of one member, or None when absent."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        info = archive.getinfo(member)
    except KeyError:
        return None
    if info.file_size > MAX_PROPERTIES_BYTES:
        raise EvidenceError(name, f"{member}: claims {info.file_size} bytes, over the {MAX_PROPERTIES_BYTES} cap")
    try:
        with archive.open(info) as stream:
            raw = stream.read(MAX_PROPERTIES_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError, RuntimeError) as exc:
        raise EvidenceError(name, f"{member}: cannot be extracted: {exc}") from None
    if len(raw) > MAX_PROPERTIES_BYTES:
        raise EvidenceError(name, f"{member}: expands past the {MAX_PROPERTIES_BYTES} byte cap (zip bomb?)")
    try:
        return fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise EvidenceError(name, f"{member}: refused XML ({type(exc).__name__}: DTDs and entities not allowed)") \
            from None
    except (ParseError, ValueError) as exc:
        raise EvidenceError(name, f"{member}: malformed XML: {exc}") from None


def _text(element: Any) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None
