"""Cross-checks on the shared corpus: every capture, against tshark's stored answers.

Captures we did not make (tcpdump, scapy and plaso test data) must read the
same as tshark 4.0 reads them. Where tshark dissects something we
deliberately do not, the case is an xfail whose reason says exactly what.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from shared_corpus import ROOT as CORPUS
from shared_corpus import corpus_files, skip_unless

from forensics_kit.hashing import hash_file
from forensics_kit.net import dns_messages, flows, http_transactions, read_frames, summarize, tls_sessions

from .expected_tables import bytes_match, capinfos_field, parse_conv, tally

PCAPS = corpus_files("pcaps", pattern="*/*")
IDS = [str(p.relative_to(CORPUS / "pcaps")) for p in PCAPS]

# (test name, capture) -> why tshark's answer differs from ours on purpose. Empty today:
# every capture in the corpus agrees; add entries here rather than loosening a check.
KNOWN: dict[tuple[str, str], str] = {}

pytestmark = [
    pytest.mark.crosscheck,
    skip_unless("pcaps"),
]


def _expected(path: Path, what: str) -> str:
    text = (CORPUS / "expected" / path.relative_to(CORPUS)).with_name(f"{path.name}.{what}.txt")
    content = text.read_text()
    if content.startswith("# FAILED"):
        pytest.skip(f"tshark itself failed on this file ({content.splitlines()[1][:80]})")
    return content


def _known(request, path: Path) -> None:
    reason = KNOWN.get((request.node.originalname, str(path.relative_to(CORPUS / "pcaps"))))
    if reason:
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture(params=PCAPS, ids=IDS)
def pcap(request) -> Path:
    _known(request, request.param)
    return request.param


def test_packet_count_data_size_and_times_match_capinfos(pcap):
    info = _expected(pcap, "capinfos")
    s = summarize(pcap, with_hashes=False)
    assert s.packets == int(_expected(pcap, "count").split("\t")[1])
    size, unit = capinfos_field(info, "Data size").split()
    assert bytes_match(s.bytes, (int(size), {"bytes": 1, "kB": 1000, "MB": 10**6}[unit]))
    for ours, name in ((s.first_ns, "First packet time"), (s.last_ns, "Last packet time")):
        theirs = capinfos_field(info, name)
        if theirs == "n/a":
            assert ours is None
            continue
        digits = len(theirs.rpartition(".")[2])
        stamp = dt.datetime.fromtimestamp(ours // 10**9, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        assert f"{stamp}.{ours % 10**9:09d}"[: len(theirs)] == theirs, name
        assert digits in (6, 9)


def test_every_frame_has_tsharks_length_and_time(pcap):
    rows = [line.split("\t") for line in _expected(pcap, "frames").splitlines() if line]
    ours = [(str(f.number), str(f.length), str(f.caplen), f.ts_ns) for f in read_frames(pcap)]
    theirs = []
    for number, length, caplen, epoch, *_ in rows:
        whole, _, frac = epoch.partition(".")
        theirs.append((number, length, caplen, int(whole) * 10**9 + int(frac.ljust(9, "0")[:9])))
    assert ours == theirs


def test_dns_queries_match_tshark(pcap):
    rows = [line.split("\t") for line in _expected(pcap, "dns_queries").splitlines() if line]
    theirs = [(int(r[0]), r[1].split(",") if len(r) > 1 and r[1] else []) for r in rows]
    ours = [(m.frame, [name for name, _ in m.queries]) for m in dns_messages(pcap) if not m.response]
    assert ours == theirs  # every question of each query, as tshark lists dns.qry.name


def test_tls_server_names_match_tshark(pcap):
    rows = [line.split("\t") for line in _expected(pcap, "tls_sni").splitlines() if line]
    theirs = [(int(r[0]), r[1]) for r in rows]
    assert [(s.frame, s.sni) for s in tls_sessions(pcap) if s.sni] == theirs


def test_http_requests_match_tshark(pcap):
    rows = [line.split("\t") for line in _expected(pcap, "http_requests").splitlines() if line]
    theirs = [(int(r[0]), r[1], r[2], r[3]) for r in rows]
    ours = [(t.frame, t.method, t.host or "", t.uri) for t in http_transactions(pcap)]
    assert ours == theirs


def _our_tally(pcap: Path, protos: set[str] | None, with_ports: bool) -> dict:
    out: dict = {}
    for f in flows(pcap):
        if protos is not None and f.proto not in protos:
            continue
        a = (f.src, f.sport if with_ports else None)
        b = (f.dst, f.dport if with_ports else None)
        key = frozenset((a, b))
        counts = out.setdefault(key, [0, 0])
        counts[0] += f.packets
        counts[1] += f.bytes
    return out


@pytest.mark.parametrize(("table", "protos", "with_ports"), [
    ("conv_tcp", {"tcp"}, True), ("conv_udp", {"udp"}, True), ("conv_ip", None, False)],
    ids=["tcp", "udp", "ip"])
def test_conversations_match_tshark(pcap, table, protos, with_ports):
    theirs = tally(parse_conv(_expected(pcap, table)), with_ports)
    ours = _our_tally(pcap, protos, with_ports)
    if table == "conv_ip":  # tshark's IP table is IPv4 only
        ours = {k: v for k, v in ours.items() if all(":" not in a for a, _ in k)}
    assert set(ours) == set(theirs)
    for key, (frames, size, unit) in theirs.items():
        assert ours[key][0] == frames, key
        assert bytes_match(ours[key][1], (size, unit)), key


def test_first_sender_is_tsharks_address_a(pcap):
    rows = parse_conv(_expected(pcap, "conv_tcp")) + parse_conv(_expected(pcap, "conv_udp"))
    ours = {((f.src, f.sport), (f.dst, f.dport)): f for f in flows(pcap)}
    for row in rows:
        a, _, ap = row["a"].rpartition(":")
        b, _, bp = row["b"].rpartition(":")
        flow = ours.get(((a, int(ap)), (b, int(bp))))
        assert flow is not None, row
        assert flow.packets_ab >= row["frames_ab"] and flow.packets_ba >= row["frames_ba"]


def test_reading_leaves_the_evidence_untouched(pcap):
    expected = _expected(pcap, "sha256").split()[0]
    for analysis in (summarize, flows, lambda p: list(dns_messages(p)),
                     lambda p: list(http_transactions(p))):
        analysis(pcap)
    assert hash_file(pcap)["sha256"] == expected
