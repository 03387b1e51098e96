"""Hostile output folders: ``net export --out`` and ``net stream --raw`` never write through a link
or over a file already there (as ``disk export``), and a body cut at 64 MiB says so in the manifest."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.net.export import export_objects

from .test_export import EVIL, C, S, mixed_pcap  # noqa: F401 - the capture fixture, shared

VICTIM = b"the examiner's own file\n"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    return victim


def test_export_never_follows_a_link_or_overwrites_a_file_already_in_the_folder(mixed_pcap, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    victim = _victim(tmp_path)
    (out / "notes.txt").symlink_to(victim)  # planted: an object of the capture has this name
    (out / "manifest.json").symlink_to(victim)
    (out / "_.._evil.exe").write_bytes(b"earlier export\n")
    (out / "manifest.csv").write_text("an earlier manifest\n")
    report = export_objects(mixed_pcap, out)
    assert victim.read_bytes() == VICTIM
    assert (out / "_.._evil.exe").read_bytes() == b"earlier export\n"
    assert (out / "manifest.csv").read_text() == "an earlier manifest\n"
    names = {o.original_name: o.name for o in report.objects}
    assert names["../../evil.exe"] == "_.._evil (2).exe" and (out / "_.._evil (2).exe").read_bytes() == EVIL
    assert names["notes.txt"] == "notes (2).txt"
    assert (out / "notes (2).txt").read_bytes() == b"top secret notes\n"
    manifest = json.loads((out / "manifest (2).json").read_text())
    assert {row["name"] for row in manifest} == set(names.values())
    assert any("manifest.json already in" in w for w in report.warnings)


def test_stream_raw_never_follows_a_link_and_says_where_it_wrote(mixed_pcap, tmp_path):  # noqa: F811
    out = tmp_path / "raw"
    out.mkdir()
    victim = _victim(tmp_path)
    (out / "stream-0-s2c.bin").symlink_to(victim)
    result = CliRunner().invoke(cli, ["net", "stream", str(mixed_pcap), "0", "--raw", str(out), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert victim.read_bytes() == VICTIM
    assert [Path(r["path"]).name for r in rows] == ["stream-0-c2s.bin", "stream-0-s2c (2).bin"]
    assert (out / "stream-0-s2c (2).bin").read_bytes().endswith(EVIL)
    assert rows[1]["size"] == len((out / "stream-0-s2c (2).bin").read_bytes())


def test_a_body_cut_at_the_size_limit_is_marked_in_the_manifest(mixed_pcap, tmp_path, monkeypatch):  # noqa: F811
    from forensics_kit.net import http_wire

    monkeypatch.setattr(http_wire, "MAX_BODY", 100)  # stands for 64 MiB: EVIL is 460 bytes
    report = export_objects(mixed_pcap, tmp_path / "out")
    cut = {o.original_name: (o.truncated, o.size) for o in report.objects}
    assert cut["../../evil.exe"] == (True, 100) and cut["notes.txt"] == (False, 17)
    rows = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {r["original_name"]: (r["truncated"], r["size"]) for r in rows} == cut
    assert "truncated" in (tmp_path / "out" / "manifest.csv").read_text().splitlines()[0]


def test_an_ftp_transfer_cut_at_the_stream_limit_is_marked_in_the_manifest(tmp_path, monkeypatch):
    from forensics_kit.net import streams

    from .tcp_conversation import capture, conversation

    ftp = conversation(C, 30001, S, 21, [
        ("s", b"220 FTP\r\n"), ("c", b"PASV\r\n"), ("s", b"227 Entering Passive Mode (10,3,0,2,20,0).\r\n"),
        ("c", b"RETR big.bin\r\n"), ("s", b"150 ok\r\n")], close=False)
    data = conversation(C, 30002, S, 20 * 256, [("s", b"x" * 5000)])
    path = capture(tmp_path / "ftp.pcap", ftp, data)
    monkeypatch.setattr(streams, "MAX_STREAM_BYTES", 1000)  # stands for 64 MiB
    (found,) = export_objects(path, tmp_path / "out", ["ftp"]).objects
    assert (found.truncated, found.size) == (True, 1000)
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())[0]["truncated"] is True


def test_whole_bodies_are_not_marked_cut(mixed_pcap, tmp_path):  # noqa: F811
    report = export_objects(mixed_pcap, tmp_path / "out")
    assert not any(o.truncated for o in report.objects)


def test_a_mail_whose_stream_passed_the_limit_is_marked_cut(tmp_path, monkeypatch):
    from forensics_kit.net import streams

    from .tcp_conversation import capture, conversation

    mail = b"From: a@b\r\nTo: c@d\r\nSubject: big\r\n\r\n" + b"line of the body\r\n" * 200
    smtp = conversation(C, 30003, S, 25, [
        ("s", b"220 x ESMTP\r\n"), ("c", b"MAIL FROM:<a@b>\r\n"), ("s", b"250 ok\r\n"), ("c", b"DATA\r\n"),
        ("s", b"354 go\r\n"), ("c", mail + b".\r\n"), ("s", b"250 ok\r\n"), ("c", b"QUIT\r\n")])
    path = capture(tmp_path / "smtp.pcap", smtp)
    whole = export_objects(path, tmp_path / "whole", ["smtp"]).objects
    assert [o.truncated for o in whole] == [False]
    monkeypatch.setattr(streams, "MAX_STREAM_BYTES", 2000)  # stands for 64 MiB: the mail is ~3.7 kB
    cut = export_objects(path, tmp_path / "cut", ["smtp"]).objects
    assert cut and [o.truncated for o in cut] == [True] * len(cut)
