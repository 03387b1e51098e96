"""Office documents as Office writes them: OOXML parts deflated, VBA projects OLE-packed and compressed.

A stored (uncompressed) .docx lets a raw keyword search or a YARA rule read the
document's text, and a plain-text vbaProject.bin lets them read the macro; on a
real seized disk both are compressed, so a lab built that way teaches a search
that fails in the field.
"""

from __future__ import annotations

import zipfile

from forensics_kit.builder.audit.evidence import open_zip
from forensics_kit.builder.audit.rule import AuditRule

_CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def _ooxml_archives(case):
    for blob in case.blobs():
        archive = open_zip(blob.data)
        if archive is not None and "[Content_Types].xml" in archive.namelist():
            yield blob, archive


class OoxmlDeflated(AuditRule):
    """Every non-empty part of an OOXML package (docx, xlsx, docm...) is deflated."""

    name = "ooxml-deflated"
    title = {"en": "OOXML parts (docx, xlsx, docm) are deflated as Office writes them",
             "ru": "части OOXML (docx, xlsx, docm) сжаты deflate, как их пишет Office"}
    messages = {"stored": {"en": "{n} part(s) stored uncompressed: {names}",
                           "ru": "частей без сжатия: {n} ({names})"}}

    def check(self, case):
        for blob, archive in _ooxml_archives(case):
            stored = [i.filename for i in archive.infolist()
                      if i.compress_type == zipfile.ZIP_STORED and i.file_size > 0]
            if stored:
                yield self.finding(case, blob.evidence, blob.where, "stored", n=len(stored),
                                   names=", ".join(stored[:4]) + (", ..." if len(stored) > 4 else ""))


class VbaCompressed(AuditRule):
    """A vbaProject.bin is an OLE compound file whose modules olevba-style reading decompresses, none in plain text."""

    name = "vba-compressed"
    title = {"en": "VBA projects are OLE files with OVBA-compressed modules",
             "ru": "проекты VBA — файлы OLE с модулями, сжатыми OVBA"}
    messages = {
        "not_ole": {"en": "vbaProject.bin is not an OLE compound file", "ru": "vbaProject.bin не является файлом OLE"},
        "plain": {"en": "the VBA source is stored as plain text", "ru": "исходный текст VBA хранится открытым текстом"},
        "unreadable": {"en": "the VBA project does not read as Office writes it: {problem}",
                       "ru": "проект VBA не читается так, как его пишет Office: {problem}"},
        "no_modules": {"en": "the VBA project lists no module", "ru": "в проекте VBA нет ни одного модуля"},
    }

    def check(self, case):
        for blob, archive in _ooxml_archives(case):
            for info in archive.infolist():
                if not info.filename.lower().endswith("vbaproject.bin"):
                    continue
                data = archive.read(info)
                where = f"{blob.where}!{info.filename}"
                if not data.startswith(_CFB_MAGIC):
                    yield self.finding(case, blob.evidence, where, "not_ole")
                if b"Attribute VB_" in data:
                    yield self.finding(case, blob.evidence, where, "plain")
                if data.startswith(_CFB_MAGIC):
                    yield from self._read_back(case, blob, where, data)

    def _read_back(self, case, blob, where: str, data: bytes):
        """Read the project as an examiner does (dir stream, module streams, MS-OVBA decompression)."""
        from forensics_kit.artefacts.vba import read_vba_macros
        from forensics_kit.errors import EvidenceError

        try:
            modules = read_vba_macros(data, name=where)
        except EvidenceError as exc:
            yield self.finding(case, blob.evidence, where, "unreadable", problem=exc.problem)
            return
        if not modules:
            yield self.finding(case, blob.evidence, where, "no_modules")
