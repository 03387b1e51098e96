"""summarize, flows, DNS and HTTP on the generated captures, checked against what was planted."""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from forensics_kit.net import (
    dns_messages,
    flows,
    http_transactions,
    parse_message,
    read_frames,
    summarize,
)
from forensics_kit.net.dns_wire import DnsFormatError, read_name
from forensics_kit.net.http_wire import BodyReader, decode_content

from .conftest import CLIENT, REPORT_TEXT, SERVER, T0


def test_summary_counts_original_lengths_and_times(captures):
    s = summarize(captures["http"])
    assert s.packets == 18
    assert s.bytes == s.captured_bytes == sum(len(f.data) for f in read_frames(captures["http"]))
    assert s.first_time == "2024-03-01T10:00:00Z"
    assert s.last_time == "2024-03-01T10:00:00.17Z"
    assert s.duration == pytest.approx(0.17)
    assert s.linktypes == {"ethernet": 18}
    assert s.protocols["tcp"]["packets"] == 18 and s.protocols["http"]["packets"] == 18
    assert s.top_talkers[0]["address"] in (CLIENT, SERVER)
    assert s.hashes["sha256"] == hashlib.sha256(captures["http"].read_bytes()).hexdigest()
    json.dumps(s.to_dict())


def test_summary_of_empty_capture_has_no_times(tmp_path):
    from .conftest import write_pcap

    s = summarize(write_pcap(tmp_path / "empty.pcap", []))
    assert (s.packets, s.bytes, s.first_time, s.last_time, s.duration) == (0, 0, None, None, 0.0)


def test_flows_have_one_record_per_connection_with_first_sender_as_src(captures):
    result = flows(captures["http"])
    assert [(f.proto, f.src, f.sport, f.dst, f.dport) for f in result] == [
        ("tcp", CLIENT, 40000, SERVER, 80), ("tcp", CLIENT, 40001, SERVER, 8080)]
    first = result[0]
    assert (first.packets, first.packets_ab, first.packets_ba) == (12, 5, 7)
    assert first.bytes == first.bytes_ab + first.bytes_ba
    assert first.start == "2024-03-01T10:00:00Z" and first.duration == pytest.approx(0.11)
    assert set(first.to_dict()) >= {"proto", "src", "sport", "dst", "dport", "packets", "bytes",
                                   "start", "duration"}


def test_udp_flows_group_both_directions_and_ipv6(captures):
    result = {(f.src, f.sport, f.dst, f.dport): f for f in flows(captures["dns"])}
    assert result[(CLIENT, 33333, "10.0.0.53", 53)].packets == 2
    assert result[("2001:db8::10", 44444, "2001:db8::53", 53)].packets_ba == 1


def test_flow_list_behaves_as_a_list_of_the_same_flows(captures):
    result = flows(captures["dns"])
    as_list = list(result)
    assert result == as_list and len(result) == len(as_list) > 2
    assert result[-1] == as_list[-1] and result[1:3] == as_list[1:3]
    assert [f.first_frame for f in result] == sorted(f.first_frame for f in as_list)
    with pytest.raises(IndexError):
        result[len(result)]


def test_flows_keep_self_talk_and_portless_fragments_apart(tmp_path):
    from .conftest import write_pcap

    frames = [
        Ether() / IP(src=CLIENT, dst=CLIENT) / UDP(sport=7, dport=7) / b"x",
        Ether() / IP(src=CLIENT, dst=CLIENT) / UDP(sport=7, dport=7) / b"y",
        Ether() / IP(src=SERVER, dst=CLIENT, proto=17, frag=10) / b"tail",
        Ether() / IP(src=CLIENT, dst=SERVER) / UDP(sport=9, dport=5) / b"z",
        Ether() / IP(src=SERVER, dst=CLIENT) / UDP(sport=5, dport=9) / b"z",
    ]
    path = write_pcap(tmp_path / "mixed.pcap", [(T0 + i, bytes(f)) for i, f in enumerate(frames)])
    got = [(f.src, f.sport, f.dst, f.dport, f.packets_ab, f.packets_ba) for f in flows(path)]
    assert got == [(CLIENT, 7, CLIENT, 7, 2, 0), (SERVER, None, CLIENT, None, 1, 0),
                   (CLIENT, 9, SERVER, 5, 1, 1)]


def test_dns_udp_and_tcp_messages_with_answers_as_text(captures):
    messages = list(dns_messages(captures["dns"]))
    got = [(m.frame, m.qname, m.qtype, m.response, m.transport) for m in messages]
    assert got == [
        (1, "www.example.com", "A", False, "udp"),
        (2, "www.example.com", "A", True, "udp"),
        (3, "v6.example.org", "AAAA", False, "udp"),
        (4, "v6.example.org", "AAAA", True, "udp"),
        (10, "example.com", "MX", False, "tcp"),  # the query completes in the second segment
        (11, "example.com", "MX", True, "tcp"),
    ]
    assert messages[1].answers == ["edge.example.net", "93.184.216.34"]
    assert messages[1].records[0].type == "CNAME" and messages[1].records[0].ttl == 300
    assert messages[3].answers == ["2001:db8::1"]
    assert messages[5].answers == ["10 mail.example.com"]
    assert messages[0].time == "2024-03-01T10:00:00Z" and messages[0].id == 0x1234
    json.dumps([m.to_dict() for m in messages])


def test_dns_name_pointing_to_itself_is_rejected_not_looped():
    message = struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01"
    with pytest.raises(DnsFormatError, match="backwards"):
        parse_message(message)


def test_dns_pointer_chain_that_loops_between_two_names_is_rejected():
    # name at 12 points to 14, which points back to 12
    message = struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\xc0\x0e\xc0\x0c\x00\x01\x00\x01"
    with pytest.raises(DnsFormatError):
        parse_message(message)


def test_dns_compressed_name_is_followed_backwards():
    message = b"\x00" * 12 + b"\x03www\x07example\x03com\x00" + b"\x04mail\xc0\x10"
    assert read_name(message, 29) == ("mail.example.com", 36)
    assert read_name(b"\x00", 0) == ("<Root>", 1)


def test_http_request_frames_and_bodies_through_out_of_order_and_retransmission(captures):
    get, post = http_transactions(captures["http"])
    assert (get.frame, get.method, get.host, get.uri) == (
        5, "GET", "intranet.example", "/files/report.txt?x=1")
    assert (get.user_agent, get.referer) == ("fklab-test/1.0", "http://intranet.example/")
    assert (get.status, get.reason, get.content_type) == (200, "OK", "text/plain")
    assert get.body == REPORT_TEXT  # de-chunked, gunzipped, segments put back in order
    assert get.sha256 == hashlib.sha256(REPORT_TEXT).hexdigest()
    assert get.response_frame == 10 and get.time == "2024-03-01T10:00:00.04Z"
    assert (post.frame, post.method, post.dport, post.request_body) == (
        17, "POST", 8080, b"user=alice&password=s3cret")
    assert (post.status, post.response_frame, post.content_length) == (302, 18, 0)
    as_dict = get.to_dict()
    assert "body" not in as_dict and as_dict["body_size"] == len(REPORT_TEXT)
    json.dumps(as_dict)


def test_http_request_without_response_has_no_hash(tmp_path):
    from .conftest import TcpPeer, handshake, timed, write_pcap

    c = TcpPeer(CLIENT, SERVER, 41000, 80, 1)
    s = TcpPeer(SERVER, CLIENT, 80, 41000, 1)
    frames = handshake(c, s) + [c.packet(payload=b"GET / HTTP/1.0\r\n\r\n")]
    (only,) = http_transactions(write_pcap(tmp_path / "noreply.pcap", timed(frames)))
    assert (only.frame, only.status, only.sha256, only.response_frame) == (4, None, None, None)


def test_non_http_tcp_payload_gives_no_transactions(tmp_path):
    from .conftest import TcpPeer, timed, write_pcap

    c = TcpPeer(CLIENT, SERVER, 41001, 443, 1)
    frames = [c.packet(payload=b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\0" * 40)]
    assert list(http_transactions(write_pcap(tmp_path / "tls.pcap", timed(frames)))) == []


def test_chunked_body_reader_accepts_data_in_any_pieces():
    raw = b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
    reader, buf = BodyReader("chunked"), bytearray()
    done = False
    for byte in raw:
        buf.append(byte)
        done = reader.feed(buf)
    assert done and bytes(reader.body) == b"hello world" and not buf


def test_deflate_without_zlib_header_is_decoded_and_garbage_is_kept_with_a_reason():
    import zlib

    raw = zlib.compressobj(wbits=-15)
    data = raw.compress(b"payload") + raw.flush()
    assert decode_content(data, "deflate") == (b"payload", None)
    body, problem = decode_content(b"not gzip", "gzip")
    assert body == b"not gzip" and "could not be decoded" in problem


def test_times_in_records_use_iso_utc(captures):
    (first, *_) = dns_messages(captures["dns"])
    assert first.time == "2024-03-01T10:00:00Z"
    assert T0 // 1_000_000_000 == 1_709_287_200


def test_http_response_without_its_request_is_kept_only_when_asked(tmp_path):
    from .tcp_conversation import capture, conversation

    late = conversation(CLIENT, 41000, SERVER, 80, [("s", b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody")],
                        syn=False)
    whole = conversation(CLIENT, 41001, SERVER, 80, [("c", b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"),
                                                     ("s", b"HTTP/1.1 404 No\r\nContent-Length: 0\r\n\r\n")])
    path = capture(tmp_path / "orphan.pcap", late, whole)
    assert [t.uri for t in http_transactions(path)] == ["/a"]
    orphan, request = http_transactions(path, orphan_responses=True)
    assert (orphan.method, orphan.uri, orphan.status, orphan.body) == (None, None, 200, b"body")
    assert orphan.frame == orphan.response_frame < request.frame
    assert (orphan.src, orphan.sport, orphan.dst, orphan.dport) == (CLIENT, 41000, SERVER, 80)
