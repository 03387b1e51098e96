"""IPv4 fragment reassembly: scapy-fragmented DNS and ICMP rebuild to the original, like tshark."""

from __future__ import annotations

import pytest
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import ICMP, IP, UDP, fragment
from scapy.layers.l2 import Ether

from forensics_kit.net.decode import decode
from forensics_kit.net.fragments import Ipv4Defragmenter, defragment
from forensics_kit.net.reader import CaptureReader

from .conftest import T0, write_pcap
from .expected_tables import TSHARK, tshark_fields

ETH = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
MS = 1_000_000


def big_dns_response() -> IP:
    answers = [DNSRR(rrname="big.example", type="TXT", rdata=["x" * 200 + str(i)]) for i in range(8)]
    return IP(src="10.0.0.53", dst="10.0.0.1", id=0x4242) / UDP(sport=53, dport=33333) / DNS(
        id=7, qr=1, qd=DNSQR(qname="big.example", qtype="TXT"), an=answers)


def big_ping() -> IP:
    return IP(src="10.0.0.1", dst="10.0.0.9", id=0x0777) / ICMP(type=8, id=1, seq=1) / (b"SECRET" * 700)


@pytest.fixture(scope="module")
def originals():
    return {"dns": bytes(big_dns_response()), "icmp": bytes(big_ping())}


@pytest.fixture(scope="module")
def frag_pcap(tmp_path_factory, originals):
    """Frames 1-3: DNS response in 3 fragments, the last two swapped (complete in frame 3);
    frame 4: an unfragmented UDP packet; frames 5-9: ICMP echo in 5 fragments (complete in 9)."""
    dns = fragment(big_dns_response(), fragsize=800)
    icmp = fragment(big_ping(), fragsize=1000)
    assert len(dns) == 3 and len(icmp) == 5
    plain = IP(src="10.0.0.1", dst="10.0.0.53") / UDP(sport=1, dport=2) / b"plain"
    packets = [dns[0], dns[2], dns[1], plain, *icmp]
    path = tmp_path_factory.mktemp("frag") / "frag.pcap"
    return write_pcap(path, [(T0 + i * MS, bytes(ETH / p)) for i, p in enumerate(packets)])


def _reassembled(path):
    return list(defragment(CaptureReader(path).records()))


def test_fragmented_dns_and_icmp_reassemble_to_the_original_datagrams(frag_pcap, originals):
    out = _reassembled(frag_pcap)
    assert [r[0] for r in out] == [3, 4, 9]
    assert out[0][4][14:] == originals["dns"]
    assert out[2][4][14:] == originals["icmp"]
    d = decode(1, out[0][4])
    assert (d[1], d[4], d[5], d[10]) == (17, 53, 33333, False)
    assert out[0][2] == 14 + len(originals["dns"])


def test_unfragmented_frames_pass_through_untouched(frag_pcap):
    out = _reassembled(frag_pcap)
    original = next(r for r in CaptureReader(frag_pcap).records() if r[0] == 4)
    assert out[1] == original


def test_overlapping_fragment_keeps_the_first_bytes():
    frag = Ipv4Defragmenter()
    head = bytes(IP(src="1.1.1.1", dst="2.2.2.2", id=5, proto=17, flags="MF", frag=0) / (b"A" * 16))
    evil = bytes(IP(src="1.1.1.1", dst="2.2.2.2", id=5, proto=17, flags="MF", frag=1) / (b"B" * 16))
    tail = bytes(IP(src="1.1.1.1", dst="2.2.2.2", id=5, proto=17, frag=3) / (b"C" * 8))
    assert frag.feed(head, 1, 1) is None and frag.feed(evil, 2, 2) is None
    datagram, frames = frag.feed(tail, 3, 3)
    assert datagram[20:] == b"A" * 16 + b"B" * 8 + b"C" * 8
    assert frames == [1, 2, 3] and frag.overlaps == 1


def test_incomplete_datagrams_time_out_and_memory_is_bounded():
    frag = Ipv4Defragmenter(timeout=30, max_datagrams=10)
    for i in range(50):
        piece = bytes(IP(src="1.1.1.1", dst="2.2.2.2", id=i, proto=17, flags="MF") / (b"x" * 8))
        frag.feed(piece, i * 1_000_000_000, i)
    assert frag.pending == 10 and frag.dropped == 40
    late = bytes(IP(src="1.1.1.1", dst="2.2.2.2", id=999, proto=17, flags="MF") / (b"x" * 8))
    frag.feed(late, 200 * 1_000_000_000, 99)
    assert frag.pending == 1


def test_garbage_fragments_are_ignored_not_fatal():
    frag = Ipv4Defragmenter()
    assert frag.feed(b"\x45\x00\x00", 0) is None
    bad = bytearray(bytes(IP(src="1.1.1.1", dst="2.2.2.2", flags="MF") / (b"x" * 7)))
    assert frag.feed(bytes(bad), 0) is None  # a middle fragment must be a multiple of 8 bytes


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_tshark_shows_the_reassembled_packets_at_the_same_frames(frag_pcap):
    dns = tshark_fields(frag_pcap, ["frame.number", "dns.qry.name", "dns.count.answers"], "dns")
    icmp = tshark_fields(frag_pcap, ["frame.number", "ip.fragment.count"], "icmp.type==8")
    out = _reassembled(frag_pcap)
    assert dns == [[str(out[0][0]), "big.example", "8"]]
    assert icmp == [[str(out[2][0]), "5"]]


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_dns_messages_read_a_fragmented_answer_whole_at_tshark_frame(frag_pcap):
    from forensics_kit.net import dns_messages

    dns = tshark_fields(frag_pcap, ["frame.number", "dns.qry.name", "dns.count.answers"], "dns")
    ours = [(str(m.frame), m.qname, str(len(m.answers))) for m in dns_messages(frag_pcap)]
    assert ours == [tuple(row) for row in dns]


FORM = b"user=officer&note=" + b"N" * 2600  # one TCP segment bigger than the link MTU


@pytest.fixture(scope="module")
def frag_http_pcap(tmp_path_factory):
    """An HTTP POST whose request segment travels in three IPv4 fragments (frames 4-6, the
    last two swapped); the handshake, the response and the close are whole frames."""
    from scapy.layers.inet import TCP

    c, s = ("10.0.0.5", 40000, 1000), ("10.0.0.80", 80, 5000)
    request = (b"POST /upload HTTP/1.1\r\nHost: files.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               b"Content-Length: %d\r\n\r\n" % len(FORM)) + FORM
    reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"

    def seg(src, dst, flags, seq, ack, payload=b"", ident=1):
        return IP(src=src[0], dst=dst[0], id=ident) / TCP(sport=src[1], dport=dst[1], flags=flags, seq=seq,
                                                         ack=ack, window=65535) / payload

    cseq, sseq = c[2] + 1, s[2] + 1
    post = fragment(seg(c, s, "PA", cseq, sseq, request, ident=0x5151), fragsize=1200)
    assert len(post) == 3
    packets = [
        seg(c, s, "S", c[2], 0), seg(s, c, "SA", s[2], cseq), seg(c, s, "A", cseq, sseq),
        post[0], post[2], post[1],
        seg(s, c, "PA", sseq, cseq + len(request), reply),
        seg(c, s, "FA", cseq + len(request), sseq + len(reply)),
        seg(s, c, "FA", sseq + len(reply), cseq + len(request) + 1),
        seg(c, s, "A", cseq + len(request) + 1, sseq + len(reply) + 1),
    ]
    path = tmp_path_factory.mktemp("fraghttp") / "frag-http.pcap"
    return write_pcap(path, [(T0 + i * MS, bytes(ETH / p)) for i, p in enumerate(packets)])


def test_http_request_in_ip_fragments_is_read_whole_at_the_completing_frame(frag_http_pcap):
    from forensics_kit.net import http_transactions

    (t,) = list(http_transactions(frag_http_pcap))
    assert (t.method, t.uri, t.frame, t.status) == ("POST", "/upload", 6, 200)
    assert t.request_body == FORM


def test_tcp_stream_over_ip_fragments_follows_whole(frag_http_pcap):
    from forensics_kit.net import follow_stream, tcp_streams

    (info,) = tcp_streams(frag_http_pcap)
    assert info.packets == 8  # the three fragments are one TCP segment, as tshark counts tcp.stream frames
    client_bytes = b"".join(s.data for s in follow_stream(frag_http_pcap, 0) if s.direction == "c2s")
    assert client_bytes.endswith(FORM)


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_http_over_ip_fragments_matches_tshark(frag_http_pcap):
    from forensics_kit.net import http_transactions, tcp_streams

    rows = tshark_fields(frag_http_pcap, ["frame.number", "http.request.method", "http.request.uri",
                                          "http.content_length"], "http.request")
    ours = [[str(t.frame), t.method, t.uri, str(len(t.request_body))] for t in http_transactions(frag_http_pcap)]
    assert ours == rows
    frames = tshark_fields(frag_http_pcap, ["frame.number"], "tcp.stream==0")
    assert tcp_streams(frag_http_pcap)[0].packets == len(frames)
