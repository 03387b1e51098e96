"""Our analyses against tshark run live on the captures generated for these tests."""

from __future__ import annotations

import pytest

from forensics_kit.net import dns_messages, flows, http_transactions, read_frames, summarize

from .expected_tables import CAPINFOS, TSHARK, parse_conv, run, tally, tshark_fields

NAMES = ["http", "dns", "vlan", "sll", "sll2", "raw", "ipv6", "nano", "big", "pcapng"]
# tshark 4.0 leaves out-of-order segments out of reassembly unless told otherwise.
OOO = ("-o", "tcp.reassemble_out_of_order:TRUE")

pytestmark = [
    pytest.mark.crosscheck,
    pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)"),
]


@pytest.mark.parametrize("name", NAMES)
def test_frames_lengths_and_times_match_tshark(captures, name):
    rows = tshark_fields(captures[name], ["frame.number", "frame.len", "frame.time_epoch"], "")
    theirs = []
    for number, length, epoch in rows:
        whole, _, frac = epoch.partition(".")
        theirs.append((int(number), int(length), int(whole) * 10**9 + int(frac.ljust(9, "0"))))
    assert [(f.number, f.length, f.ts_ns) for f in read_frames(captures[name])] == theirs


@pytest.mark.skipif(CAPINFOS is None, reason="capinfos is not installed")
@pytest.mark.parametrize("name", NAMES)
def test_summary_matches_capinfos(captures, name):
    out = run([CAPINFOS, "-M", "-c", "-d", "-T", "-r", str(captures[name])])
    _, packets, data_size = out.strip().split("\t")
    s = summarize(captures[name], with_hashes=False)
    assert (s.packets, s.bytes) == (int(packets), int(data_size))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("table", "protos", "ports"), [
    ("tcp", {"tcp"}, True), ("udp", {"udp"}, True), ("ip", None, False)])
def test_conversations_match_tshark(captures, name, table, protos, ports):
    theirs = tally(parse_conv(run([TSHARK, "-n", "-q", "-r", str(captures[name]),
                                   "-z", f"conv,{table}"])), ports)
    ours: dict = {}
    for f in flows(captures[name]):
        if (protos and f.proto not in protos) or (table == "ip" and ":" in f.src):
            continue
        key = frozenset(((f.src, f.sport if ports else None), (f.dst, f.dport if ports else None)))
        ours[key] = [ours.get(key, [0, 0])[0] + f.packets, ours.get(key, [0, 0])[1] + f.bytes]
    assert {k: v[:2] for k, v in theirs.items()} == ours


@pytest.mark.parametrize("name", ["dns", "http", "big"])
def test_dns_messages_match_tshark(captures, name):
    rows = tshark_fields(captures[name], ["frame.number", "dns.qry.name", "dns.flags.response"],
                         "dns")
    # tshark shows the planted looping name as a placeholder; we drop that message on purpose.
    looped = [int(n) for n, q, _ in rows if q == "<Name contains a pointer that loops>"]
    assert looped == ([5] if name == "dns" else [])
    theirs = [(int(n), q, r in ("1", "True")) for n, q, r in rows if int(n) not in looped]
    assert [(m.frame, m.qname, m.response) for m in dns_messages(captures[name])] == theirs


@pytest.mark.parametrize("name", ["http", "big", "dns"])
def test_http_requests_and_responses_match_tshark(captures, name):
    requests = tshark_fields(
        captures[name], ["frame.number", "http.request.method", "http.host", "http.request.uri"],
        "http.request", OOO)
    responses = tshark_fields(captures[name], ["frame.number", "http.request_in"],
                              "http.response", OOO)
    ours = list(http_transactions(captures[name]))
    assert [(t.frame, t.method, t.host, t.uri) for t in ours] == [
        (int(n), m, h, u) for n, m, h, u in requests]
    assert sorted((t.response_frame, t.frame) for t in ours if t.response_frame) == [
        (int(n), int(r)) for n, r in responses]
