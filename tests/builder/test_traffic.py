"""The traffic generator: byte-identical captures, truth that matches tshark, real bodies."""

from __future__ import annotations

import hashlib
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from forensics_kit.builder.traffic import Capture, Host
from forensics_kit.errors import RecipeError

START = 1709287200.0  # 2024-03-01T10:00:00Z
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/123.0"
DOWNLOAD = random.Random(1).randbytes(200_000)
PAGE = b"<html><body>" + b"<p>quarterly report</p>" * 400 + b"</body></html>"
TEXT = b"line of chunked text\n" * 700
FORM = b"user=alice&pass=" + b"x" * 3000

needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None,
                                  reason="tshark is not installed (apt-get install tshark)")


def _hosts(cap: Capture) -> tuple[Host, Host, Host]:
    return (cap.add_host("ws", "192.168.1.23"), cap.add_host("resolver", "192.168.1.1"),
            cap.add_host("web", "93.184.216.34"))


def _mixed(seed: int = 11, dns2_at: float = 1.2) -> Capture:
    """DNS, a 200 kB download, a second DNS during the download, then encoded bodies and a POST."""
    cap = Capture(start=START, seed=seed)
    ws, resolver, web = _hosts(cap)
    cap.dns_lookup(ws, resolver, "files.example.com", ["cdn.example.net", "93.184.216.34"],
                   at=0.5, id="dns-files")
    cap.http_get(ws, web, host="files.example.com", uri="/dl/report.bin", body=DOWNLOAD,
                 content_type="application/octet-stream", at=1.0, user_agent=UA, id="download")
    cap.dns_lookup(ws, resolver, "c2.evil.example", ["203.0.113.66"], at=dns2_at, id="dns-c2")
    cap.http_get(ws, web, host="files.example.com", uri="/page.html", body=PAGE,
                 content_type="text/html", at=3.0, user_agent=UA, chunked=True, gzip=True,
                 id="page")
    cap.http_get(ws, web, host="files.example.com", uri="/log.txt", body=TEXT,
                 content_type="text/plain", at=4.0, user_agent=UA, chunked=True, id="log")
    cap.http_get(ws, web, host="files.example.com", uri="/style.css", body=PAGE,
                 content_type="text/css", at=5.0, user_agent=UA, gzip=True, id="css")
    cap.http_post(ws, web, host="files.example.com", uri="/login", data=FORM, body=b"welcome",
                  at=6.0, user_agent=UA, retransmit=True, id="login")
    return cap


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The mixed capture written once, with the second DNS placed inside the download."""
    folder = tmp_path_factory.mktemp("traffic")
    probe = _mixed().write(folder / "probe.pcap")["sessions"]["download"]
    frames = probe["request_frame"], probe["response_frame"]
    first, last = _pcap_times(folder / "probe.pcap", *frames)
    middle = (first + last) / 2 - START
    path = folder / "mixed.pcap"
    return path, _mixed(dns2_at=middle).write(path)


def _pcap_records(path: Path) -> list[tuple[float, bytes]]:
    """Read our own pcap with struct: (time, frame) per record."""
    data = path.read_bytes()
    magic, _, _, _, _, snaplen, linktype = struct.unpack_from("<IHHiIII", data)
    assert (magic, linktype) == (0xA1B2C3D4, 1)
    records, offset = [], 24
    while offset < len(data):
        seconds, micros, caplen, _ = struct.unpack_from("<IIII", data, offset)
        records.append((seconds + micros / 1e6, data[offset + 16:offset + 16 + caplen]))
        offset += 16 + caplen
    return records


def _pcap_times(path: Path, *frames: int) -> list[float]:
    records = _pcap_records(path)
    return [records[n - 1][0] for n in frames]


def _tshark(path: Path, *args: str) -> list[list[str]]:
    out = subprocess.run(["tshark", "-n", "-r", str(path), *args], capture_output=True,
                         text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


# -- determinism and file format -------------------------------------------------


@pytest.mark.parametrize("fmt", ["pcap", "pcapng"])
def test_same_calls_give_byte_identical_file_and_truth(tmp_path: Path, fmt: str) -> None:
    truth_a = _mixed().write(tmp_path / "a", fmt)
    truth_b = _mixed().write(tmp_path / "b", fmt)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert truth_a == truth_b


def test_different_seed_gives_different_bytes(tmp_path: Path) -> None:
    _mixed(seed=11).write(tmp_path / "a.pcap")
    _mixed(seed=12).write(tmp_path / "b.pcap")
    assert (tmp_path / "a.pcap").read_bytes() != (tmp_path / "b.pcap").read_bytes()


def test_adding_a_session_leaves_other_sessions_packets_unchanged(tmp_path: Path) -> None:
    one = Capture(start=START, seed=3)
    ws, resolver, web = _hosts(one)
    one.http_get(ws, web, host="a", uri="/", body=PAGE, content_type="text/html", at=1,
                 user_agent=UA, id="x")
    two = Capture(start=START, seed=3)
    ws, resolver, web = _hosts(two)
    two.dns_lookup(ws, resolver, "a.example", ["10.1.1.1"], at=0.1)
    two.http_get(ws, web, host="a", uri="/", body=PAGE, content_type="text/html", at=1,
                 user_agent=UA, id="x")
    one.write(tmp_path / "1.pcap")
    two.write(tmp_path / "2.pcap")
    assert _pcap_records(tmp_path / "1.pcap") == _pcap_records(tmp_path / "2.pcap")[2:]


def test_pcap_records_are_in_time_order_and_start_at_first_session(mixed) -> None:
    path, truth = mixed
    times = [t for t, _ in _pcap_records(path)]
    assert len(times) == truth["packets"]
    assert times == sorted(times)
    assert times[0] == START + 0.5
    assert truth["first_time"] == "2024-03-01T10:00:00.5Z"


def test_response_larger_than_mss_is_segmented(mixed) -> None:
    path, truth = mixed
    frames = [frame for _, frame in _pcap_records(path)]
    assert max(len(frame) for frame in frames) == 14 + 20 + 20 + 1460
    download = truth["sessions"]["download"]
    assert download["response_frame"] - download["request_frame"] > 200_000 // 1460


def test_checksums_agree_with_scapy(mixed) -> None:
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.l2 import Ether

    path, _ = mixed
    for _, frame in _pcap_records(path)[:40]:
        packet = Ether(frame)
        rebuilt = packet.copy()
        del rebuilt[IP].chksum
        layer = TCP if TCP in rebuilt else UDP
        del rebuilt[layer].chksum
        assert bytes(Ether(bytes(rebuilt))) == frame


# -- truth, checked against our own reading ---------------------------------------


def test_truth_frames_and_hashes_are_right_with_sessions_mixed(mixed) -> None:
    path, truth = mixed
    records = _pcap_records(path)
    sessions = truth["sessions"]
    download, c2 = sessions["download"], sessions["dns-c2"]
    # the second lookup happens in the middle of the download
    assert download["request_frame"] < c2["query_frame"] < c2["response_frame"]
    assert c2["response_frame"] < download["response_frame"]
    assert b"\x02c2\x04evil\x07example\x00" in records[c2["query_frame"] - 1][1]
    assert bytes([203, 0, 113, 66]) in records[c2["response_frame"] - 1][1]
    assert records[download["request_frame"] - 1][1].find(b"GET /dl/report.bin HTTP/1.1") > 0
    assert download["body_sha256"] == hashlib.sha256(DOWNLOAD).hexdigest()
    assert download["body_md5"] == hashlib.md5(DOWNLOAD).hexdigest()
    assert download["body_size"] == len(DOWNLOAD)
    assert [sessions[s]["tcp_stream"] for s in ("download", "page", "log", "css", "login")] == [
        0, 1, 2, 3, 4]
    assert download["frames"][0] == sessions["dns-files"]["response_frame"] + 1
    assert download["frames"][1] > download["response_frame"]


def test_response_date_header_matches_packet_time(mixed) -> None:
    path, truth = mixed
    page = truth["sessions"]["page"]
    records = _pcap_records(path)
    start = next(n for n in range(page["request_frame"], page["response_frame"] + 1)
                 if b"HTTP/1.1 200 OK" in records[n - 1][1])
    assert b"Date: Fri, 01 Mar 2024 10:00:03 GMT" in records[start - 1][1]
    assert page["time"].startswith("2024-03-01T10:00:03.")


# -- errors ---------------------------------------------------------------------


def test_bad_ip_unknown_host_and_reused_id_are_recipe_errors() -> None:
    cap = Capture(start=START, seed=1)
    ws, resolver, _ = _hosts(cap)
    with pytest.raises(RecipeError, match="invalid IP address '300.1.1.1'"):
        cap.add_host("bad", "300.1.1.1")
    with pytest.raises(RecipeError, match="unknown server host 'nowhere'"):
        cap.dns_lookup(ws, "nowhere", "a.example", [], at=0)
    cap.dns_lookup(ws, resolver, "a.example", ["10.0.0.1"], at=0, id="q")
    with pytest.raises(RecipeError, match="session id is used twice"):
        cap.dns_lookup(ws, resolver, "a.example", ["10.0.0.1"], at=0, id="q")
    with pytest.raises(RecipeError, match="unknown DNS query type 'AXFR2'"):
        cap.dns_lookup(ws, resolver, "a.example", [], at=0, qtype="AXFR2")


def test_client_and_server_of_different_ip_versions_are_a_recipe_error() -> None:
    cap = Capture(start=START, seed=1)
    ws, v6 = cap.add_host("ws", "192.168.1.23"), cap.add_host("v6", "2001:db8::1")
    with pytest.raises(RecipeError, match="not both IPv4 or both IPv6"):
        cap.http_get(ws, v6, host="a", uri="/", body=b"", content_type="text/plain", at=0,
                     user_agent=UA)


def test_snaplen_truncates_frames_but_keeps_original_length(tmp_path: Path) -> None:
    cap = Capture(start=START, seed=1, snaplen=96)
    ws, _, web = _hosts(cap)
    cap.http_get(ws, web, host="a", uri="/", body=PAGE, content_type="text/html", at=0,
                 user_agent=UA)
    cap.write(tmp_path / "s.pcap")
    data = (tmp_path / "s.pcap").read_bytes()
    assert struct.unpack_from("<I", data, 16)[0] == 96
    lengths, offset = [], 24
    while offset < len(data):
        caplen, origlen = struct.unpack_from("<II", data, offset + 8)
        lengths.append((caplen, origlen))
        offset += 16 + caplen
    assert max(c for c, _ in lengths) == 96
    assert max(o for _, o in lengths) == 1514


def test_unknown_format_is_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="unknown capture format 'erf'"):
        _mixed().write(tmp_path / "x.erf", "erf")
    assert not (tmp_path / "x.erf").exists()


# -- cross-checks with tshark -----------------------------------------------------


@needs_tshark
@pytest.mark.crosscheck
@pytest.mark.parametrize("fmt", ["pcap", "pcapng"])
def test_tshark_finds_nothing_malformed_and_only_the_planned_retransmission(
        tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"mixed.{fmt}"
    truth = _mixed().write(path, fmt)
    checks = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
              "-o", "udp.check_checksum:TRUE"]
    problems = _tshark(path, *checks, "-Y", '_ws.malformed || _ws.expert.severity >= "Warning"')
    assert problems == []
    flagged = _tshark(path, "-Y", "tcp.analysis.flags", "-T", "fields", "-e", "tcp.stream",
                      "-e", "tcp.analysis.retransmission")
    assert flagged == [[str(truth["sessions"]["login"]["tcp_stream"]), "1"]]


@needs_tshark
@pytest.mark.crosscheck
def test_tshark_reads_dns_names_answers_and_frames_as_truth_says(mixed) -> None:
    path, truth = mixed
    rows = _tshark(path, "-Y", "dns", "-T", "fields", "-e", "frame.number", "-e", "dns.qry.name",
                   "-e", "dns.a", "-e", "dns.cname", "-e", "dns.flags.response")
    seen = {(int(r[0]), r[4]): r for r in rows}
    for sid in ("dns-files", "dns-c2"):
        dns = truth["sessions"][sid]
        query, response = seen[(dns["query_frame"], "0")], seen[(dns["response_frame"], "1")]
        assert query[1] == response[1] == dns["qname"]
        answers = [a for a in (response[3], response[2]) if a]
        assert answers == dns["answers"]


@needs_tshark
@pytest.mark.crosscheck
def test_tshark_http_requests_responses_and_streams_match_truth(mixed) -> None:
    path, truth = mixed
    http = {sid: s for sid, s in truth["sessions"].items() if s["type"] == "http"}
    requests = _tshark(path, "-Y", "http.request", "-T", "fields", "-e", "frame.number",
                       "-e", "http.host", "-e", "http.request.uri", "-e", "http.user_agent",
                       "-e", "tcp.stream", "-e", "http.request.method")
    expected = [[str(s["request_frame"]), s["host"], s["uri"], s["user_agent"],
                 str(s["tcp_stream"]), s["method"]] for s in http.values()]
    assert sorted(requests) == sorted(expected)
    responses = _tshark(path, "-Y", "http.response", "-T", "fields", "-e", "frame.number",
                        "-e", "http.response.code", "-e", "http.content_type")
    assert sorted(responses) == sorted(
        [str(s["response_frame"]), str(s["status"]), s["content_type"]] for s in http.values())
    ends = _tshark(path, "-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0", "-T", "fields",
                   "-e", "frame.number")
    assert [int(r[0]) for r in ends] == sorted(s["frames"][0] for s in http.values())


@needs_tshark
@pytest.mark.crosscheck
def test_tshark_exports_bodies_decoded_and_byte_identical(mixed, tmp_path: Path) -> None:
    """tshark 4.x de-chunks and gunzips before exporting, so every body is the given content."""
    path, truth = mixed
    subprocess.run(["tshark", "-n", "-r", str(path), "--export-objects", f"http,{tmp_path}"],
                   capture_output=True, check=True)
    exported = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert exported["report.bin"] == DOWNLOAD
    assert exported["page.html"] == PAGE  # chunked + gzip
    assert exported["log.txt"] == TEXT  # chunked
    assert exported["style.css"] == PAGE  # gzip
    assert exported["login"] == FORM  # the POST body is exported too, then the response
    assert exported["login(1)"] == b"welcome"
    for sid, name in (("page", "page.html"), ("log", "log.txt"), ("download", "report.bin")):
        assert hashlib.sha256(exported[name]).hexdigest() == truth["sessions"][sid]["body_sha256"]


@needs_tshark
@pytest.mark.crosscheck
def test_ipv6_sessions_use_a_smaller_mss_and_read_cleanly(tmp_path: Path) -> None:
    cap = Capture(start=START, seed=4)
    ws, web = cap.add_host("ws", "2001:db8::23"), cap.add_host("web", "2001:db8:1::80")
    resolver = cap.add_host("resolver", "2001:db8::53")
    cap.dns_lookup(ws, resolver, "v6.example.com", ["2001:db8:1::80"], qtype="AAAA", at=0)
    cap.dns_lookup(ws, resolver, "gone.example.com", [], rcode=3, at=0.1)
    cap.http_get(ws, web, host="v6.example.com", uri="/f", body=PAGE, content_type="text/html",
                 at=1, user_agent=UA, id="f")
    path = tmp_path / "v6.pcapng"
    truth = cap.write(path, "pcapng")
    assert _tshark(path, "-Y", '_ws.malformed || _ws.expert.severity >= "Warning"') == []
    rows = _tshark(path, "-Y", "dns.flags.response == 1", "-T", "fields", "-e", "dns.aaaa",
                   "-e", "dns.flags.rcode")
    assert rows == [["2001:db8:1::80", "0"], ["", "3"]]
    sizes = _tshark(path, "-T", "fields", "-e", "frame.len", "-e", "tcp.options.mss_val")
    assert max(int(r[0]) for r in sizes) == 1514
    assert {r[1] for r in sizes if r[1]} == {"1440"}
    request = _tshark(path, "-Y", "http.request", "-T", "fields", "-e", "frame.number")
    assert request == [[str(truth["sessions"]["f"]["request_frame"])]]
