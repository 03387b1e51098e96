"""A 2024 Windows office LAN's background: W32Time, LLMNR, DHCP renewals, and net-01 carrying all of it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from builder_paths import DATASETS

from forensics_kit.builder import build_case
from forensics_kit.builder.traffic import Capture
from forensics_kit.net import dns_messages, http_transactions, tls_sessions

needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")


def _tshark(path, *args: str) -> list[str]:
    out = subprocess.run(["tshark", "-r", str(path), *args], capture_output=True, text=True, check=True).stdout
    return [line for line in out.split("\n") if line]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    capture = Capture(start=1709280000.0, seed=3)
    ws = capture.add_host("ws", "192.168.1.50", "3c:52:82:00:00:50", os="windows-10", browser="chrome")
    router = capture.add_host("router", "192.168.1.1", "00:1a:2b:00:00:01", os="linux")
    for kind in ("dhcp", "llmnr", "ntp"):
        capture.noise([ws, router], start=1, duration=10, rate_per_s=0.3, kinds=[kind], gateway=router,
                      extra_hosts=0, id=f"noise_{kind}")
    path = tmp_path_factory.mktemp("office") / "office.pcap"
    return path, capture.write(path)


@needs_tshark
def test_a_dhcp_renewal_is_a_unicast_request_and_ack_tshark_reads(office):
    path, _ = office
    lines = _tshark(path, "-Y", "dhcp", "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "dhcp.option.dhcp",
                    "-e", "dhcp.option.vendor_class_id", "-e", "dhcp.option.dhcp_server_id")
    assert lines and lines[0].split("\t")[:4] == ["192.168.1.50", "192.168.1.1", "3", "MSFT 5.0"]
    assert lines[1].split("\t")[:3] == ["192.168.1.1", "192.168.1.50", "5"] and lines[1].endswith("192.168.1.1")
    assert _tshark(path, "-Y", "_ws.malformed || _ws.expert.severity >= error") == []


@needs_tshark
def test_llmnr_goes_to_its_multicast_group_with_ttl_1(office):
    path, _ = office
    lines = _tshark(path, "-Y", "llmnr", "-T", "fields", "-e", "ip.dst", "-e", "ip.ttl", "-e", "dns.qry.name")
    assert lines and {tuple(line.split("\t")[:2]) for line in lines} == {("224.0.0.252", "1")}


def test_windows_syncs_its_clock_with_time_windows_com(office):
    path, truth = office
    ntp = [s for s in truth["sessions"].values() if s["type"] == "noise" and s["counts"].get("ntp")]
    assert ntp
    from forensics_kit.builder.world.dns_owners import owner_of

    assert owner_of("time.windows.com").name == "Microsoft"
    payloads = [p for p in _udp_payloads(path, 123)]
    assert payloads and payloads[0][0] == 0xDB  # W32Time: leap 3, NTPv3, client


def _udp_payloads(path, port: int) -> list[bytes]:
    from forensics_kit.net import read_frames

    out = []
    for frame in read_frames(path):
        data = frame.data
        if len(data) > 42 and data[23] == 17 and int.from_bytes(data[36:38], "big") == port:
            out.append(data[42:])
    return out


@pytest.fixture(scope="module")
def net01(tmp_path_factory):
    return build_case(DATASETS / "net-01.yaml", tmp_path_factory.mktemp("net-01"))


@needs_tshark
def test_net01_carries_a_windows_offices_background_that_tshark_dissects_cleanly(net01):
    capture = net01.artefacts["capture"]
    protocols = set(_tshark(capture, "-T", "fields", "-e", "frame.protocols"))
    seen = {p for line in protocols for p in line.split(":")}
    assert {"dns", "ntp", "http", "tls", "arp", "llmnr", "mdns", "nbns", "ssdp", "dhcp"} <= seen
    assert _tshark(capture, "-Y", "_ws.malformed") == []


def test_net01_background_keeps_the_workstation_the_only_dns_client_and_its_download_the_only_file(net01):
    capture = net01.artefacts["capture"]
    workstation = net01.truth["hosts"]["workstation"]["ip"]
    assert {m.src for m in dns_messages(capture) if not m.response and m.service == "dns"} == {workstation}
    ncsi = [t for t in http_transactions(capture) if t.uri == "/connecttest.txt"]
    browser = net01.truth["parameters"]["ua"]
    files = [t for t in http_transactions(capture) if t.user_agent == browser and t.content_type
             and not t.content_type.startswith(("text/", "image/"))]
    assert [t.frame for t in files] == [net01.truth["sessions"]["download"]["request_frame"]]
    assert [(t.user_agent, t.body) for t in ncsi] == [("Microsoft NCSI", b"Microsoft Connect Test")]
    hellos = {s.ja3 for s in tls_sessions(capture) if s.client == workstation}
    assert hellos  # its browser's HTTPS besides the webmail
