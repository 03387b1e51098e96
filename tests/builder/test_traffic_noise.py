"""Background noise: the asked rate, clean dissection, determinism, and other sessions' truth intact."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from forensics_kit.builder import build_case
from forensics_kit.builder.traffic import Capture
from forensics_kit.errors import RecipeError

START = 1709287200.0  # 2024-03-01T10:00:00Z
UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/123.0"
RATE, SPAN = 8.0, 60.0

needs_tshark = pytest.mark.skipif(shutil.which("tshark") is None,
                                  reason="tshark is not installed (apt-get install tshark)")


def _tshark(path: Path, *args: str) -> list[list[str]]:
    out = subprocess.run(["tshark", "-n", "-r", str(path), *args], capture_output=True,
                         text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def _noisy(seed: int = 5, **noise) -> Capture:
    """A DNS lookup and a download in the middle of a minute of noise (noise declared first)."""
    cap = Capture(start=START, seed=seed)
    cap.add_host("ws", "192.168.1.23")
    cap.add_host("resolver", "192.168.1.1")
    cap.add_host("web", "93.184.216.34", mac=None)
    cap.noise(start=0, duration=SPAN, rate_per_s=RATE, resolver="resolver", id="noise", **noise)
    cap.dns_lookup("ws", "resolver", "files.example.com", ["93.184.216.34"], at=30.0, id="lookup")
    cap.http_get("ws", "web", host="files.example.com", uri="/report.zip", body=bytes(range(256)) * 80,
                 content_type="application/zip", at=30.2, user_agent=UA, sport=40000, id="download")
    return cap


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    path = tmp_path_factory.mktemp("noise") / "noisy.pcap"
    return path, _noisy().write(path)


def test_noise_makes_the_asked_number_of_exchanges_over_its_span(noisy) -> None:
    _, truth = noisy
    noise = truth["sessions"]["noise"]
    assert abs(noise["exchanges"] / SPAN - RATE) <= 0.15 * RATE
    assert sum(noise["counts"].values()) == noise["exchanges"]
    assert all(noise["counts"][kind] > 0 for kind in ("dns", "http", "tls", "ntp", "arp", "netbios", "mdns", "ssdp"))
    # an HTTPS visit started near the end closes a few seconds later (the browser's close_notify)
    assert noise["time"] >= "2024-03-01T10:00:00" and noise["last_time"] < "2024-03-01T10:01:10"


@needs_tshark
def test_tshark_counts_the_asked_rate_of_exchanges(noisy) -> None:
    path, truth = noisy
    starts = ("(dns.flags.response == 0) or (http.request and not ssdp) or ntp.flags.mode == 3 "
              "or arp.opcode == 1 or nbns.flags.response == 0 or ssdp or tls.handshake.type == 1 "
              "or dhcp.option.dhcp == 3")  # LLMNR and mDNS queries are DNS queries to tshark
    found = len(_tshark(path, "-Y", f"({starts}) and frame.time_relative <= {SPAN}"))
    found -= 2  # the case's own DNS query and GET
    assert abs(found / SPAN - RATE) <= 0.15 * RATE
    assert found == truth["sessions"]["noise"]["exchanges"]


@needs_tshark
def test_noise_dissects_without_malformed_packets_or_warnings(noisy) -> None:
    path, _ = noisy
    assert _tshark(path, "-Y", "_ws.malformed or _ws.expert.severity >= warning") == []
    protocols = {row[0] for row in _tshark(path, "-T", "fields", "-e", "frame.protocols")}
    for name in ("dns", "http", "tls", "ntp", "arp", "nbns", "mdns", "ssdp"):
        assert any(f":{name}" in p or p.endswith(name) for p in protocols), name


def test_noise_is_byte_identical_for_equal_inputs_and_follows_the_seed(tmp_path: Path) -> None:
    truth_a = _noisy().write(tmp_path / "a.pcap")
    truth_b = _noisy().write(tmp_path / "b.pcap")
    assert (tmp_path / "a.pcap").read_bytes() == (tmp_path / "b.pcap").read_bytes()
    assert truth_a == truth_b
    _noisy(seed=6).write(tmp_path / "c.pcap")
    assert (tmp_path / "c.pcap").read_bytes() != (tmp_path / "a.pcap").read_bytes()


@needs_tshark
def test_case_sessions_truth_frames_stay_right_in_a_noisy_capture(noisy) -> None:
    path, truth = noisy
    dns, http = truth["sessions"]["lookup"], truth["sessions"]["download"]
    assert dns["query_frame"] > 100 and http["tcp_stream"] > 0  # noise came first and shifted the numbers
    wanted = (dns["query_frame"], dns["response_frame"], http["request_frame"], http["response_frame"])
    fields = ("frame.number", "dns.qry.name", "dns.id", "dns.flags.response", "dns.a", "http.request.uri",
              "http.response.code", "tcp.stream", "tcp.srcport")
    numbers = " or ".join(f"frame.number == {n}" for n in wanted)
    rows = _tshark(path, "-Y", f"{numbers} or tcp.stream == {http['tcp_stream']}",
                   "-T", "fields", *(arg for f in fields for arg in ("-e", f)))
    by_number = {int(row[0]): row[1:] for row in rows}
    query, response = by_number[dns["query_frame"]], by_number[dns["response_frame"]]
    assert query[:3] == ["files.example.com", f"0x{dns['transaction_id']:04x}", "0"]
    assert response[2:4] == ["1", "93.184.216.34"]
    stream = str(http["tcp_stream"])
    assert by_number[http["request_frame"]][4:] == ["/report.zip", "", stream, "40000"]
    assert by_number[http["response_frame"]][5:7] == ["200", stream]
    in_stream = [n for n, row in by_number.items() if row[6] == stream]
    assert [min(in_stream), max(in_stream)] == http["frames"]


def test_noise_keeps_to_the_asked_kinds_and_hosts(tmp_path: Path) -> None:
    truth = _noisy(kinds=["arp", "ntp"], extra_hosts=0).write(tmp_path / "n.pcap")
    noise = truth["sessions"]["noise"]
    assert set(noise["counts"]) == {"arp", "ntp"} and noise["generated_hosts"] == {}


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"kinds": ["smb"]}, "unknown noise kind 'smb'"),
    ({"rate_per_s": 0}, "positive duration and rate"),
    ({"hosts": ["nobody"]}, "unknown noise host 'nobody'"),
])
def test_bad_noise_arguments_are_recipe_errors(kwargs: dict, problem: str) -> None:
    cap = Capture(start=START, seed=1)
    cap.add_host("ws", "192.168.1.23")
    with pytest.raises(RecipeError, match=problem):
        cap.noise(**{"start": 0, "duration": 10, "rate_per_s": 1, **kwargs})


RECIPE = """
case: net-noise
title: {en: "Noise", ru: "Шум"}
seed: 3
window: {start: "2024-03-01T00:00:00Z", end: "2024-04-01T00:00:00Z"}
evidence:
  - id: capture
    type: pcap
    file: capture.pcap
    start: "2024-03-04T09:00:00Z"
    hosts:
      ws: {ip: "192.168.1.23"}
      gw: {ip: "192.168.1.1"}
    sessions:
      - {id: lookup, type: dns, client: ws, server: gw, qname: "intranet.example", answers: ["192.168.1.5"], at: 5}
      - {id: background, type: noise, at: 0, duration: "30s", rate: 4, resolver: gw, kinds: [dns, arp, mdns]}
"""


def test_recipe_noise_session_builds_and_reports_its_counts(tmp_path: Path) -> None:
    recipe = tmp_path / "net-noise.yaml"
    recipe.write_text(RECIPE, encoding="utf-8")
    result = build_case(recipe, tmp_path / "build")
    noise = result.truth["sessions"]["background"]
    assert noise["exchanges"] == 120 and set(noise["counts"]) == {"dns", "arp", "mdns"}
    assert result.truth["sessions"]["lookup"]["qname"] == "intranet.example"


def test_recipe_noise_with_an_unknown_kind_is_rejected(tmp_path: Path) -> None:
    recipe = tmp_path / "net-noise.yaml"
    recipe.write_text(RECIPE.replace("kinds: [dns, arp, mdns]", "kinds: [dns, smb]"), encoding="utf-8")
    with pytest.raises(RecipeError, match="smb"):
        build_case(recipe, tmp_path / "build")


def test_noise_can_resolve_through_a_lan_server_and_leave_through_a_router(tmp_path: Path) -> None:
    from forensics_kit.net import dns_messages, http_transactions
    from forensics_kit.net.reader import CaptureReader

    cap = Capture(start=START, seed=4)
    cap.add_host("ws", "192.168.1.23")
    cap.add_host("dc", "192.168.1.10", mac="00:11:22:33:44:10")
    cap.add_host("router", "192.168.1.1", mac="00:11:22:33:44:01")
    cap.noise(start=0, duration=SPAN, rate_per_s=RATE, resolver="dc", gateway="router", kinds=["dns", "http"],
              extra_hosts=0, id="noise")
    path = tmp_path / "split.pcap"
    cap.write(path)
    lookups = [m for m in dns_messages(path) if not m.response]
    assert {m.dst for m in lookups if m.src != "192.168.1.10"} == {"192.168.1.10"}  # lookups go to the DC
    forwarded = [m for m in lookups if m.src == "192.168.1.10"]  # which asks upstream once per name
    assert forwarded and {m.dst for m in forwarded} == {"1.1.1.1"}
    assert len({m.qname for m in forwarded}) == len(forwarded) == len({m.qname for m in lookups})
    web = list(http_transactions(path))
    assert web and all(not t.dst.startswith("192.168.1.") for t in web)
    router_mac, dc_mac = bytes.fromhex("001122334401"), bytes.fromhex("001122334410")
    to_web = {t.frame for t in web}
    for number, _, _, _, data, _ in CaptureReader(path).records():
        if number in to_web:
            assert data[:6] == router_mac and data[:6] != dc_mac  # Internet traffic leaves through the router


def test_noise_gateway_off_the_lan_is_a_recipe_error(tmp_path: Path) -> None:
    cap = Capture(start=START, seed=1)
    cap.add_host("ws", "192.168.1.23")
    cap.add_host("far", "10.9.9.9")
    cap.noise(["ws"], start=0, duration=10, rate_per_s=1, gateway="far", id="noise")
    with pytest.raises(RecipeError, match="gateway 10.9.9.9 is not on the noise LAN 192.168.1.0/24"):
        cap.write(tmp_path / "never.pcap")


def test_recipe_noise_gateway_must_name_a_host(tmp_path: Path) -> None:
    recipe = tmp_path / "net-noise.yaml"
    recipe.write_text(RECIPE.replace("resolver: gw", "resolver: gw, gateway: nobody"), encoding="utf-8")
    with pytest.raises(RecipeError, match="gateway: unknown host 'nobody'"):
        build_case(recipe, tmp_path / "build")
