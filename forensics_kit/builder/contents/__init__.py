"""Content generators for the artefacts trainees meet first: documents, pictures, histories, logs.

Importing this package registers ``png``, ``pdf``, ``docx``, ``xlsx``,
``browser_history``, ``auth_log`` and ``bash_history`` (``jpeg``'s ``exif:``
option is written by :mod:`.exif`). Every generator is byte-deterministic for a
given spec and seed, whatever the versions of zlib or SQLite on the machine.
"""

from __future__ import annotations

from forensics_kit.builder.contents.accounts import GroupContent, PasswdContent, ShadowContent
from forensics_kit.builder.contents.browser_history import BrowserHistoryContent
from forensics_kit.builder.contents.logs import AuthLogContent, BashHistoryContent
from forensics_kit.builder.contents.office import DocmContent, DocxContent, XlsxContent
from forensics_kit.builder.contents.pdf import PdfContent
from forensics_kit.builder.contents.png import PngContent
from forensics_kit.builder.contents.windows_artefacts import (
    EvtxContent,
    LnkContent,
    RecycleInfoContent,
    RegistryHiveContent,
)
from forensics_kit.builder.contents.windows_system import JumpListContent, PeContent, PrefetchContent

__all__ = [
    "AuthLogContent",
    "BashHistoryContent",
    "BrowserHistoryContent",
    "DocmContent",
    "DocxContent",
    "EvtxContent",
    "GroupContent",
    "JumpListContent",
    "LnkContent",
    "PasswdContent",
    "PdfContent",
    "PeContent",
    "PngContent",
    "PrefetchContent",
    "RecycleInfoContent",
    "RegistryHiveContent",
    "ShadowContent",
    "XlsxContent",
]
