"""FTP sessions: commands, logins, passive and active data connections rebuilt byte-exact."""

from __future__ import annotations

import hashlib

import pytest

from forensics_kit.net.protocols import read_sessions

from .expected_tables import TSHARK, tshark_fields
from .tcp_conversation import Talk, capture, conversation

C, S = "192.168.5.10", "192.168.5.20"
REPORT = b"".join(b"line %04d of the secret report\r\n" % i for i in range(300))
UPLOAD = bytes(range(256)) * 20


@pytest.fixture(scope="module")
def ftp_pcap(tmp_path_factory):
    """Stream 0 control; 1 passive RETR data; 2 active STOR data (server connects from 20); 3 failed login."""
    talk = Talk(C, 50000, S, 21)
    control = talk.open() + talk.send([
        ("s", b"220 (vsFTPd 3.0.3)\r\n"),
        ("c", b"USER alice\r\n"), ("s", b"331 Please specify the password.\r\n"),
        ("c", b"PASS Wonder1and\r\n"), ("s", b"230 Login successful.\r\n"),
        ("c", b"TYPE I\r\n"), ("s", b"200 Switching to Binary mode.\r\n"),
        ("c", b"PASV\r\n"), ("s", b"227 Entering Passive Mode (192,168,5,20,195,80).\r\n"),
        ("c", b"RETR report.txt\r\n"), ("s", b"150 Opening BINARY mode data connection.\r\n"),
    ])
    passive = conversation(C, 50001, S, 195 * 256 + 80, [("s", REPORT)])
    middle = talk.send([
        ("s", b"226 Transfer complete.\r\n"),
        ("c", b"PORT 192,168,5,10,196,10\r\n"), ("s", b"200 PORT command successful.\r\n"),
        ("c", b"STOR backup.bin\r\n"), ("s", b"150 Ok to send data.\r\n"),
    ])
    active = conversation(S, 20, C, 196 * 256 + 10, [("c", UPLOAD)])
    end = talk.send([("s", b"226 Transfer complete.\r\n"), ("c", b"QUIT\r\n"), ("s", b"221 Goodbye.\r\n")])
    end += talk.close()
    failed = conversation(C, 50002, S, 21, [("s", b"220 FTP ready\r\n"), ("c", b"USER bob\r\n"),
                                             ("s", b"331 Password?\r\n"), ("c", b"PASS guess\r\n"),
                                             ("s", b"530 Login incorrect.\r\n")])
    return capture(tmp_path_factory.mktemp("ftp") / "ftp.pcap", control, passive, middle, active, end, failed)


def sessions(path):
    return read_sessions(path, ["ftp"])["ftp"].results()


def test_ftp_login_success_and_failure_are_told_apart(ftp_pcap):
    creds = [(c.username, c.password, c.success, c.stream) for s in sessions(ftp_pcap) for c in s.credentials]
    assert creds == [("alice", "Wonder1and", True, 0), ("bob", "guess", False, 3)]


def test_ftp_commands_carry_their_final_reply(ftp_pcap):
    first = sessions(ftp_pcap)[0]
    assert [(c.command, c.arg, c.reply_code) for c in first.commands] == [
        ("USER", "alice", "331"), ("PASS", "Wonder1and", "230"), ("TYPE", "I", "200"), ("PASV", "", "227"),
        ("RETR", "report.txt", "226"), ("PORT", "192,168,5,10,196,10", "200"), ("STOR", "backup.bin", "226"),
        ("QUIT", "", "221")]
    assert first.banner == "(vsFTPd 3.0.3)"


def test_ftp_passive_download_and_active_upload_are_rebuilt_byte_exact(ftp_pcap):
    files = sessions(ftp_pcap)[0].files
    assert [(f.name, f.direction, f.mode, f.data_stream, f.complete) for f in files] == [
        ("report.txt", "download", "passive", 1, True), ("backup.bin", "upload", "active", 2, True)]
    assert files[0].data == REPORT and files[0].sha256 == hashlib.sha256(REPORT).hexdigest()
    assert files[1].data == UPLOAD and files[1].size == len(UPLOAD)


def test_ftp_on_another_port_is_found_by_its_banner(tmp_path):
    conv = conversation(C, 50000, S, 2121, [("s", b"220 ProFTPD Server ready\r\n"), ("c", b"USER x\r\n"),
                                            ("s", b"230 ok\r\n")])
    found = sessions(capture(tmp_path / "alt.pcap", conv))
    assert [(c.username, c.success) for c in found[0].credentials] == [("x", True)]


def test_ftp_garbage_does_not_raise(tmp_path):
    conv = conversation(C, 50000, S, 21, [("s", b"\xff\xfe garbage 227 (1,2,3)\r\n"), ("c", b"\x00\x01PASS\r\n"),
                                          ("s", b"999\r\n")])
    assert len(sessions(capture(tmp_path / "junk.pcap", conv))) == 1


pytestmark = pytest.mark.filterwarnings("ignore")
tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")


@pytest.mark.crosscheck
@tshark
def test_ftp_commands_match_tshark(ftp_pcap):
    theirs = tshark_fields(ftp_pcap, ["frame.number", "ftp.request.command", "ftp.request.arg"], "ftp.request.command")
    ours = [[str(c.frame), c.command, c.arg] for s in sessions(ftp_pcap) for c in s.commands]
    assert sorted(ours) == sorted([row + [""] * (3 - len(row)) for row in theirs])


@pytest.mark.crosscheck
@tshark
def test_ftp_data_bytes_match_tshark(ftp_pcap):
    rows = tshark_fields(ftp_pcap, ["tcp.stream", "tcp.payload"], "ftp-data && tcp.len > 0")
    theirs: dict[int, bytes] = {}
    for stream, payload in rows:
        theirs[int(stream)] = theirs.get(int(stream), b"") + bytes.fromhex(payload)
    ours = {f.data_stream: f.data for f in sessions(ftp_pcap)[0].files}
    assert ours == theirs


def test_cli_ftp_view_lists_commands_and_files(ftp_pcap):
    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    table = CliRunner().invoke(cli, ["net", "ftp", str(ftp_pcap)])
    assert table.exit_code == 0 and "report.txt" in table.output and "backup.bin" in table.output
    as_json = CliRunner().invoke(cli, ["net", "ftp", str(ftp_pcap), "--json"])
    assert as_json.exit_code == 0 and '"mode": "active"' in as_json.output
