"""Header decoding on every supported link type, and no exception on garbage."""

from __future__ import annotations

import struct

import pytest
from scapy.layers.inet import IP, UDP

from forensics_kit.net import read_frames
from forensics_kit.net.decode import addr_text, decode

UDP_TUPLE = (4, 17, "10.0.0.1", "10.0.0.2", 1111, 2222)


def _tuple(d):
    return (d[0], d[1], addr_text(d[2]), addr_text(d[3]), d[4], d[5])


@pytest.mark.parametrize("name", ["vlan", "sll", "sll2", "raw", "pcapng"])
def test_udp_five_tuple_is_found_behind_each_link_header(captures, name):
    for frame in read_frames(captures[name]):
        d = decode(frame.linktype, frame.data)
        assert _tuple(d) == UDP_TUPLE
        assert frame.data[d[6] : d[7]] == b"hello"


def test_qinq_double_tag_is_skipped(captures):
    frames = list(read_frames(captures["vlan"]))
    assert frames[1].data[12:14] == b"\x81\x00" and frames[1].data[16:18] == b"\x81\x00"
    assert _tuple(decode(1, frames[1].data)) == UDP_TUPLE


def test_ipv6_hop_by_hop_header_is_skipped_to_udp(captures):
    frame = list(read_frames(captures["dns"]))[2]
    d = decode(frame.linktype, frame.data)
    assert (d[0], d[1], addr_text(d[2]), d[5]) == (6, 17, "2001:db8::10", 53)


def test_bsd_null_loopback_in_host_byte_order():
    packet = IP(src="127.0.0.1", dst="127.0.0.2") / UDP(sport=1, dport=2)
    data = struct.pack("<I", 2) + bytes(packet)
    d = decode(0, data)
    assert (d[1], addr_text(d[2]), d[5]) == (17, "127.0.0.1", 2)


def test_tcp_sequence_and_flags_are_returned(captures):
    syn = next(iter(read_frames(captures["http"])))
    d = decode(1, syn.data)
    assert (d[1], d[4], d[5], d[8], d[9]) == (6, 40000, 80, 1000, 0x02)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x45", bytes(14), b"\x00" * 12 + b"\x08\x00" + b"\x4f" + b"\x00" * 19,
     b"\x00" * 12 + b"\x08\x00" + b"\x45\x00\x00\x05" + b"\x00" * 16,
     b"\x00" * 12 + b"\x86\xdd" + b"\x60" + b"\x00" * 30],
    ids=["empty", "one-byte", "zeros", "bad-ihl", "total-length-below-header", "short-ipv6"],
)
def test_malformed_headers_never_raise_and_give_no_ports(data):
    d = decode(1, data)
    assert d is None or d[4] is None
