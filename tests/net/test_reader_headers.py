"""Hostile capture headers: refused in one line like tshark, or read with a warning, never silently.

The files are built here byte by byte; where tshark is installed the same files go through it,
so "refused" and "read" mean what they mean for tshark 4.0.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.errors import EvidenceError
from forensics_kit.net import CaptureReader, dns_messages, flows, http_transactions, summarize, tcp_streams

from .conftest import T0, _block
from .expected_tables import TSHARK

PACKET = bytes.fromhex(  # Ethernet / IPv4 10.0.0.1 -> 10.0.0.2 / UDP 1 -> 2 / "hi"
    "ffffffffffff000000000000080045000020000100004011"
    "66cb0a0000010a00000200010002000c0000" "6869")
NET_COMMANDS = ["summary", "flows", "dns", "http", "stream", "creds", "tls", "detect", "ftp"]


def _pcap(path: Path, major: int, minor: int) -> Path:
    sec, usec = divmod(T0 // 1000, 1_000_000)
    path.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, major, minor, 0, 0, 65535, 1)
                     + struct.pack("<IIII", sec, usec, len(PACKET), len(PACKET)) + PACKET)
    return path


def _pcapng(path: Path, version=(1, 0), shb_options=b"", idb_options=b"", epb_options=b"") -> Path:
    ticks = T0 // 1000
    epb = struct.pack("<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(PACKET), len(PACKET))
    epb += PACKET + b"\0" * (-len(PACKET) % 4) + epb_options
    path.write_bytes(_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, *version, -1) + shb_options)
                     + _block(1, struct.pack("<HHI", 1, 0, 65535) + idb_options) + _block(6, epb))
    return path


def _tshark_refuses(path: Path) -> bool | None:
    if TSHARK is None:
        return None
    import subprocess

    done = subprocess.run([TSHARK, "-n", "-r", str(path)], capture_output=True, text=True, timeout=60)
    return done.returncode != 0


OVERRUN = struct.pack("<HH", 2, 0xFFFF) + b"eth0"  # an option claiming 65535 bytes in a short block


@pytest.mark.parametrize(("name", "build", "problem"), [
    ("pcap-1.0", lambda p: _pcap(p, 1, 0), "pcap version 1.0 is not supported"),
    ("pcap-0.0", lambda p: _pcap(p, 0, 0), "pcap version 0.0 is not supported"),
    ("pcapng-2.0", lambda p: _pcapng(p, (2, 0)), "pcapng section version 2.0 is not supported"),
    ("pcapng-1.5", lambda p: _pcapng(p, (1, 5)), "pcapng section version 1.5 is not supported"),
])
def test_capture_versions_tshark_refuses_are_one_line_evidence_errors(tmp_path, name, build, problem):
    path = build(tmp_path / f"{name}.cap")
    with pytest.raises(EvidenceError, match=problem) as info:
        CaptureReader(path)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))
    assert _tshark_refuses(path) in (True, None)


@pytest.mark.parametrize(("name", "build", "warning"), [
    ("pcap-2.2", lambda p: _pcap(p, 2, 2), "pcap header gives version 2.2 (2.4 expected)"),
    ("pcap-3.0", lambda p: _pcap(p, 3, 0), "pcap header gives version 3.0 (2.4 expected)"),
    ("idb-option-ffff", lambda p: _pcapng(p, idb_options=OVERRUN),
     "interface 0: option 2 of length 65535 runs past the block"),
    ("idb-tsresol-ffff", lambda p: _pcapng(p, idb_options=struct.pack("<HHB3x", 9, 0xFFFF, 6)),
     "interface 0: option 9 of length 65535 runs past the block"),
    ("shb-option-ffff", lambda p: _pcapng(p, shb_options=OVERRUN), "option 2 of length 65535 runs past"),
    ("epb-option-ffff", lambda p: _pcapng(p, epb_options=OVERRUN), "frame 1: option 2 of length 65535"),
    ("tsresol-seconds", lambda p: _pcapng(p, idb_options=struct.pack("<HHB3x", 9, 1, 0)),
     "1 frame(s) have a time stamp outside the years 1970-2262"),
    ("tsoffset-huge", lambda p: _pcapng(p, idb_options=struct.pack("<HHq", 14, 8, 1 << 62)),
     "1 frame(s) have a time stamp outside the years 1970-2262"),
])
def test_damaged_headers_are_read_with_a_warning_in_every_analysis(tmp_path, name, build, warning):
    path = build(tmp_path / f"{name}.cap")
    summary = summarize(path, with_hashes=False)
    assert summary.packets == 1 and any(warning in w for w in summary.warnings), summary.warnings
    for analysis in (flows, lambda p, w: list(dns_messages(p, w)), lambda p, w: list(http_transactions(p, w)),
                     tcp_streams):
        found: list[str] = []
        analysis(path, found)
        assert any(warning in w for w in found), (analysis, found)


def test_every_net_command_on_a_damaged_header_warns_and_never_fails_internally(tmp_path):
    from forensics_kit.cli.main import cli

    path = _pcapng(tmp_path / "tsresol.pcapng", idb_options=struct.pack("<HHB3x", 9, 1, 0))
    for command in NET_COMMANDS:
        result = CliRunner().invoke(cli, ["net", command, str(path), "--json"])
        assert result.exit_code == 0, (command, result.output, result.exception)
        assert result.stderr.count("outside the years 1970-2262") == 1, (command, result.stderr)


def test_every_net_command_warns_once_how_many_packets_of_an_undecodable_link_type_it_skipped(tmp_path):
    from forensics_kit.cli.main import cli

    from .conftest import write_pcap

    path = write_pcap(tmp_path / "fddi.pcap", [(T0 + i, b"\x50" + b"\x00" * 40) for i in range(3)], linktype=10)
    for command in NET_COMMANDS:
        result = CliRunner().invoke(cli, ["net", command, str(path), "--json"])
        assert result.exit_code == 0, (command, result.output)
        skipped = "link type 10 (fddi) is not decoded: 3 packet(s) skipped"
        assert result.stderr.count(skipped) == 1, (command, result.stderr)
