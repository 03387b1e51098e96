"""Web requests and FTP sessions on one timeline: nginx's and vsftpd's logs agree with the capture by construction."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from test_timeline import RECIPE as SSH_RECIPE

from forensics_kit.builder import build_case, load_recipe
from forensics_kit.builder.audit import audit_build
from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError
from forensics_kit.net import http_transactions
from forensics_kit.net.protocols import read_sessions
from forensics_kit.timefmt import parse_iso

AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0"
RECIPE = copy.deepcopy(SSH_RECIPE)
RECIPE["case"] = "tl-02"
RECIPE["world"]["hosts"]["server"]["tz"] = "Europe/Moscow"
RECIPE["world"]["hosts"]["office"] = {"ip": "192.168.5.77", "mac": "00:50:56:00:05:77", "os": "windows-10"}
RECIPE["timeline"] += [
    {"id": "probe", "do": "http_requests", "at": "2024-05-01T02:00:03Z", "from": "attacker", "to": "server",
     "user_agent": AGENT, "requests": [{"uri": "/", "text": "<html><body>Files</body></html>\n"},
                                       {"uri": "/.env", "status": 404}]},
    {"id": "upload", "do": "ftp_session", "at": "2024-05-01T02:03:00Z", "from": "office", "to": "server",
     "user": "{{ account }}", "password": "Secret1",
     "commands": [{"command": "LIST"}, {"command": "STOR", "arg": "report.csv", "content": {"text": "a;b\n1;2\n"}},
                  {"command": "RETR", "arg": "prices.txt", "content": {"generate": "bytes", "size": 30000}}]},
    {"id": "anon", "do": "ftp_session", "at": "2024-05-01T02:05:00Z", "from": "attacker", "to": "server",
     "user": "anonymous", "password": "mozilla@example.com", "login_ok": False},
]
RECIPE["evidence"][0]["items"] += [
    {"id": path.rsplit("/", 1)[1].replace(".", "_"), "path": path, "content": {**content, "timeline": "server"},
     "times": {"modified": "2024-05-01T02:09:00Z"}}
    for path, content in (("/var/log/nginx/access.log", {"generate": "access_log"}),
                          ("/var/log/vsftpd.log", {"generate": "vsftpd_log"}),
                          ("/var/log/xferlog", {"generate": "vsftpd_log", "format": "xferlog"}))]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("tl-02")
    return _build(tmp_path)


def _build(tmp_path: Path, recipe: dict | None = None):
    path = tmp_path / "tl-02.yaml"
    path.write_text(yaml.safe_dump(recipe or RECIPE, sort_keys=False), encoding="utf-8")
    return load_recipe(path), build_case(path, tmp_path / "build")


def _log(result, path: str) -> list[str]:
    with open_image(result.artefacts["disk"]) as image:
        return image.read(path).decode().splitlines()


def _tamper(tmp_path: Path, old: bytes, new: bytes):
    """A fresh build whose image has ``old`` replaced by ``new`` (same length) in its log files."""
    recipe, result = _build(tmp_path)
    image = result.artefacts["disk"]
    data = image.read_bytes()
    assert len(old) == len(new) and old in data
    image.write_bytes(data.replace(old, new))
    return recipe, result


def test_nginx_logs_each_captured_request_with_its_status_size_and_agent(built):
    recipe, result = built
    lines = _log(result, "/var/log/nginx/access.log")
    requests = [t for t in http_transactions(result.artefacts["capture"]) if t.method]
    assert len(lines) == len(requests) == 2
    for line, t in zip(lines, requests, strict=True):
        m = re.match(r'(\S+) - - \[([^\]]+)\] "GET (\S+) HTTP/1.1" (\d+) (\d+) "-" "([^"]+)"$', line)
        assert m, line
        assert (m[1], m[3], int(m[4]), int(m[5]), m[6]) == (t.src, t.uri, t.status, len(t.body), t.user_agent)
        logged = datetime.strptime(m[2], "%d/%b/%Y:%H:%M:%S %z")
        assert logged.utcoffset().total_seconds() == 3 * 3600  # the server's zone, Moscow
        assert int(logged.timestamp()) == int(parse_iso(t.response_time).timestamp())
    assert "<center>nginx/" in requests[1].body.decode() and requests[1].status == 404
    assert audit_build(recipe, result.directory) == []


def test_vsftpd_logs_the_captured_session_in_local_time_and_in_the_same_seconds(built):
    _, result = built
    lines = _log(result, "/var/log/vsftpd.log")
    user = result.truth["parameters"]["account"]
    assert [re.sub(r"^.* \[pid \d+\] ", "", line).split(": Client")[0] for line in lines] == [
        "CONNECT", f"[{user}] OK LOGIN", f"[{user}] OK UPLOAD", f"[{user}] OK DOWNLOAD", "CONNECT",
        "[anonymous] FAIL LOGIN"]
    assert 'Client "::ffff:192.168.5.77"' in lines[0] and "OK UPLOAD" in lines[2] and "OK DOWNLOAD" in lines[3]
    assert ", 30000 bytes, " in lines[3] and lines[3].endswith("Kbyte/sec")
    streams = []
    ftp = read_sessions(result.artefacts["capture"], ("ftp",), streams=streams)["ftp"].results()
    control = next(s for s in ftp if s.client == "192.168.5.77")
    info = next(s for s in streams if s.index == control.stream)
    connect = datetime.strptime(lines[0][:24], "%a %b %d %H:%M:%S %Y")
    start = datetime.fromtimestamp(info.start_ns // 10**9, UTC)
    assert (connect - start.replace(tzinfo=None)).total_seconds() == 3 * 3600  # local time, no zone written
    assert [f.size for f in control.files if f.direction != "listing"] == [8, 30000]
    xfer = _log(result, "/var/log/xferlog")
    assert [line.split()[5:] for line in xfer] == [
        ["1", "::ffff:192.168.5.77", "8", f"/home/{control.credentials[0].username}/report.csv", "b", "_", "i",
         "r", control.credentials[0].username, "ftp", "0", "*", "c"],
        ["1", "::ffff:192.168.5.77", "30000", f"/home/{control.credentials[0].username}/prices.txt", "b", "_", "o",
         "r", control.credentials[0].username, "ftp", "0", "*", "c"]]
    truth = result.truth["timeline"]["upload"]
    assert truth["login"] == "success" and [t["size"] for t in truth["transfers"]] == [8, 30000]
    end = parse_iso(truth["end_time"]).timestamp()
    assert abs(end - info.end_ns / 1e9) < 2  # the session lasts as long in the truth as in the capture


def test_an_access_log_line_the_capture_lacks_breaks_the_http_rule(tmp_path):
    recipe, result = _tamper(tmp_path, b"GET /.env ", b"GET /.emv ")
    findings = audit_build(recipe, result.directory, only=["http-log-capture"])
    messages = sorted(f.message() for f in findings)
    assert any('"GET /.emv"' in m and "has no such request" in m for m in messages), messages
    assert any('"GET /.env"' in m and "is not in /var/log/nginx/access.log" in m for m in messages), messages


def test_an_access_log_status_other_than_the_captured_one_breaks_the_http_rule(tmp_path):
    recipe, result = _tamper(tmp_path, b'.env HTTP/1.1" 404 ', b'.env HTTP/1.1" 200 ')
    findings = audit_build(recipe, result.directory, only=["http-log-capture"])
    assert len(findings) == 1
    assert re.search(r"line 2 logs status 200, the capture \(frame \d+\) has 404$", findings[0].message())


def test_a_vsftpd_size_or_address_the_capture_lacks_breaks_the_ftp_rule(tmp_path):
    recipe, result = _tamper(tmp_path, b", 30000 bytes", b", 30001 bytes")
    findings = audit_build(recipe, result.directory, only=["ftp-capture"])
    assert len(findings) == 1 and "logs size 30001" in findings[0].message() and "has 30000" in findings[0].message()
    (tmp_path / "b").mkdir()
    recipe, result = _tamper(tmp_path / "b", b'CONNECT: Client "::ffff:192.168.5.77"',
                             b'CONNECT: Client "::ffff:192.168.5.78"')
    messages = [f.message() for f in audit_build(recipe, result.directory, only=["ftp-capture"])]
    assert any("CONNECT from 192.168.5.78" in m and "no such connection" in m for m in messages), messages
    assert any("FTP connection from 192.168.5.77" in m and "is not in /var/log/vsftpd.log" in m for m in messages)


def test_an_xferlog_transfer_the_capture_lacks_breaks_the_ftp_rule(tmp_path):
    recipe, result = _tamper(tmp_path, b"/report.csv b _ i", b"/rePort.csv b _ i")
    messages = [f.message() for f in audit_build(recipe, result.directory, only=["ftp-capture"])]
    assert any("/var/log/xferlog: line 1" in m and "no such transfer" in m for m in messages), messages
    assert any("upload of report.csv" in m and "is not in /var/log/xferlog" in m for m in messages), messages


def test_a_web_request_without_a_body_for_its_status_is_a_recipe_error(tmp_path):
    recipe = copy.deepcopy(RECIPE)
    recipe["timeline"][2]["requests"][0] = {"uri": "/"}
    with pytest.raises(RecipeError, match=r"requests\[0\]: a 200 response needs a 'text' or 'size' body"):
        _build(tmp_path, recipe)


def test_apache_writes_a_dash_for_no_body_and_nginx_escapes_quotes_in_the_agent():
    import random

    from forensics_kit.builder.contents.logs import AccessLogContent, VsftpdLogContent

    events = [{"time": "2024-05-10T10:55:36Z", "ip": "10.0.0.9", "uri": "/x", "status": 304, "size": 0,
               "user_agent": 'Evil "quoted" agent'}]
    nginx = AccessLogContent().generate({"events": events, "tz": "Europe/Moscow"}, random.Random(1)).decode()
    apache = AccessLogContent().generate({"events": events, "server": "apache"}, random.Random(1)).decode()
    assert nginx == ('10.0.0.9 - - [10/May/2024:13:55:36 +0300] "GET /x HTTP/1.1" 304 0 "-" '
                     '"Evil \\x22quoted\\x22 agent"\n')
    assert apache.startswith('10.0.0.9 - - [10/May/2024:10:55:36 +0000] "GET /x HTTP/1.1" 304 - "-"')
    connect = {"kind": "connect", "time": "2024-05-03T01:02:03Z", "ip": "10.0.0.9"}
    ftp = VsftpdLogContent().generate({"events": [connect], "ipv6_listener": False}, random.Random(1)).decode()
    assert ftp.startswith("Fri May  3 01:02:03 2024 [pid ") and ftp.endswith('] CONNECT: Client "10.0.0.9"\n')
