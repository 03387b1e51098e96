"""The ``browser_history`` generator: a Firefox ``places.sqlite`` or a Chrome ``History`` file.

Built in memory with the browsers' own table and column names, in rollback-journal
mode with a fixed page size, vacuumed, then serialized; the header bytes that
carry the SQLite library version (offsets 92-99) are overwritten with fixed
values, so the file is byte-identical whatever SQLite built it.
"""

from __future__ import annotations

import base64
import sqlite3
import struct
from typing import Any

from forensics_kit.builder.content import ContentGenerator
from forensics_kit.timefmt import parse_iso

PAGE_SIZE = 4096
FIXED_SQLITE_VERSION = 3_040_001  # written at offset 96 in place of the builder's library version
WEBKIT_EPOCH_OFFSET_S = 11_644_473_600  # seconds from 1601-01-01 to 1970-01-01
FIREFOX_VISIT_TYPES = {"link": 1, "typed": 2, "bookmark": 3, "embed": 4, "redirect_permanent": 5,
                       "redirect_temporary": 6, "download": 7, "framed_link": 8, "reload": 9}
CHROME_TRANSITIONS = {"link": 0, "typed": 1, "bookmark": 2, "auto_subframe": 3, "manual_subframe": 4,
                      "generated": 5, "auto_toplevel": 6, "form_submit": 7, "reload": 8, "keyword": 9,
                      "keyword_generated": 10}
_CHAIN_START_END = 0x30000000

_FIREFOX_SCHEMA = """
CREATE TABLE moz_origins (id INTEGER PRIMARY KEY, prefix TEXT NOT NULL, host TEXT NOT NULL,
  frecency INTEGER NOT NULL, UNIQUE (prefix, host));
CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR, rev_host LONGVARCHAR,
  visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL, typed INTEGER DEFAULT 0 NOT NULL,
  frecency INTEGER DEFAULT -1 NOT NULL, last_visit_date INTEGER, guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL,
  url_hash INTEGER DEFAULT 0 NOT NULL, description TEXT, preview_image_url TEXT, site_name TEXT,
  origin_id INTEGER REFERENCES moz_origins(id), recalc_frecency INTEGER NOT NULL DEFAULT 0,
  alt_frecency INTEGER, recalc_alt_frecency INTEGER NOT NULL DEFAULT 0);
CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER, place_id INTEGER,
  visit_date INTEGER, visit_type INTEGER, session INTEGER, source INTEGER DEFAULT 0 NOT NULL,
  triggeringPlaceId INTEGER);
CREATE INDEX moz_places_url_hashindex ON moz_places (url_hash);
CREATE INDEX moz_historyvisits_placedateindex ON moz_historyvisits (place_id, visit_date);
"""

_CHROME_SCHEMA = """
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
  visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,
  last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);
CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT, url INTEGER NOT NULL, visit_time INTEGER NOT NULL,
  from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL, segment_id INTEGER, visit_duration INTEGER DEFAULT 0
  NOT NULL, incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL, opener_visit INTEGER,
  originator_cache_guid TEXT, originator_visit_id INTEGER, originator_from_visit INTEGER,
  originator_opener_visit INTEGER, is_known_to_sync BOOLEAN DEFAULT FALSE NOT NULL,
  consider_for_ntp_most_visited BOOLEAN DEFAULT FALSE NOT NULL);
CREATE INDEX visits_url_index ON visits (url);
CREATE INDEX visits_time_index ON visits (visit_time);
CREATE INDEX urls_url_index ON urls (url);
"""


class BrowserHistoryContent(ContentGenerator):
    """``browser: firefox|chrome`` and ``visits: [{url, title, time, type}]`` (type: link, typed, ...).

    ``subsecond: true`` gives whole-second visit times seeded microseconds, as real histories have.
    """

    name = "browser_history"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        browser = spec.get("browser", "firefox")
        visits = [_visit(index, visit) for index, visit in enumerate(spec.get("visits") or [])]
        if spec.get("subsecond"):  # the microseconds a browser's clock gives whole-second planned times
            visits = _with_microseconds(visits, rng)
        visits.sort(key=lambda v: v["us"])
        db = sqlite3.connect(":memory:", isolation_level=None)
        try:
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            db.execute("PRAGMA auto_vacuum=NONE")
            db.execute("PRAGMA encoding='UTF-8'")
            if browser == "firefox":
                _firefox(db, visits, rng)
            elif browser == "chrome":
                _chrome(db, visits)
            else:
                raise ValueError(f"browser: {browser!r} is not firefox or chrome")
            db.execute("VACUUM")
            image = bytearray(db.serialize())
        finally:
            db.close()
        return bytes(fix_header(image))


def fix_header(image: bytearray) -> bytearray:
    """Pin the header fields that differ between SQLite builds: version-valid-for and library version."""
    image[18:20] = b"\x01\x01"  # rollback journal, as a copied database at rest
    change_counter = image[24:28]
    image[92:96] = change_counter
    image[96:100] = struct.pack(">I", FIXED_SQLITE_VERSION)
    return image


def _with_microseconds(visits: list[dict[str, Any]], rng) -> list[dict[str, Any]]:
    """Give whole-second visit times the microseconds a browser's clock has (seeded).

    Both browsers store microseconds, so a history of whole seconds looks written by hand.
    Visits given in the same second keep the order they are listed in.
    """
    by_second: dict[int, list[dict[str, Any]]] = {}
    for visit in visits:
        if visit["us"] % 1_000_000 == 0:
            by_second.setdefault(visit["us"], []).append(visit)
    for second, group in by_second.items():
        for visit, fraction in zip(group, sorted(rng.randrange(1, 1_000_000) for _ in group), strict=True):
            visit["us"] = second + fraction
    return visits


def _visit(index: int, visit: dict[str, Any]) -> dict[str, Any]:
    try:
        when = parse_iso(str(visit["time"]))
    except (KeyError, ValueError):
        raise ValueError(f"visits[{index}].time: bad or missing time {visit.get('time')!r}") from None
    kind = visit.get("type", "link")
    if kind not in FIREFOX_VISIT_TYPES and kind not in CHROME_TRANSITIONS:
        known = sorted(set(FIREFOX_VISIT_TYPES) | set(CHROME_TRANSITIONS))
        raise ValueError(f"visits[{index}].type: unknown visit type {kind!r} (known: {', '.join(known)})")
    seconds = int(when.timestamp())
    return {"url": str(visit["url"]), "title": visit.get("title"), "kind": kind,
            "us": seconds * 1_000_000 + when.microsecond}


def _firefox(db: sqlite3.Connection, visits: list[dict[str, Any]], rng) -> None:
    db.executescript(_FIREFOX_SCHEMA)
    db.execute("PRAGMA user_version=75")
    db.execute("BEGIN")
    places: dict[str, int] = {}
    origins: dict[tuple[str, str], int] = {}
    for visit in visits:
        url = visit["url"]
        prefix, _, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        if url not in places:
            if (prefix + "://", host) not in origins:  # a new site; two pages of one site share an origin
                origins[prefix + "://", host] = len(origins) + 1
                db.execute("INSERT INTO moz_origins VALUES (?, ?, ?, 100)",
                           (origins[prefix + "://", host], prefix + "://", host))
            origin = origins[prefix + "://", host]
            guid = base64.urlsafe_b64encode(rng.randbytes(9)).decode()
            places[url] = len(places) + 1
            db.execute(
                "INSERT INTO moz_places (id, url, title, rev_host, guid, origin_id, frecency) VALUES (?,?,?,?,?,?,100)",
                (places[url], url, visit["title"], host[::-1] + ".", guid, origin),
            )
        db.execute(
            "INSERT INTO moz_historyvisits (from_visit, place_id, visit_date, visit_type, session, source)"
            " VALUES (0, ?, ?, ?, 0, 0)",
            (places[url], visit["us"], FIREFOX_VISIT_TYPES.get(visit["kind"], 1)),
        )
    db.execute(
        "UPDATE moz_places SET"
        " visit_count = (SELECT count(*) FROM moz_historyvisits v WHERE v.place_id = moz_places.id),"
        " last_visit_date = (SELECT max(visit_date) FROM moz_historyvisits v WHERE v.place_id = moz_places.id),"
        " typed = EXISTS (SELECT 1 FROM moz_historyvisits v WHERE v.place_id = moz_places.id AND v.visit_type = 2)"
    )
    db.execute("COMMIT")


def _chrome(db: sqlite3.Connection, visits: list[dict[str, Any]]) -> None:
    db.executescript(_CHROME_SCHEMA)
    db.execute("BEGIN")
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("mmap_status", "-1"), ("version", "67"),
                                                     ("last_compatible_version", "16")])
    urls: dict[str, int] = {}
    for visit in visits:
        webkit = visit["us"] + WEBKIT_EPOCH_OFFSET_S * 1_000_000
        if visit["url"] not in urls:
            urls[visit["url"]] = len(urls) + 1
            db.execute("INSERT INTO urls (id, url, title, last_visit_time) VALUES (?, ?, ?, ?)",
                       (urls[visit["url"]], visit["url"], visit["title"] or "", webkit))
        transition = CHROME_TRANSITIONS.get(visit["kind"], 0) | _CHAIN_START_END
        db.execute("INSERT INTO visits (url, visit_time, from_visit, transition, segment_id) VALUES (?, ?, 0, ?, 0)",
                   (urls[visit["url"]], webkit, transition))
    db.execute(
        "UPDATE urls SET visit_count = (SELECT count(*) FROM visits v WHERE v.url = urls.id),"
        " typed_count = (SELECT count(*) FROM visits v WHERE v.url = urls.id AND v.transition & 255 = 1),"
        " last_visit_time = (SELECT max(visit_time) FROM visits v WHERE v.url = urls.id)"
    )
    db.execute("COMMIT")
