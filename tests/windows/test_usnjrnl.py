"""The NTFS change journal the builder writes ($Extend\\$UsnJrnl:$J), read by the kit and by TSK's usnjls.

A small NTFS volume with ``usn_journal: true``: a file created then edited, one renamed and
backdated, one deleted, one given a named stream. Each file's records carry its MFT entry and
sequence as ``istat`` shows them, the recipe's times, and come in USN (= time) order.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError, NotFoundError
from forensics_kit.windows import parse_journal, usn_journal

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "builder"))
from disk_helpers import build, fuse_available  # noqa: E402

pytestmark = pytest.mark.skipif(not fuse_available(), reason="NTFS items need ntfs-3g, FUSE and root")

STOMP = {k: "2019-01-01T00:00:00Z" for k in ("created", "modified", "accessed", "changed")}


def _disk(journal: bool = True) -> dict:
    return {"id": "disk", "type": "disk", "file": "ws.dd", "size": "10MiB", "scheme": "none",
            "filesystem": {"type": "ntfs", "label": "Windows", "subsecond": True, "usn_journal": journal},
            "items": [
                {"id": "plan", "path": "/Users/anna/Documents/plan.txt", "content": {"text": "plan\n" * 50},
                 "times": {"created": "2024-03-02T10:00:00Z", "modified": "2024-03-02T10:05:00Z"}},
                {"id": "zip", "path": "/Users/anna/Downloads/t.zip", "rename_to": "/Users/anna/AppData/x.dll",
                 "content": {"text": "PK\n"}, "timestomp": STOMP,
                 "times": {"created": "2024-03-03T10:00:00Z", "renamed": "2024-03-03T10:20:00Z",
                           "stomped": "2024-03-03T10:25:00Z"}},
                {"id": "draft", "path": "/Users/anna/Documents/draft.txt", "deleted": True, "content": {"text": "x\n"},
                 "times": {"created": "2024-03-04T10:00:00Z", "deleted": "2024-03-04T11:00:00Z"}},
                {"id": "note", "path": "/Users/anna/Desktop/n.txt", "content": {"text": "n\n"},
                 "ads": {"name": "s", "content": {"text": "hidden"}},
                 "times": {"created": "2024-03-01T10:00:00Z", "modified": "2024-03-05T10:00:00Z"}},
                *({"id": f"log{n}", "path": f"/Windows/Logs/setup-{n:02d}.log", "content": {"text": f"{n}\n"},
                   "times": {"created": f"2024-02-02T08:{n:02d}:00Z"}} for n in range(30)),  # $J past one page
            ]}


@pytest.fixture(scope="module")
def volume(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("usn")
    return build(folder, [_disk()]).directory / "ws.dd"


def _by_name(changes) -> dict[str, list]:
    out: dict[str, list] = {}
    for change in changes:
        out.setdefault(change.name, []).append(change)
    return out


def test_each_files_life_is_in_the_journal_in_time_order(volume: Path) -> None:
    with open_image(volume) as img:
        changes = usn_journal(img)
        inodes = {r.path: r.inode for r in img.walk() if not r.stream}
    assert [c.usn for c in changes] == sorted(c.usn for c in changes) and changes[0].usn == 0
    pages = [(c.usn // 4096, (c.usn + 60 + 2 * len(c.name) - 1) // 4096) for c in changes]
    assert changes[-1].usn > 4096 and all(first == last for first, last in pages)  # no record crosses a page
    assert [c.time for c in changes] == sorted(c.time for c in changes)
    names = _by_name(changes)
    assert [c.reasons for c in names["plan.txt"]] == [
        ["FILE_CREATE"], ["DATA_EXTEND", "FILE_CREATE"], ["DATA_EXTEND", "FILE_CREATE", "CLOSE"],
        ["DATA_EXTEND"], ["DATA_EXTEND", "CLOSE"]]
    assert names["plan.txt"][0].entry == inodes["/Users/anna/Documents/plan.txt"]
    assert names["plan.txt"][0].time.startswith("2024-03-02T10:00:00.") and names["plan.txt"][-1].time.startswith(
        "2024-03-02T10:05:00.")
    old, new = names["t.zip"][-1], names["x.dll"][0]
    assert old.reasons == ["RENAME_OLD_NAME"] and old.path == "/Users/anna/Downloads/t.zip"
    assert new.reasons == ["RENAME_NEW_NAME"] and new.path == "/Users/anna/AppData/x.dll"
    assert old.entry == new.entry == inodes["/Users/anna/AppData/x.dll"] and new.time.startswith("2024-03-03T10:20")
    assert names["x.dll"][-1].reasons == ["BASIC_INFO_CHANGE", "CLOSE"]  # the stomp, 5 minutes later
    assert names["draft.txt"][-1].reasons == ["FILE_DELETE", "CLOSE"]
    assert names["draft.txt"][-1].time.startswith("2024-03-04T11:00:00")
    assert names["n.txt"][-1].reasons == ["NAMED_DATA_EXTEND", "STREAM_CHANGE", "CLOSE"]
    assert names["Documents"][0].reasons == ["FILE_CREATE"] and names["Documents"][0].attributes == 0x10


def test_the_journal_agrees_with_usnjls_record_for_record(volume: Path) -> None:
    if not shutil.which("usnjls"):
        pytest.skip("usnjls (sleuthkit) is not installed")
    out = subprocess.run(["usnjls", str(volume)], capture_output=True, text=True, check=True).stdout
    peer = [line.split("\t") for line in out.splitlines() if line.strip()]
    with open_image(volume) as img:
        ours = usn_journal(img)
    assert len(peer) == len(ours) > 30
    for row, change in zip(peer, ours, strict=True):
        ref, parent, when, reasons, name = row[0], row[1], row[2], row[3], row[4]
        assert ref == f"{change.entry}-{change.sequence}"
        assert parent == f"{change.parent_entry}-{change.parent_sequence}"
        assert int(when.split(".")[0]) == _epoch(change.time)
        assert set(reasons.split()) == set(change.reasons) and name == change.name


def _epoch(iso: str) -> int:
    from forensics_kit.timefmt import parse_iso

    return int(parse_iso(iso).timestamp())


def test_the_references_are_the_mft_entries_and_sequences_istat_shows(volume: Path) -> None:
    with open_image(volume) as img:
        changes = usn_journal(img)
    plan = next(c for c in changes if c.name == "plan.txt")
    if shutil.which("istat"):
        head = subprocess.run(["istat", str(volume), str(plan.entry)], capture_output=True, text=True,
                              check=True).stdout
        assert f"Sequence: {plan.sequence}" in head and "plan.txt" in head


def test_disk_usnjrnl_as_json_as_a_table_and_in_russian(volume: Path) -> None:
    runner = CliRunner()
    rows = [json.loads(line) for line in runner.invoke(cli, ["disk", "usnjrnl", str(volume), "--json",
                                                             "--name", "x.dll"]).output.splitlines()]
    assert [r["reasons"][0] for r in rows] == ["RENAME_NEW_NAME", "RENAME_NEW_NAME", "BASIC_INFO_CHANGE",
                                               "BASIC_INFO_CHANGE"]
    assert rows[0]["path"] == "/Users/anna/AppData/x.dll"
    table = runner.invoke(cli, ["--wide", "disk", "usnjrnl", str(volume)]).output
    assert "RENAME_OLD_NAME" in table and "/Users/anna/Downloads/t.zip" in table
    russian = runner.invoke(cli, ["--lang", "ru", "disk", "usnjrnl", str(volume)]).output
    assert "Причины" in russian and "Запись MFT" in russian


def test_a_volume_without_a_journal_or_a_damaged_one_is_one_line_of_error(tmp_path: Path) -> None:
    plain = build(tmp_path, [_disk(journal=False)]).directory / "ws.dd"
    with open_image(plain) as img, pytest.raises(NotFoundError):
        usn_journal(img)
    result = CliRunner().invoke(cli, ["disk", "usnjrnl", str(plain)])
    assert result.exit_code == 1 and result.output.strip().count("\n") == 0, result.output
    with pytest.raises(EvidenceError, match="offset 0 claims 4096 bytes"):
        parse_journal(b"\0\x10\0\0\x02\0\0\0" + bytes(100))
    with pytest.raises(EvidenceError, match="version 9"):
        parse_journal(b"\x48\0\0\0\x09\0\0\0" + bytes(64))
    assert parse_journal(bytes(4096)) == []  # a sparse head reads as no records


def test_the_audit_finds_a_journal_out_of_order_or_naming_another_file(tmp_path: Path) -> None:
    from forensics_kit.builder import load_recipe
    from forensics_kit.builder.actions import locate
    from forensics_kit.builder.audit import audit_build

    result = build(tmp_path, [_disk()])
    recipe = load_recipe(tmp_path / "t-disk.yaml")
    assert audit_build(recipe, result.directory, only=["ntfs-usn-journal"]) == []
    image = result.directory / "ws.dd"
    where = locate(image, "/$Extend/$UsnJrnl", ads="$J")
    start = where.runs[0][0] * where.block_size
    data = bytearray(image.read_bytes()[start:start + where.size])
    changes = parse_journal(bytes(data))
    last_plan = [c for c in changes if c.name == "plan.txt"][-1]
    name_at = last_plan.usn + 60
    data[name_at:name_at + 16] = "plam.txt".encode("utf-16-le")  # the last record names another file
    stomp = next(c for c in changes if c.reasons == ["BASIC_INFO_CHANGE"])
    data[stomp.usn + 32:stomp.usn + 40] = (116444736000000000).to_bytes(8, "little")  # stamped 1970
    with open(image, "r+b") as stream:
        stream.seek(start)
        stream.write(data)
    findings = audit_build(recipe, result.directory, only=["ntfs-usn-journal"])
    texts = sorted(f.text["en"] for f in findings)
    assert len(texts) == 2 and "'plam.txt', the MFT calls it plan.txt" in texts[1], texts
    assert texts[0].startswith(f"USN {stomp.usn} (x.dll) is stamped 1970-01-01T00:00:00Z"), texts
