"""Browser history reader: round trip with the generator, the sqlite3 CLI agrees, evidence untouched, clear errors."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess

import pytest
from artefact_samples import generated

from forensics_kit.artefacts import read_browser_history
from forensics_kit.errors import EvidenceError

VISITS = [
    {"url": "https://mail.example.com/inbox", "title": "Inbox", "time": "2024-03-05T10:00:00Z", "type": "typed"},
    {"url": "https://bank.example/login", "title": "Онлайн-банк", "time": "2024-03-05T10:03:20.250Z"},
    {"url": "https://mail.example.com/inbox", "title": "Inbox", "time": "2024-03-05T09:59:00Z", "type": "reload"},
    {"url": "https://files.example.net/a.zip", "time": "2024-03-05T10:05:00Z", "type": "download"},
]


@pytest.mark.parametrize("browser", ["firefox", "chrome"])
def test_generated_history_reads_back_every_visit_in_time_order(browser):
    visits = read_browser_history(generated("browser_history", browser=browser, visits=VISITS))
    assert [v.time for v in visits] == [
        "2024-03-05T09:59:00Z", "2024-03-05T10:00:00Z", "2024-03-05T10:03:20.25Z", "2024-03-05T10:05:00Z"]
    assert {v.browser for v in visits} == {browser}
    assert visits[1].url == "https://mail.example.com/inbox" and visits[1].visit_type == "typed"
    assert visits[1].visit_count == 2
    assert visits[2].title == "Онлайн-банк" and visits[2].visit_type == "link"
    assert visits[0].visit_type == "reload"
    assert visits[3].title is None


def test_chrome_transition_qualifier_bits_are_ignored():
    visits = read_browser_history(generated("browser_history", browser="chrome", visits=VISITS))
    assert [v.visit_type for v in visits] == ["reload", "typed", "link", "link"]  # Chrome has no download visit type


@pytest.mark.crosscheck
@pytest.mark.skipif(not shutil.which("sqlite3"), reason="sqlite3 CLI not installed (Debian: sqlite3)")
@pytest.mark.parametrize(("browser", "query"), [
    ("firefox", "SELECT p.url, v.visit_date FROM moz_historyvisits v JOIN moz_places p ON p.id = v.place_id "
                "ORDER BY v.visit_date"),
    ("chrome", "SELECT u.url, v.visit_time - 11644473600000000 FROM visits v JOIN urls u ON u.id = v.url "
               "ORDER BY v.visit_time"),
])
def test_sqlite3_cli_gives_the_same_rows(tmp_path, browser, query):
    path = tmp_path / "history.sqlite"
    path.write_bytes(generated("browser_history", browser=browser, visits=VISITS))
    out = subprocess.run(["sqlite3", "-readonly", str(path), query], capture_output=True, text=True, check=True)
    rows = [line.split("|") for line in out.stdout.splitlines()]
    ours = read_browser_history(path)
    assert [r[0] for r in rows] == [v.url for v in ours]
    assert [int(r[1]) for r in rows] == [1709632740000000, 1709632800000000, 1709633000250000, 1709633100000000]


def test_reading_from_a_path_leaves_the_evidence_and_its_folder_unchanged(tmp_path):
    path = tmp_path / "places.sqlite"
    path.write_bytes(generated("browser_history", visits=VISITS))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    path.chmod(0o444)
    assert len(read_browser_history(path)) == 4
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]


def test_database_in_wal_mode_is_read_from_its_copy():
    data = bytearray(generated("browser_history", visits=VISITS))
    data[18:20] = b"\x02\x02"
    assert len(read_browser_history(bytes(data))) == 4


def test_non_sqlite_file_is_an_evidence_error():
    with pytest.raises(EvidenceError, match=r"^History: not an SQLite database"):
        read_browser_history(b"<html>not a database</html>", name="History")


def test_sqlite_without_history_tables_names_the_tables_it_has(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE moz_places (id INTEGER)")
        db.execute("CREATE TABLE cookies (name TEXT)")
    db.close()
    with pytest.raises(EvidenceError, match=r"not a Firefox or Chrome history database \(tables: cookies, moz_places"):
        read_browser_history(path)


def test_history_with_missing_columns_is_an_evidence_error(tmp_path):
    path = tmp_path / "History"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE urls (id INTEGER)")
        db.execute("CREATE TABLE visits (id INTEGER)")
    db.close()
    with pytest.raises(EvidenceError, match="unreadable history database"):
        read_browser_history(path)


def test_truncated_database_is_an_evidence_error():
    data = generated("browser_history", visits=VISITS)
    with pytest.raises(EvidenceError):
        read_browser_history(data[:5000])


def test_title_with_invalid_utf8_is_shown_with_replacement_characters():
    visit = {"url": "https://a/", "title": "Banké", "time": "2024-03-01T10:00:00Z"}
    data = generated("browser_history", visits=[visit])
    damaged = data.replace("Banké".encode(), b"Bank\xff\xfe")
    (visit,) = read_browser_history(damaged)
    assert visit.title == "Bank��"
