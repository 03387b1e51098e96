"""Beaconing and DNS-tunnel detectors on captures made by the project's traffic generator."""

from __future__ import annotations

import base64
import hashlib
import random
import statistics

import pytest

from forensics_kit.builder.traffic import Capture
from forensics_kit.net.detect import detect
from forensics_kit.net.detect.dnstunnel import registered_domain

from .expected_tables import TSHARK, tshark_fields

START = 1_709_287_200.0
UA = "Mozilla/5.0"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """An implant polling http://c2.example/task every 60 s +/- 3 s (10 times), a user browsing
    irregularly, a client asking a resolver for 40 base32 names under t.exfil.example (TXT),
    and ordinary lookups."""
    rng = random.Random(7)
    cap = Capture(start=START, seed=3)
    cap.add_host("pc", "10.0.0.10")
    cap.add_host("user", "10.0.0.11")
    cap.add_host("c2", "198.51.100.7")
    cap.add_host("web", "203.0.113.5")
    cap.add_host("dns", "10.0.0.53")
    beats = []
    for i in range(10):
        at = 10 + i * 60 + rng.uniform(-3, 3)
        beats.append(cap.http_get("pc", "c2", host="c2.example", uri=f"/task?id={i}", body=b"sleep",
                                  content_type="text/plain", at=at, user_agent=UA))
    for at in (5, 7, 50, 51, 52, 200, 420, 425):
        cap.http_get("user", "web", host="news.example", uri="/", body=b"<html/>", content_type="text/html",
                     at=at, user_agent=UA)
    secret = hashlib.sha256(b"x").digest() * 40
    chunks = [base64.b32encode(secret[i * 30 : i * 30 + 30]).decode().rstrip("=").lower() for i in range(40)]
    tunnel = [cap.dns_lookup("user", "dns", f"{c[:40]}.{c[40:]}.{i}.t.exfil.example", ["ok"], qtype="TXT",
                             at=300 + i * 0.5) for i, c in enumerate(chunks)]
    for i, name in enumerate(("www.example.org", "mail.example.org", "example.org")):
        cap.dns_lookup("pc", "dns", name, ["192.0.2.1"], at=2 + i)
    path = tmp_path_factory.mktemp("gen") / "gen.pcap"
    truth = cap.write(path)
    return path, truth, beats, tunnel, chunks


def test_http_beacon_interval_jitter_count_and_frames(generated):
    path, truth, beats, _, _ = generated
    found = [f for f in detect(path, ["beacon"]) if f.kind == "beaconing"]
    assert len(found) == 1  # the TCP view of the same implant is folded into the HTTP one
    f = found[0]
    frames = [truth["sessions"][b]["request_frame"] for b in beats]
    assert (f.source, f.targets, f.frames, f.frame_count) == ("10.0.0.10", ["198.51.100.7"], frames, 10)
    assert f.numbers["channel"] == "http" and "http://c2.example/task" in f.summary
    times = [truth["sessions"][b]["time"] for b in beats]
    assert (f.first, f.last) == (times[0], times[-1])
    assert 55 < f.numbers["interval_s"] < 65 and f.numbers["jitter_pct"] < 10


def test_irregular_browsing_is_not_a_beacon(generated):
    assert all(f.source != "10.0.0.11" for f in detect(generated[0], ["beacon"]))


def test_beacon_needs_min_count_events(generated):
    assert detect(generated[0], ["beacon"], {"beacon.min_count": 11}) == []


def test_dns_tunnel_reports_domain_names_bytes_and_entropy(generated):
    path, truth, _, tunnel, chunks = generated
    found = detect(path, ["dnstunnel"])
    assert len(found) == 1
    f = found[0]
    n = f.numbers
    assert (f.source, f.targets, f.kind) == ("10.0.0.11", ["exfil.example"], "dns-tunnel")
    assert (n["queries"], n["unique_names"], n["txt_null_queries"]) == (40, 40, 40)
    assert n["bytes"] == sum(len(c) + len(str(i)) + 1 for i, c in enumerate(chunks))  # data labels + index + "t"
    assert n["entropy"] > 4.0 and n["longest_label"] == 40
    assert f.frames == [truth["sessions"][s]["query_frame"] for s in tunnel][:20] and f.frame_count == 40


def test_registered_domain_handles_country_second_levels():
    assert registered_domain("a.b.evil.co.uk") == ("a.b", "evil.co.uk")
    assert registered_domain("x.example.com") == ("x", "example.com")


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_beacon_and_tunnel_frames_match_tshark(generated):
    path = generated[0]
    found = {f.kind: f for f in detect(path, ["beacon", "dnstunnel"])}
    rows = tshark_fields(path, ["frame.number"], 'http.request && http.host == "c2.example"')
    assert [int(r[0]) for r in rows] == found["beaconing"].frames
    rows = tshark_fields(path, ["frame.number", "dns.qry.name.len"],
                         'dns.flags.response == 0 && dns.qry.name contains "exfil.example"')
    assert [int(r[0]) for r in rows][:20] == found["dns-tunnel"].frames
    # DATA40.DATA8.i.t.exfil.example: the bytes counted are the letters left of exfil.example (4 dots off)
    assert sum(int(r[1]) - len("exfil.example") - 4 for r in rows) == found["dns-tunnel"].numbers["bytes"]
    times = [float(r[0]) for r in tshark_fields(path, ["frame.time_epoch"], 'http.host == "c2.example"')]
    intervals = [b - a for a, b in zip(times, times[1:], strict=False)]
    n = found["beaconing"].numbers
    assert statistics.median(intervals) == pytest.approx(n["median_interval_s"], abs=0.001)
    # the one jitter: (longest - shortest) / 2 / mean, the mean being first to last over the intervals
    mean = (times[-1] - times[0]) / len(intervals)
    assert n["interval_s"] == pytest.approx(mean, abs=0.001)
    assert n["jitter_pct"] == pytest.approx((max(intervals) - min(intervals)) / 2 / mean * 100, abs=0.05)


def _judged(times_s: list[float], **options) -> bool:
    """Whether the beacon detector calls one series of event times (seconds) a beacon."""
    from forensics_kit.net.detect.beacon import Beacon, _Series

    detector, series = Beacon(**options), _Series("198.51.100.7:80")
    for number, t in enumerate(times_s, 1):
        series.times.append(int(t * 1e9))
        series.evidence.add(number)
    return detector._judge(("tcp", "10.0.0.10", "198.51.100.7", 80), series) is not None


def _poisson(rng: random.Random, events: int, mean_s: float) -> list[float]:
    t, times = 0.0, []
    for _ in range(events):
        t += rng.expovariate(1 / mean_s)
        times.append(t)
    return times


def test_random_repeats_are_seldom_beacons_while_jittered_beacons_are():
    rng = random.Random(11)
    random_series = [_poisson(rng, 8, 60) for _ in range(1000)]
    assert sum(_judged(s) for s in random_series) == 0
    assert sum(_judged(s, max_jitter=0.5) for s in random_series) <= 15  # ~0.6 %
    for _ in range(50):
        intervals = [60 * (1 + rng.uniform(-0.35, 0.35)) for _ in range(27)]
        times = [sum(intervals[:i]) for i in range(28)]
        assert _judged(times, max_jitter=0.5)
        small = [60 * (1 + rng.uniform(-0.15, 0.15)) for _ in range(9)]
        assert _judged([sum(small[:i]) for i in range(10)])


def test_a_missed_beat_raises_the_jitter_as_defined():
    intervals = [60.0] * 9
    intervals[4] = 120.0  # one beat missed: (120 - 60) / 2 / 66.7 = 45 %
    times = [sum(intervals[:i]) for i in range(10)]
    assert not _judged(times) and _judged(times, max_jitter=0.5)


def test_repeats_every_two_seconds_are_a_burst_not_a_beacon():
    attempts = [2.0 * i for i in range(30)]  # a brute force: one new connection every 2 s
    assert not _judged(attempts)
    assert _judged(attempts, min_interval=1.0)


def test_cli_shows_findings_in_russian_and_keeps_json_in_english(generated):
    from click.testing import CliRunner

    from forensics_kit.cli.main import cli

    path = str(generated[0])
    russian = CliRunner().invoke(cli, ["--lang", "ru", "net", "detect", path, "--only", "beacon,dnstunnel"])
    assert russian.exit_code == 0, russian.output
    flat = " ".join(russian.stdout.split())
    assert "обращается к" in flat and "DNS-туннель?" in flat and "beacons to" not in flat
    machine = CliRunner().invoke(cli, ["--lang", "ru", "net", "detect", path, "--only", "beacon", "--json"])
    assert "beacons to" in machine.stdout  # JSON is for programs: its summary stays English
