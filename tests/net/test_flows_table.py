"""The compact conversation table: many flows that differ only in a port, growth, IPv4 and IPv6 mixed."""

from __future__ import annotations

import random
import socket
import struct
from pathlib import Path

from forensics_kit.net import flows
from forensics_kit.net.flows import _GENERATION


def _udp_frame(src: bytes, dst: bytes, sport: int, dport: int, v6: bool = False) -> bytes:
    udp = struct.pack("!HHHH", sport, dport, 8 + 4, 0) + b"data"
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(udp), 17, 64) + src + dst
        return b"\x02" * 6 + b"\x04" * 6 + b"\x86\xdd" + ip + udp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, src, dst)
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + udp


def _pcap(path: Path, frames: list[bytes]) -> Path:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    for n, frame in enumerate(frames):
        out.append(struct.pack("<IIII", 1_700_000_000 + n // 1000, n % 1000, len(frame), len(frame)) + frame)
    path.write_bytes(b"".join(out))
    return path


def test_thousands_of_flows_differing_only_in_the_source_port_are_kept_apart(tmp_path: Path) -> None:
    a, b = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    frames = []
    for port in range(20000, 26000):  # forces the slot table to grow several times
        frames.append(_udp_frame(a, b, port, 53))
        frames.append(_udp_frame(b, a, 53, port))
    result = flows(_pcap(tmp_path / "many.pcap", frames))
    assert len(result) == 6000
    assert [f.sport for f in result] == list(range(20000, 26000))
    assert all(f.packets_ab == 1 and f.packets_ba == 1 and f.src == "10.0.0.1" for f in result)
    assert result[-1].sport == 25999 and result[2999].sport == 22999


def test_ipv4_and_ipv6_flows_keep_the_order_of_their_first_packet(tmp_path: Path) -> None:
    v6a, v6b = bytes(15) + b"\x01", bytes(15) + b"\x02"
    frames = [
        _udp_frame(bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]), 1000, 53),
        _udp_frame(v6a, v6b, 2000, 53, v6=True),
        _udp_frame(bytes([10, 0, 0, 3]), bytes([10, 0, 0, 2]), 1001, 53),
        _udp_frame(v6b, v6a, 53, 2000, v6=True),
        _udp_frame(bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]), 53, 1000),
    ]
    result = flows(_pcap(tmp_path / "mixed.pcap", frames))
    expected = [("10.0.0.1", 1000, 2), ("::1", 2000, 2), ("10.0.0.3", 1001, 1)]
    assert [(f.src, f.sport, f.packets) for f in result] == expected


def _tcp_frame(src: bytes, dst: bytes, sport: int, dport: int) -> bytes:
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x18, 1024, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp


def test_a_conversation_quiet_for_several_generations_continues_in_its_own_flow(tmp_path: Path) -> None:
    a, b = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    frames = [_udp_frame(a, b, 1000, 53)]
    crowd = 3 * _GENERATION  # enough new conversations to drop the first one's generation twice over
    frames += [_udp_frame(bytes([10, 1, n >> 8, n & 0xFF]), b, 2000, 53) for n in range(crowd)]
    frames += [_udp_frame(b, a, 53, 1000), _udp_frame(a, b, 1000, 53), _tcp_frame(a, b, 1000, 53)]
    result = flows(_pcap(tmp_path / "quiet.pcap", frames))
    assert len(result) == 1 + crowd + 1
    first = result[0]
    assert (first.proto, first.src, first.sport, first.packets_ab, first.packets_ba) == ("udp", "10.0.0.1", 1000, 2, 1)
    last = crowd + 2  # the frame index of its last packet, timed by _pcap
    assert first.first_frame == 1 and first.end_ns == (1_700_000_000 + last // 1000) * 10**9 + last % 1000 * 1000
    assert (result[-1].proto, result[-1].packets, result[-1].first_frame) == ("tcp", 1, len(frames))


def test_flows_agree_with_a_plain_dict_of_conversations_on_a_random_capture(tmp_path: Path) -> None:
    """Thousands of conversations coming back after their generations were dropped, both ways."""
    rng = random.Random(16)
    hosts = [bytes([10, 0, 0, n]) for n in range(1, 40)]
    frames, expected = [], {}
    for number in range(1, 4 * _GENERATION):
        src, dst = rng.sample(hosts, 2)
        sport, dport = rng.choice((53, 80, rng.randrange(1024, 1400))), rng.choice((53, 80))
        proto = rng.choice(("tcp", "udp"))
        frames.append((_tcp_frame if proto == "tcp" else _udp_frame)(src, dst, sport, dport))
        key = (proto, frozenset(((src, sport), (dst, dport))))
        flow = expected.setdefault(key, {"src": (src, sport), "ab": 0, "ba": 0, "first": number})
        flow["ab" if flow["src"] == (src, sport) else "ba"] += 1
    result = flows(_pcap(tmp_path / "random.pcap", frames))
    want = sorted(expected.values(), key=lambda f: f["first"])
    assert len(result) == len(want) > 2 * _GENERATION
    for got, flow in zip(result, want, strict=True):
        assert (socket.inet_aton(got.src), got.sport) == flow["src"]
        assert (got.packets_ab, got.packets_ba, got.first_frame) == (flow["ab"], flow["ba"], flow["first"])
