"""One credentials() list over every protocol; HTTP Basic and form logins."""

from __future__ import annotations

import base64

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.net.creds import credentials
from forensics_kit.net.protocols.http_auth import form_fields

from .expected_tables import TSHARK, tshark_fields
from .tcp_conversation import capture, conversation

C, S = "10.9.0.7", "10.9.0.80"
MULTIPART = (b"--XyZ\r\nContent-Disposition: form-data; name=\"login\"\r\n\r\nolga\r\n"
             b"--XyZ\r\nContent-Disposition: form-data; name=\"pwd\"\r\n\r\nOlga2024\r\n--XyZ--\r\n")


def post(uri: bytes, ctype: bytes, body: bytes) -> bytes:
    return (b"POST " + uri + b" HTTP/1.1\r\nHost: portal\r\nContent-Type: " + ctype +
            b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@pytest.fixture(scope="module")
def creds_pcap(tmp_path_factory):
    """0 Basic refused, 1 Basic accepted, 2 urlencoded form, 3 multipart form, 4 FTP login."""
    basic = b"Authorization: Basic " + base64.b64encode(b"admin:admin") + b"\r\n"
    good = b"Authorization: Basic " + base64.b64encode(b"admin:S3cure!") + b"\r\n"
    return capture(
        tmp_path_factory.mktemp("creds") / "creds.pcap",
        conversation(C, 30000, S, 80, [("c", b"GET /admin HTTP/1.1\r\nHost: portal\r\n" + basic + b"\r\n"),
                                       ("s", b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")]),
        conversation(C, 30001, S, 80, [("c", b"GET /admin HTTP/1.1\r\nHost: portal\r\n" + good + b"\r\n"),
                                       ("s", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")]),
        conversation(C, 30002, S, 8080, [("c", post(b"/login", b"application/x-www-form-urlencoded",
                                                    b"username=ivan%40corp&password=p%26ss&remember=1")),
                                         ("s", b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n")]),
        conversation(C, 30003, S, 80, [("c", post(b"/auth", b"multipart/form-data; boundary=XyZ", MULTIPART)),
                                       ("s", b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")]),
        conversation(C, 30004, S, 21, [("s", b"220 hi\r\n"), ("c", b"USER anna\r\n"), ("s", b"331 ?\r\n"),
                                       ("c", b"PASS x1\r\n"), ("s", b"230 ok\r\n")]),
    )


def test_credentials_of_every_protocol_in_frame_order(creds_pcap):
    found = [(c.protocol, c.username, c.password, c.success, c.stream) for c in credentials(creds_pcap)]
    assert found == [("http", "admin", "admin", False, 0), ("http", "admin", "S3cure!", True, 1),
                     ("http", "ivan@corp", "p&ss", None, 2), ("http", "olga", "Olga2024", False, 3),
                     ("ftp", "anna", "x1", True, 4)]


def test_form_fields_reads_urlencoded_and_multipart_and_ignores_junk():
    assert form_fields(b"a=1&b=%20", "application/x-www-form-urlencoded") == [("a", "1"), ("b", " ")]
    assert form_fields(MULTIPART, "multipart/form-data; boundary=XyZ") == [("login", "olga"), ("pwd", "Olga2024")]
    assert form_fields(b"\xff\x00--", "multipart/form-data; boundary=") == []


def test_cli_creds_json(creds_pcap):
    result = CliRunner().invoke(cli, ["net", "creds", str(creds_pcap), "--json"])
    assert result.exit_code == 0, result.output
    assert result.output.count('"password"') == 5


def test_cli_creds_on_a_non_capture_is_one_line(tmp_path):
    bad = tmp_path / "x.pcap"
    bad.write_bytes(b"not a capture")
    result = CliRunner().invoke(cli, ["net", "creds", str(bad)])
    assert result.exit_code == 1 and "not a pcap" in result.output and "Traceback" not in result.output


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_basic_auth_matches_tshark(creds_pcap):
    theirs = [r[0] for r in tshark_fields(creds_pcap, ["http.authbasic"], "http.authbasic")]
    ours = [f"{c.username}:{c.password}" for c in credentials(creds_pcap) if c.kind == "Basic"]
    assert ours == theirs
