"""Exported objects: HTTP as tshark --export-objects, FTP files, mail with attachments, safe names."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_corpus import corpus_files, skip_unless

from forensics_kit.builder.traffic import Capture
from forensics_kit.cli.main import cli
from forensics_kit.net.export import export_objects, form_files, http_name, safe_name

from .expected_tables import TSHARK
from .tcp_conversation import capture, conversation

C, S = "10.3.0.1", "10.3.0.2"
EVIL = b"MZ\x90\x00 this program cannot be run in DOS mode" * 10


@pytest.mark.parametrize(("given", "expected"), [
    ("../../etc/passwd", "_.._etc_passwd"), ("/abs/path.txt", "_abs_path.txt"), ("a\\b\x00c\x1b", "a_b_c_"),
    ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("..", "object"), ("", "object"), ("ok.pdf", "ok.pdf")])
def test_safe_name_keeps_files_inside_the_directory(given, expected):
    assert safe_name(given, set()) == expected


def test_safe_name_suffixes_duplicates_and_cuts_long_names_to_255_bytes():
    taken: set[str] = set()
    assert [safe_name("a.txt", taken) for _ in range(3)] == ["a.txt", "a_1.txt", "a_2.txt"]
    long = safe_name("я" * 300 + ".txt", set())
    assert len(long.encode()) <= 255 and long.endswith(".txt")


def test_http_name_prefers_content_disposition():
    assert http_name("/dl?id=3", [("Content-Disposition", 'attachment; filename="report q1.xlsx"')]) == \
        "report q1.xlsx"
    assert http_name("/files/a%20b.zip?x=1", []) == "a b.zip" and http_name("/", []) == "index.html"


@pytest.fixture(scope="module")
def mixed_pcap(tmp_path_factory):
    """0 HTTP download with a traversal file name; 1 FTP control; 2 passive data; 3 SMTP with attachment."""
    http = conversation(C, 30000, S, 80, [
        ("c", b"GET /x HTTP/1.1\r\nHost: s\r\n\r\n"),
        ("s", b"HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename=\"../../evil.exe\"\r\n"
              b"Content-Length: %d\r\n\r\n" % len(EVIL) + EVIL)])
    ftp = conversation(C, 30001, S, 21, [
        ("s", b"220 FTP\r\n"), ("c", b"PASV\r\n"), ("s", b"227 Entering Passive Mode (10,3,0,2,20,0).\r\n"),
        ("c", b"RETR dir/notes.txt\r\n"), ("s", b"150 ok\r\n")], close=False)
    data = conversation(C, 30002, S, 20 * 256, [("s", b"top secret notes\n")])
    mail = (b"From: a@b\r\nTo: c@d\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
            b"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=con\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--B--\r\n")
    smtp = conversation(C, 30003, S, 25, [
        ("s", b"220 x ESMTP\r\n"), ("c", b"MAIL FROM:<a@b>\r\n"), ("s", b"250 ok\r\n"), ("c", b"DATA\r\n"),
        ("s", b"354 go\r\n"), ("c", mail + b".\r\n"), ("s", b"250 ok\r\n")])
    return capture(tmp_path_factory.mktemp("export") / "mixed.pcap", http, ftp, data, smtp)


def test_export_writes_every_protocol_with_a_manifest(mixed_pcap, tmp_path):
    report = export_objects(mixed_pcap, tmp_path / "out")
    names = {o.name: o for o in report.objects}
    assert set(names) == {"_.._evil.exe", "notes.txt", "smtp-stream3-msg1.eml", "_con"}
    assert (tmp_path / "out" / "_.._evil.exe").read_bytes() == EVIL
    assert (tmp_path / "out" / "notes.txt").read_bytes() == b"top secret notes\n"
    assert (tmp_path / "out" / "_con").read_bytes() == b"hello"
    assert names["notes.txt"].stream == 2 and names["_.._evil.exe"].original_name == "../../evil.exe"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert {row["sha256"] for row in manifest} == {hashlib.sha256(p.read_bytes()).hexdigest()
                                                   for p in (tmp_path / "out").iterdir() if "manifest" not in p.name}
    assert (tmp_path / "out" / "manifest.csv").read_text().startswith("name,size,md5,sha256,frames,stream")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([*names, "manifest.csv", "manifest.json"])


def test_export_only_the_protocols_asked(mixed_pcap, tmp_path):
    report = export_objects(mixed_pcap, tmp_path, ["ftp"])
    assert [o.name for o in report.objects] == ["notes.txt"]


def test_cli_export_refuses_an_unknown_protocol_in_one_line(mixed_pcap, tmp_path):
    result = CliRunner().invoke(cli, ["net", "export", str(mixed_pcap), "--out", str(tmp_path), "--protocol", "gopher"])
    assert result.exit_code != 0 and "gopher" in result.output and "Traceback" not in result.output
    ok = CliRunner().invoke(cli, ["net", "export", str(mixed_pcap), "--out", str(tmp_path / "o"), "--json"])
    assert ok.exit_code == 0 and json.loads(ok.output)["objects"]


def _tshark_hashes(path: Path, out: Path) -> set[str]:
    # tshark 4.0 leaves out-of-order segments out of reassembly unless told otherwise.
    subprocess.run([TSHARK, "-o", "tcp.reassemble_out_of_order:TRUE", "-r", str(path), "-q", "--export-objects",
                    f"http,{out}"], capture_output=True, check=True, timeout=120)
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}


CORPUS_HTTP = corpus_files("pcaps", pattern="*/*http*.pcap")
# http_compressed.pcap and ipv4_tcp_http_xml.pcap: their only response answers a request that is not in
# the capture; Wireshark exports it, so do we.
CORPUS_CASES = [pytest.param(p, id=p.name) for p in CORPUS_HTTP]


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
@pytest.mark.parametrize("name", ["http", "mixed"])
def test_http_objects_match_tshark_export_objects(captures, mixed_pcap, tmp_path, name):
    pcap = mixed_pcap if name == "mixed" else captures[name]
    ours = {o.sha256 for o in export_objects(pcap, tmp_path / "ours", ["http"]).objects}
    assert ours == _tshark_hashes(pcap, tmp_path / "theirs")


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
@skip_unless("pcaps")
@pytest.mark.parametrize("pcap", CORPUS_CASES)
def test_http_objects_of_the_corpus_match_tshark(pcap, tmp_path):
    ours = {o.sha256 for o in export_objects(pcap, tmp_path / "ours", ["http"]).objects}
    assert ours == _tshark_hashes(pcap, tmp_path / "theirs")


def _upload_capture(path: Path, content: bytes) -> Path:
    boundary = "----WebKitFormBoundary0123456789abcdef"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="clients.csv"'
            '\r\nContent-Type: text/csv\r\n\r\n').encode() + content + f"\r\n--{boundary}--\r\n".encode()
    cap = Capture(start=1_709_287_200.0, seed=1)
    cap.add_host("pc", C)
    cap.add_host("web", S)
    cap.http_post("pc", "web", host="files.example", uri="/upload", data=body, at=1.0, user_agent="t/1",
                  data_type=f"multipart/form-data; boundary={boundary}")
    cap.write(path)
    return path


def test_multipart_upload_exports_each_file_part_with_its_field_name(tmp_path):
    content = b"name;card\r\n" + bytes(range(256)) * 20
    pcap = _upload_capture(tmp_path / "upload.pcap", content)
    report = export_objects(pcap, tmp_path / "out", ["http"])
    (part,) = [o for o in report.objects if o.original_name == "clients.csv"]
    assert part.sha256 == hashlib.sha256(content).hexdigest()
    assert (tmp_path / "out" / part.name).read_bytes() == content
    assert "'document'" in part.source and part.content_type == "text/csv"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert any(row["sha256"] == part.sha256 and "document" in row["source"] for row in manifest)
    assert any(o.original_name == "upload" for o in report.objects)  # the whole body stays, as in Wireshark


def test_form_files_ignores_plain_fields_other_types_and_damage():
    assert form_files(b"a=1", "application/x-www-form-urlencoded") == []
    assert form_files(b"garbage", "multipart/form-data; boundary=x") == []
    body = b'--x\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nAB\r\n--x--\r\n'
    assert form_files(body, "multipart/form-data; boundary=x") == [("f", "a.txt", b"AB", None)]
