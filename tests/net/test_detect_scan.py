"""Port scan detector: vertical SYN scan and horizontal sweep, evidence frames checked with tshark."""

from __future__ import annotations

import pytest
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether

from forensics_kit.net.detect import detect

from .conftest import T0, write_pcap
from .expected_tables import TSHARK, tshark_fields

SCANNER, VICTIM, CLIENT = "10.0.0.66", "10.0.0.2", "10.0.0.1"
OPEN = (22, 25)


def _eth(pkt) -> bytes:
    return bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / pkt)


def scan_frames() -> list[bytes]:
    """A normal client's 3 connections with data, then a SYN scan of ports 1-30 on VICTIM:
    22 and 25 answer SYN/ACK (the scanner resets), odd ports answer RST, even ports stay silent;
    then a horizontal sweep of port 445 on 20 hosts, never answered."""
    frames = []
    for i in range(3):
        sport = 40000 + i
        frames += [_eth(IP(src=CLIENT, dst=VICTIM) / TCP(sport=sport, dport=80, flags="S", seq=1)),
                   _eth(IP(src=VICTIM, dst=CLIENT) / TCP(sport=80, dport=sport, flags="SA", seq=9, ack=2)),
                   _eth(IP(src=CLIENT, dst=VICTIM) / TCP(sport=sport, dport=80, flags="PA", seq=2, ack=10)
                        / b"GET / HTTP/1.1\r\n\r\n")]
    for port in range(1, 31):
        frames.append(_eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=55555, dport=port, flags="S", seq=7)))
        if port in OPEN:
            frames.append(_eth(IP(src=VICTIM, dst=SCANNER) / TCP(sport=port, dport=55555, flags="SA", ack=8)))
            frames.append(_eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=55555, dport=port, flags="R", seq=8)))
        elif port % 2:
            frames.append(_eth(IP(src=VICTIM, dst=SCANNER) / TCP(sport=port, dport=55555, flags="RA", ack=8)))
    for host in range(20):
        frames.append(_eth(IP(src="10.0.0.77", dst=f"10.0.1.{host + 1}") / TCP(sport=41000, dport=445, flags="S")))
    return frames


@pytest.fixture(scope="module")
def scan_pcap(tmp_path_factory):
    path = tmp_path_factory.mktemp("scan") / "scan.pcap"
    return write_pcap(path, [(T0 + i * 10_000_000, f) for i, f in enumerate(scan_frames())])


def test_syn_scan_reports_open_ports_type_and_rate(scan_pcap):
    found = [f for f in detect(scan_pcap, ["scan"]) if f.source == SCANNER]
    assert len(found) == 1
    f = found[0]
    assert (f.kind, f.targets, f.frame_count) == ("port-scan", [VICTIM], 30)
    n = f.numbers
    assert n["open_ports"] == ["10.0.0.2:22", "10.0.0.2:25"]
    assert (n["scan_type"], n["shape"], n["ports"], n["closed"], n["unanswered"]) == ("syn", "vertical", 30, 14, 14)
    assert n["rate_per_s"] == pytest.approx(30 / n["duration_s"], rel=0.01)
    assert f.frames[0] == 10 and len(f.frames) == 20


def test_horizontal_sweep_is_one_finding_and_busy_client_is_not_a_scanner(scan_pcap):
    findings = detect(scan_pcap, ["scan"])
    assert {f.source for f in findings} == {SCANNER, "10.0.0.77"}
    sweep = next(f for f in findings if f.source == "10.0.0.77")
    assert (sweep.numbers["shape"], sweep.numbers["hosts"], sweep.numbers["unanswered"]) == ("horizontal", 20, 20)
    assert "port 445 on 20 hosts" in sweep.summary


def test_thresholds_are_options(scan_pcap):
    assert [f.source for f in detect(scan_pcap, ["scan"], {"scan.min_ports": 31, "scan.min_hosts": 21})] == []


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_scan_evidence_frames_and_open_ports_match_tshark(scan_pcap):
    f = next(f for f in detect(scan_pcap, ["scan"]) if f.source == SCANNER)
    syns = tshark_fields(scan_pcap, ["frame.number"], f"ip.src=={SCANNER} && tcp.flags.syn==1 && tcp.flags.ack==0")
    assert [int(r[0]) for r in syns][:20] == f.frames and len(syns) == f.frame_count
    synacks = tshark_fields(scan_pcap, ["tcp.srcport"], f"ip.dst=={SCANNER} && tcp.flags.syn==1 && tcp.flags.ack==1")
    assert [f"{VICTIM}:{r[0]}" for r in synacks] == f.numbers["open_ports"]


def scan_then_sessions_frames() -> list[bytes]:
    """A SYN scan of ports 1-40, 80 and 8556 (open: 21, 80, 8556), then the scanner logs in to FTP
    (port 21, with data) and opens two passive data connections (44492, 9510) that carry files."""
    frames, open_ports = [], (21, 80, 8556)
    for port in [*range(1, 41), 80, 8556]:
        frames.append(_eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=60000, dport=port, flags="S", seq=7)))
        if port in open_ports:
            frames.append(_eth(IP(src=VICTIM, dst=SCANNER) / TCP(sport=port, dport=60000, flags="SA", ack=8)))
            frames.append(_eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=60000, dport=port, flags="R", seq=8)))
        else:
            frames.append(_eth(IP(src=VICTIM, dst=SCANNER) / TCP(sport=port, dport=60000, flags="RA", ack=8)))
    for sport, dport, payload in ((50000, 21, b"USER deploy\r\n"), (50001, 44492, b"MZ" * 100),
                                  (50002, 9510, b"-rw-r--r-- 1 deploy x\r\n")):
        frames += [_eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=sport, dport=dport, flags="S", seq=1)),
                   _eth(IP(src=VICTIM, dst=SCANNER) / TCP(sport=dport, dport=sport, flags="SA", seq=9, ack=2)),
                   _eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=sport, dport=dport, flags="A", seq=2, ack=10)),
                   _eth(IP(src=SCANNER, dst=VICTIM) / TCP(sport=sport, dport=dport, flags="PA", seq=2, ack=10)
                        / payload)]
    return frames


@pytest.fixture(scope="module")
def scan_sessions_pcap(tmp_path_factory):
    path = tmp_path_factory.mktemp("scan") / "scan-then-ftp.pcap"
    return write_pcap(path, [(T0 + i * 10_000_000, f) for i, f in enumerate(scan_then_sessions_frames())])


def test_open_ports_are_those_that_answered_the_scan_in_numeric_order(scan_sessions_pcap):
    (f,) = detect(scan_sessions_pcap, ["scan"])
    n = f.numbers
    assert n["open_ports"] == [f"{VICTIM}:21", f"{VICTIM}:80", f"{VICTIM}:8556"]  # not 44492/9510, not as text
    assert (n["ports"], n["targets"], n["probes"], n["closed"], f.frame_count) == (42, 42, 42, 39, 42)
    assert f.summary.endswith("42 ports on 10.0.0.2, 3 open (21, 80, 8556)")
    assert f.last < "2024-03-01T10:00:01.3"  # the scan's last probe, not the later sessions


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_open_ports_are_tsharks_syn_ack_streams_that_carried_no_data(scan_sessions_pcap):
    (f,) = detect(scan_sessions_pcap, ["scan"])
    with_data = {r[0] for r in tshark_fields(scan_sessions_pcap, ["tcp.stream"], "tcp.len > 0")}
    answered = tshark_fields(scan_sessions_pcap, ["tcp.stream", "tcp.srcport"],
                             f"ip.dst=={SCANNER} && tcp.flags.syn==1 && tcp.flags.ack==1")
    ports = sorted(int(port) for stream, port in answered if stream not in with_data)
    assert [f"{VICTIM}:{p}" for p in ports] == f.numbers["open_ports"]
    probes = tshark_fields(scan_sessions_pcap, ["tcp.stream"], f"ip.src=={SCANNER} && tcp.flags.syn==1")
    assert len([s for (s,) in probes if s not in with_data]) == f.numbers["ports"]
