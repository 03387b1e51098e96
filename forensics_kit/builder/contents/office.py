"""The ``docx`` and ``xlsx`` generators: real Office Open XML files with chosen core properties.

Members are deflated, as Word and Excel write them, by the builder's own encoder
(:mod:`.deflate`) with a fixed zip date (the ``modified`` time), so the file is
byte-identical on every machine whatever its zlib. Word and Excel open them; the
properties trainees look for (creator, last modified by, created, modified,
revision, application) sit in ``docProps/core.xml`` and ``docProps/app.xml``.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any
from xml.sax.saxutils import escape

from forensics_kit.builder import wordlists
from forensics_kit.builder.content import ContentGenerator
from forensics_kit.builder.contents.deflate import ZipMember, write_zip
from forensics_kit.timefmt import parse_iso

_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DEFAULT_TIME = "2024-01-01T00:00:00Z"
_APPLICATIONS = {"docx": "Microsoft Office Word", "docm": "Microsoft Office Word", "xlsx": "Microsoft Excel"}


class _OfficeContent(ContentGenerator):
    """Shared packaging: content types, relationships, core and app properties."""

    main_type = ""
    main_path = ""

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        created = _w3c(spec.get("created", _DEFAULT_TIME), "created")
        modified = _w3c(spec.get("modified", spec.get("created", _DEFAULT_TIME)), "modified")
        members = {
            "[Content_Types].xml": self._content_types(),
            "_rels/.rels": _relationships([
                ("rId3", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
                 "docProps/app.xml"),
                ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties",
                 "docProps/core.xml"),
                ("rId1", f"{_REL}/officeDocument", self.main_path),
            ]),
            "docProps/core.xml": _core(spec, created, modified),
            "docProps/app.xml": _app(spec, self.name),
            **self.body(spec, rng),
        }
        when = parse_iso(modified)
        date_time = (when.year, when.month, when.day, when.hour, when.minute, when.second // 2 * 2)
        return write_zip(ZipMember(member, text if isinstance(text, bytes) else text.encode("utf-8"), date_time)
                         for member, text in members.items())

    def body(self, spec: dict[str, Any], rng) -> dict[str, str | bytes]:
        """The application's own members (document or workbook)."""
        raise NotImplementedError

    def _content_types(self) -> str:
        overrides = "".join(
            f'<Override PartName="/{path}" ContentType="{kind}"/>'
            for path, kind in (
                (self.main_path, self.main_type),
                ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
                ("docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
                *self.extra_types(),
            )
        )
        return (
            _XML + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        )

    def extra_types(self) -> list[tuple[str, str]]:
        return []


class DocxContent(_OfficeContent):
    """A Word document: ``paragraphs`` (else seeded ones, a seeded revision id in either case) and core properties."""

    name = "docx"
    main_path = "word/document.xml"
    main_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"

    def body(self, spec, rng):
        paragraphs = spec.get("paragraphs")
        if paragraphs is None:
            paragraphs = [" ".join(rng.sample(wordlists.LOREM, 5)) for _ in range(3)]
        rsid = f"{rng.getrandbits(32):08X}"  # Word's revision-save id: makes each item and variant hash apart
        runs = "".join(
            f'<w:p w:rsidR="{rsid}"><w:r><w:t xml:space="preserve">{escape(str(text))}</w:t></w:r></w:p>'
            for text in paragraphs
        )
        document = (
            _XML + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{runs}<w:sectPr/></w:body></w:document>"
        )
        return {"word/document.xml": document}


class DocmContent(DocxContent):
    """A macro-enabled Word document: a docx whose ``macros`` (module name to VBA code) sit in word/vbaProject.bin.

    The project is an OLE compound file with OVBA-compressed modules (:mod:`.vba`),
    deflated in the zip like every other part, so neither the macro text nor the
    part's name in clear is there for a raw search: olevba (or ``fklab disk vba``)
    reads it. ``codepage`` (default 1252) is the project's code page.
    """

    name = "docm"
    main_type = "application/vnd.ms-word.document.macroEnabled.main+xml"

    def extra_types(self):
        return [("word/vbaProject.bin", "application/vnd.ms-office.vbaProject")]

    def body(self, spec, rng):
        from forensics_kit.builder.contents.vba import vba_project

        macros = spec.get("macros")
        if not isinstance(macros, dict) or not macros:
            raise ValueError("docm: macros must map module names to VBA code, e.g. {ThisDocument: 'Sub AutoOpen()...'}")
        parts: dict[str, str | bytes] = dict(super().body(spec, rng))
        parts["word/_rels/document.xml.rels"] = _relationships(
            [("rId1", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin")])
        modified = parse_iso(_w3c(spec.get("modified", spec.get("created", _DEFAULT_TIME)), "modified"))
        parts["word/vbaProject.bin"] = vba_project({str(k): str(v) for k, v in macros.items()}, rng,
                                                   codepage=int(spec.get("codepage", 1252)), modified=modified)
        return parts


class XlsxContent(_OfficeContent):
    """An Excel workbook with one sheet of ``rows`` (lists of text or numbers) and core properties."""

    name = "xlsx"
    main_path = "xl/workbook.xml"
    main_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

    def extra_types(self):
        return [("xl/worksheets/sheet1.xml",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml")]

    def body(self, spec, rng):
        rows = spec.get("rows")
        if rows is None:
            rows = [["Item", "Amount"]] + [[rng.choice(wordlists.WORDS), rng.randint(10, 9999)] for _ in range(4)]
        main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        sheet_rows = "".join(
            f'<row r="{r}">' + "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row)) + "</row>"
            for r, row in enumerate(rows, start=1)
        )
        workbook = (
            _XML + f'<workbook xmlns="{main}" xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{escape(str(spec.get("sheet", "Sheet1")))}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        sheet = _XML + f'<worksheet xmlns="{main}"><sheetData>{sheet_rows}</sheetData></worksheet>'
        rels = _relationships([("rId1", f"{_REL}/worksheet", "worksheets/sheet1.xml")])
        return {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels, "xl/worksheets/sheet1.xml": sheet}


def _cell(ref: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
    return f'<c r="{ref}"><v>{value}</v></c>'


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _relationships(rels: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in rels)
    return _XML + f'<Relationships xmlns="{_PKG_REL}">{body}</Relationships>'


def _w3c(value: Any, key: str) -> str:
    """``2024-03-01T10:00:00Z``: the form Office writes in core.xml (UTC, whole seconds)."""
    try:
        when = parse_iso(str(value))
    except ValueError:
        raise ValueError(f"{key}: bad time {value!r} (use e.g. 2024-03-01T10:00:00Z)") from None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _core(spec: dict[str, Any], created: str, modified: str) -> str:
    author = spec.get("author", "")
    fields = [
        ("dc:title", spec.get("title")),
        ("dc:subject", spec.get("subject")),
        ("dc:creator", author),
        ("cp:keywords", spec.get("keywords")),
        ("dc:description", spec.get("description")),
        ("cp:lastModifiedBy", spec.get("last_modified_by", author)),
        ("cp:revision", spec.get("revision", 1)),
    ]
    body = "".join(f"<{tag}>{escape(str(value))}</{tag}>" for tag, value in fields if value not in (None, ""))
    if spec.get("last_printed"):
        body += f"<cp:lastPrinted>{_w3c(spec['last_printed'], 'last_printed')}</cp:lastPrinted>"
    body += (
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{modified}</dcterms:modified>'
    )
    return (
        _XML + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{body}</cp:coreProperties>"
    )


def _app(spec: dict[str, Any], kind: str) -> str:
    fields = [
        ("Application", spec.get("application", _APPLICATIONS[kind])),
        ("TotalTime", spec.get("total_time")),
        ("Company", spec.get("company")),
        ("AppVersion", spec.get("app_version", "16.0000")),
    ]
    body = "".join(f"<{tag}>{escape(str(value))}</{tag}>" for tag, value in fields if value not in (None, ""))
    return (
        _XML + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{body}</Properties>'
    )
