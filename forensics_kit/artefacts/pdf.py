"""PDF document information: author, title, the producing software and the dates.

pypdf reads the cross-reference table or stream and the trailer's ``/Info``
dictionary only; page contents are never decoded. PDF dates
(``D:20240301100000+03'00'``) are returned as ISO times.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from forensics_kit.artefacts._source import load_bytes
from forensics_kit.errors import EvidenceError

logging.getLogger("pypdf").addHandler(logging.NullHandler())  # pypdf's warnings are collected, not printed

_DATE = re.compile(
    r"^D:(?P<y>\d{4})(?P<mo>\d\d)?(?P<d>\d\d)?(?P<h>\d\d)?(?P<mi>\d\d)?(?P<s>\d\d)?"
    r"(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d\d)'?(?P<om>\d\d)?'?)?"
)


@dataclass
class PdfInfo:
    """A PDF's Info dictionary and page count; dates as ISO (UTC when the zone is known)."""

    author: str | None = None
    title: str | None = None
    subject: str | None = None
    creator: str | None = None
    producer: str | None = None
    created: str | None = None
    modified: str | None = None
    pages: int | None = None
    encrypted: bool = False
    version: str | None = None
    raw: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_pdf_info(data: bytes | str, name: str | None = None) -> PdfInfo:
    """Read a PDF's document information (``/Info``).

    Raises:
        EvidenceError: not a PDF, or its structure cannot be read.
    """
    data, name = load_bytes(data, name)
    if b"%PDF-" not in data[:1024]:
        raise EvidenceError(name, "not a PDF (no %PDF- header)")
    from pypdf import PdfReader

    collector = _Collector()
    logger = logging.getLogger("pypdf")
    logger.addHandler(collector)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        info = PdfInfo(encrypted=reader.is_encrypted, version=reader.pdf_header.removeprefix("%PDF-") or None)
        if not reader.is_encrypted:
            raw = reader.metadata or {}
            info.raw = {str(k).lstrip("/"): str(v) for k, v in raw.items()}
            info.pages = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on hostile files
        raise EvidenceError(name, f"unreadable PDF: {type(exc).__name__}: {' '.join(str(exc).split())}") from None
    finally:
        logger.removeHandler(collector)
    info.warnings = collector.messages
    if info.encrypted:
        info.warnings.append("encrypted: the Info dictionary cannot be read without the password")
    for attr, key in (("author", "Author"), ("title", "Title"), ("subject", "Subject"), ("creator", "Creator"),
                      ("producer", "Producer")):
        setattr(info, attr, info.raw.get(key) or None)
    info.created = _date(info.raw.get("CreationDate"), info)
    info.modified = _date(info.raw.get("ModDate"), info)
    return info


def pdf_date_to_iso(text: str) -> str | None:
    """ISO time of a PDF date: UTC ``...Z`` when it has a zone, else zone-less local time."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    when = datetime(
        int(parts["y"]), int(parts["mo"] or 1), int(parts["d"] or 1),
        int(parts["h"] or 0), int(parts["mi"] or 0), int(parts["s"] or 0),
    )
    if parts["z"]:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    if parts["sign"]:
        offset = timedelta(hours=int(parts["oh"]), minutes=int(parts["om"] or 0))
        zone = timezone(-offset if parts["sign"] == "-" else offset)
        return when.replace(tzinfo=zone).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.strftime("%Y-%m-%dT%H:%M:%S")


def _date(text: str | None, info: PdfInfo) -> str | None:
    if not text:
        return None
    try:
        iso = pdf_date_to_iso(text)
    except ValueError:
        iso = None
    if iso is None:
        info.warnings.append(f"unreadable PDF date {text!r}")
    return iso


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))
