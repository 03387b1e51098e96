"""custody: entries chained by hashes; editing, removing or reordering an entry is detected."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.custody import add_entry, read_log, verify_log
from forensics_kit.errors import ForensicsKitError
from forensics_kit.hashing import hash_bytes

WHEN = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def log(tmp_path):
    evidence = tmp_path / "usb.dd"
    evidence.write_bytes(b"evidence bytes" * 1000)
    path = tmp_path / "case.log"
    for action in ("received, bag 17", "imaged", "returned to locker"):
        add_entry(path, evidence, examiner="A. Ivanova", action=action, now=WHEN)
    return path


def _lines(path):
    return path.read_text("utf-8").splitlines()


def test_entries_hold_the_evidence_hashes_and_form_a_chain(log, tmp_path):
    entries = read_log(log)
    assert [e.seq for e in entries] == [1, 2, 3]
    digests = hash_bytes((tmp_path / "usb.dd").read_bytes(), ("md5", "sha256"))
    assert entries[0].sha256 == digests["sha256"] and entries[0].md5 == digests["md5"]
    assert entries[0].time == "2024-03-01T10:00:00Z" and entries[0].size == 14000
    assert entries[1].prev == entries[0].hash and entries[0].prev == "0" * 64
    assert verify_log(log) == [] and verify_log(log, head=entries[-1].hash) == []


def test_an_edited_entry_is_detected(log):
    lines = _lines(log)
    entry = json.loads(lines[1])
    entry["action"] = "imaged (nothing else)"
    lines[1] = json.dumps(entry)
    log.write_text("\n".join(lines) + "\n")
    problems = verify_log(log)
    assert any("line 2" in p and "content changed" in p for p in problems)


def test_an_edited_entry_with_its_hash_recomputed_breaks_the_chain(log):
    from forensics_kit.custody import entry_hash

    lines = _lines(log)
    entry = json.loads(lines[0])
    entry["examiner"] = "Someone Else"
    entry["hash"] = entry_hash(entry)
    lines[0] = json.dumps(entry)
    log.write_text("\n".join(lines) + "\n")
    assert any("line 2" in p and "chain broken" in p for p in verify_log(log))


@pytest.mark.parametrize("removed", [0, 1])
def test_a_removed_entry_is_detected(log, removed):
    lines = _lines(log)
    del lines[removed]
    log.write_text("\n".join(lines) + "\n")
    assert verify_log(log)


def test_removing_the_last_entry_is_caught_against_the_noted_head(log):
    head = read_log(log)[-1].hash
    log.write_text("\n".join(_lines(log)[:-1]) + "\n")
    assert verify_log(log) == []
    assert any("entries removed" in p for p in verify_log(log, head=head))


def test_garbage_lines_and_missing_evidence_are_one_line_errors(log, tmp_path):
    with open(log, "a") as stream:
        stream.write("not json\n")
    assert any("line 4" in p for p in verify_log(log))
    with pytest.raises(ForensicsKitError, match="gone.dd"):
        add_entry(tmp_path / "other.log", tmp_path / "gone.dd", examiner="x", action="y")


def test_cli_add_show_verify(tmp_path):
    evidence = tmp_path / "e.bin"
    evidence.write_bytes(b"x")
    runner = CliRunner()
    logfile = str(tmp_path / "c.log")
    add = runner.invoke(cli, ["disk", "custody", "add", str(evidence), "--log", logfile, "--examiner", "B",
                              "--action", "seized", "--json"])
    assert add.exit_code == 0, add.output
    assert json.loads(add.output)["seq"] == 1
    show = runner.invoke(cli, ["disk", "custody", "show", "--log", logfile, "--json"])
    assert json.loads(show.output.splitlines()[0])["action"] == "seized"
    assert runner.invoke(cli, ["disk", "custody", "verify", "--log", logfile]).exit_code == 0
    (tmp_path / "c.log").write_text((tmp_path / "c.log").read_text().replace("seized", "found"))
    assert runner.invoke(cli, ["disk", "custody", "verify", "--log", logfile]).exit_code == 1


def test_show_and_verify_of_a_missing_log_say_so_instead_of_an_empty_table(tmp_path) -> None:
    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    for command in ("show", "verify"):
        result = CliRunner().invoke(cli, ["disk", "custody", command, "--log", str(tmp_path / "typo.jsonl")])
        assert result.exit_code == 1 and "no such custody log" in result.output
