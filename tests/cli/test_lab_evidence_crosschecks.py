"""The foundation labs' evidence read by `fklab` agrees with The Sleuth Kit and tshark."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli


def _fklab_json(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def usb(build) -> Path:
    return build("disk-01", None) / "usb.dd"


@pytest.fixture(scope="module")
def capture(build) -> Path:
    return build("net-01", None) / "capture.pcap"


def _fls_entries(image: Path) -> set[tuple[str, int, bool]]:
    out = subprocess.run(["fls", "-r", "-p", str(image)], capture_output=True, text=True, check=True).stdout
    entries = set()
    for line in out.splitlines():
        match = re.match(r"^(\S+)\s+(\*\s+)?(\d+)(?:-\S+)?(?:\(realloc\))?:\t(.*)$", line)
        assert match, line
        entries.add(("/" + match.group(4), int(match.group(3)), match.group(2) is None))
    return entries


@pytest.mark.skipif(
    shutil.which("fls") is None, reason="The Sleuth Kit (fls) is not installed: apt-get install sleuthkit"
)
def test_disk_ls_lists_what_fls_lists_on_disk01(usb: Path) -> None:
    ours = {(r["path"], r["inode"], r["allocated"]) for r in _fklab_json("disk", "ls", str(usb))}
    theirs = _fls_entries(usb)
    assert ours == theirs
    assert any(not allocated for _, _, allocated in ours), "disk-01 has deleted files"


@pytest.mark.skipif(
    shutil.which("icat") is None, reason="The Sleuth Kit (icat) is not installed: apt-get install sleuthkit"
)
def test_disk_cat_of_deleted_files_equals_icat(usb: Path) -> None:
    deleted = [r for r in _fklab_json("disk", "ls", str(usb), "--deleted") if r["type"] == "file"]
    assert deleted
    for record in deleted:
        ours = CliRunner().invoke(cli, ["disk", "cat", str(usb), "--inode", str(record["inode"])]).stdout_bytes
        theirs = subprocess.run(["icat", str(usb), str(record["inode"])], capture_output=True, check=True).stdout
        assert ours == theirs, record["path"]


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed: apt-get install tshark")
def test_net_dns_names_match_tshark_on_net01(capture: Path) -> None:
    ours = [(r["frame"], r["qname"]) for r in _fklab_json("net", "dns", str(capture))]
    out = subprocess.run(
        # fklab net dns reads DNS, mDNS and LLMNR alike; tshark names the last two protocols apart
        ["tshark", "-n", "-r", str(capture), "-T", "fields", "-e", "frame.number", "-e", "dns.qry.name",
         "-Y", "dns || mdns || llmnr"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    theirs = [(int(f), n) for f, n in (line.split("\t") for line in out.splitlines() if line)]
    assert ours == theirs and ours


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed: apt-get install tshark")
def test_net_http_requests_match_tshark_on_net01(capture: Path) -> None:
    ours = [(r["frame"], r["method"], r["host"], r["uri"]) for r in _fklab_json("net", "http", str(capture))]
    out = subprocess.run(
        [
            "tshark",
            "-n",
            "-r",
            str(capture),
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "http.request.method",
            "-e",
            "http.host",
            "-e",
            "http.request.uri",
            "-Y",
            "http.request && tcp",  # fklab net http reads HTTP over TCP; SSDP's M-SEARCH is HTTP over UDP
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    theirs = [(int(f), m, h, u) for f, m, h, u in (line.split("\t") for line in out.splitlines() if line)]
    assert ours == theirs and ours


@pytest.mark.skipif(shutil.which("capinfos") is None, reason="capinfos (tshark) is not installed")
def test_net_summary_packet_count_matches_capinfos(capture: Path) -> None:
    result = CliRunner().invoke(cli, ["net", "summary", str(capture), "--json"], catch_exceptions=False)
    summary = json.loads(result.stdout)
    out = subprocess.run(["capinfos", "-c", "-M", str(capture)], capture_output=True, text=True, check=True).stdout
    assert summary["packets"] == int(re.search(r"Number of packets:\s+(\d+)", out).group(1))
