"""The detector registry, options and the ``fklab net detect`` / ``fklab net tls`` commands."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from shared_corpus import corpus_files

from forensics_kit.cli.main import cli
from forensics_kit.net.detect import DetectError, Detector, Finding, detect, make_detectors

from .conftest import T0, write_pcap
from .test_detect_scan import scan_frames
from .test_tls import tls_frames


@pytest.fixture(scope="module")
def scan_pcap(tmp_path_factory):
    path = tmp_path_factory.mktemp("runner") / "scan.pcap"
    return write_pcap(path, [(T0 + i * 10_000_000, f) for i, f in enumerate(scan_frames())])


def test_every_detector_is_registered_with_typed_defaults():
    assert set(Detector.registry) >= {"scan", "bruteforce", "beacon", "dnstunnel", "arpspoof", "icmpexfil"}
    for cls in Detector.registry.values():
        assert cls.__doc__ and cls.options and all(isinstance(v, (int, float)) for v in cls.options.values())


def test_unknown_detector_or_option_names_the_known_ones():
    with pytest.raises(DetectError, match=r"unknown detector 'scna' \(known: arpspoof, beacon"):
        make_detectors(["scna"])
    with pytest.raises(DetectError, match="unknown option beacon.min_cnt .*beacon.min_count"):
        make_detectors(["beacon"], {"beacon.min_cnt": 3})
    with pytest.raises(DetectError, match="not a int"):
        make_detectors(["beacon"], {"beacon.min_count": "many"})
    with pytest.raises(DetectError, match="not selected"):
        make_detectors(["scan"], {"beacon.min_count": 3})


def test_text_options_are_converted_to_the_default_type():
    beacon = make_detectors(["beacon"], {"beacon.min_count": "5", "beacon.max_jitter": "0.1"})[0]
    assert beacon.opt["min_count"] == 5 and beacon.opt["max_jitter"] == 0.1


def test_findings_are_json_ready_and_progress_is_reported(scan_pcap):
    calls = []
    findings = detect(scan_pcap, progress=lambda *a: calls.append(a))
    assert findings and all(isinstance(f, Finding) for f in findings)
    record = json.loads(json.dumps(findings[0].to_dict()))
    assert {"kind", "summary", "source", "targets", "numbers", "frames", "frame_count", "detector"} <= set(record)


def test_cli_detect_json_only_and_set(scan_pcap):
    runner = CliRunner()
    out = runner.invoke(cli, ["net", "detect", str(scan_pcap), "--only", "scan", "--json"])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert {r["source"] for r in rows} == {"10.0.0.66", "10.0.0.77"}
    out = runner.invoke(cli, ["net", "detect", str(scan_pcap), "--only", "scan", "--set", "scan.min_hosts=21",
                              "--json"])
    assert [json.loads(line)["source"] for line in out.output.splitlines()] == ["10.0.0.66"]
    bad = runner.invoke(cli, ["net", "detect", str(scan_pcap), "--only", "nope"])
    assert bad.exit_code == 1 and "unknown detector 'nope'" in bad.output and "Traceback" not in bad.output


def test_cli_tls_lists_sessions(tmp_path):
    pcap = write_pcap(tmp_path / "tls.pcap", [(T0 + i * 1_000_000, f) for i, f in enumerate(tls_frames())])
    out = CliRunner().invoke(cli, ["net", "tls", str(pcap), "--json"])
    assert out.exit_code == 0, out.output
    assert [json.loads(line)["sni"] for line in out.output.splitlines()] == ["evil.example", "tls13.example"]
    missing = CliRunner().invoke(cli, ["net", "tls", str(tmp_path / "none.pcap")])
    assert missing.exit_code == 1 and "no such file" in missing.output


def test_mutated_frames_and_hostile_corpus_give_results_not_tracebacks(tmp_path):
    import random

    from forensics_kit.errors import EvidenceError
    from forensics_kit.net.tls import tls_sessions

    from .test_detect_arp_icmp import arp_frames, icmp_frames
    from .test_detect_bruteforce import ftp, http, telnet

    rng = random.Random(5)
    frames = []
    for frame in (scan_frames() + tls_frames() + ftp() + telnet() + http() + arp_frames() + icmp_frames()) * 2:
        data = bytearray(frame)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(14, len(data))] = rng.randrange(256)
        frames.append(bytes(data[: rng.randint(10, len(data))]))
    pcap = write_pcap(tmp_path / "mutated.pcap", [(T0 + i * 1_000_000, f) for i, f in enumerate(frames)])
    assert isinstance(detect(pcap), list) and isinstance(tls_sessions(pcap), list)
    for path in corpus_files("pcaps-malformed", pattern="*/*"):
        try:
            detect(path)
            tls_sessions(path)
        except EvidenceError:
            pass
