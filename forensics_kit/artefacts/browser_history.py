"""Browser history: every visit recorded by Firefox (``places.sqlite``) or Chrome/Edge (``History``).

The database is copied to a private temporary file and opened read-only and
immutable, so neither the evidence nor its ``-wal``/``-journal`` neighbours are
ever touched. The browser is recognised by its tables, not by the file name.
Times become ISO UTC: Firefox stores microseconds since 1970, Chrome since 1601.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from forensics_kit.artefacts._source import load_bytes
from forensics_kit.errors import EvidenceError
from forensics_kit.timefmt import iso_utc

WEBKIT_EPOCH_OFFSET_S = 11_644_473_600
_FIREFOX_TYPES = {1: "link", 2: "typed", 3: "bookmark", 4: "embed", 5: "redirect_permanent",
                  6: "redirect_temporary", 7: "download", 8: "framed_link", 9: "reload"}
_CHROME_TYPES = {0: "link", 1: "typed", 2: "bookmark", 3: "auto_subframe", 4: "manual_subframe", 5: "generated",
                 6: "auto_toplevel", 7: "form_submit", 8: "reload", 9: "keyword", 10: "keyword_generated"}
_FIREFOX_QUERY = (
    "SELECT p.url, p.title, v.visit_date, v.visit_type, p.visit_count FROM moz_historyvisits v"
    " JOIN moz_places p ON p.id = v.place_id ORDER BY v.visit_date, v.id"
)
_CHROME_QUERY = (
    "SELECT u.url, u.title, v.visit_time, v.transition, u.visit_count FROM visits v"
    " JOIN urls u ON u.id = v.url ORDER BY v.visit_time, v.id"
)


@dataclass(frozen=True)
class Visit:
    """One visit to a page: when (ISO UTC), how (``typed``, ``link``...), and the page's visit count."""

    browser: str
    url: str
    title: str | None
    time: str | None
    visit_type: str
    visit_count: int | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_browser_history(data_or_path: bytes | str | Path, name: str | None = None) -> list[Visit]:
    """Every visit in a Firefox or Chrome history database, oldest first.

    Raises:
        EvidenceError: not an SQLite database, neither browser's tables, or unreadable.
    """
    data, name = load_bytes(data_or_path, name)
    if not data.startswith(b"SQLite format 3\0"):
        raise EvidenceError(name, "not an SQLite database (no 'SQLite format 3' header)")
    with _read_only_copy(data) as db:
        try:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if {"moz_places", "moz_historyvisits"} <= tables:
                browser, rows = "firefox", db.execute(_FIREFOX_QUERY).fetchall()
            elif {"urls", "visits"} <= tables:
                browser, rows = "chrome", db.execute(_CHROME_QUERY).fetchall()
            else:
                listed = ", ".join(sorted(tables)) or "none"
                raise EvidenceError(
                    name, f"not a Firefox or Chrome history database (tables: {listed}; "
                    "need moz_places+moz_historyvisits or urls+visits)")
        except sqlite3.Error as exc:
            raise EvidenceError(name, f"unreadable history database: {exc}") from None
        except UnicodeDecodeError:  # SQLite's message quoting damaged schema text
            raise EvidenceError(name, "unreadable history database: damaged schema") from None
    return [_visit(browser, row) for row in rows]


def _visit(browser: str, row: tuple) -> Visit:
    url, title, stamp, kind, count = row
    if browser == "firefox":
        visit_type = _FIREFOX_TYPES.get(kind, f"type {kind}")
    else:
        core = kind & 0xFF if isinstance(kind, int) else kind
        visit_type = _CHROME_TYPES.get(core, f"transition {core}")
    time = None
    if isinstance(stamp, int) and stamp > 0:
        whole, micro = divmod(stamp, 1_000_000)
        if browser == "chrome":
            whole -= WEBKIT_EPOCH_OFFSET_S
        try:
            time = iso_utc(whole, micro * 1000)
        except (OverflowError, OSError, ValueError):
            time = None  # a corrupt stamp far outside the calendar
    return Visit(browser, str(url), title or None, time, visit_type, count if isinstance(count, int) else None)


@contextlib.contextmanager
def _read_only_copy(data: bytes) -> Iterator[sqlite3.Connection]:
    """Connection to a private copy (WAL flag cleared: the copy has no -wal), read-only and immutable."""
    image = bytearray(data)
    if len(image) >= 20 and image[18:20] == b"\x02\x02":
        image[18:20] = b"\x01\x01"
    handle, temp = tempfile.mkstemp(prefix="fklab-history-", suffix=".sqlite")
    db = None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(image)
        db = sqlite3.connect(f"{Path(temp).as_uri()}?mode=ro&immutable=1", uri=True)
        db.text_factory = lambda raw: raw.decode("utf-8", errors="replace")  # damaged text is shown, not fatal
        yield db
    finally:
        if db is not None:
            db.close()
        os.unlink(temp)
