"""Ethernet/IPv4/IPv6/TCP/UDP frames built with ``struct``, checksums included.

Frames are built by hand rather than with scapy so that a capture of ~100k
packets stays fast and every byte is fixed by our inputs alone; the tests check
the result against scapy's and tshark's own checksum validation.
"""

from __future__ import annotations

import ipaddress
import struct
import sys
from dataclasses import dataclass

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806
PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Endpoint:
    """One side of a conversation as it appears on the wire.

    ``ttl`` is the hop limit seen at the capture point (lower for far servers);
    ``os`` is the host's declared OS, which fixes its TCP options (empty: judged by ``ttl``).
    """

    mac: bytes
    ip: IPAddress
    port: int
    ttl: int
    os: str = ""


def _ones_complement_sum(data: bytes) -> int:
    """Internet checksum sum of ``data``; summing native-order words and swapping
    at the end gives the same result as big-endian words, and is much faster."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(memoryview(data).cast("H"))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    if sys.byteorder == "little":
        total = ((total & 0xFF) << 8) | (total >> 8)
    return total


def _checksum(data: bytes) -> int:
    return ~_ones_complement_sum(data) & 0xFFFF


def _pseudo_header(src: IPAddress, dst: IPAddress, proto: int, length: int) -> bytes:
    if src.version == 4:
        return src.packed + dst.packed + struct.pack("!BBH", 0, proto, length)
    return src.packed + dst.packed + struct.pack("!I3xB", length, proto)


def _ip_frame(src: Endpoint, dst: Endpoint, proto: int, segment: bytes, ip_id: int) -> bytes:
    """Wrap a transport segment (checksum already set) in IP and Ethernet.

    IPv4 packets carry DF and ``ip_id``; IPv6 has no identification (flow label 0).
    """
    if src.ip.version == 4:
        header = struct.pack(
            "!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), ip_id & 0xFFFF, 0x4000,
            src.ttl, proto, 0, src.ip.packed, dst.ip.packed,
        )
        header = header[:10] + struct.pack("!H", _checksum(header)) + header[12:]
        ethertype = ETH_IPV4
    else:
        header = struct.pack(
            "!IHBB16s16s", 6 << 28, len(segment), proto, src.ttl,
            src.ip.packed, dst.ip.packed,
        )
        ethertype = ETH_IPV6
    return dst.mac + src.mac + struct.pack("!H", ethertype) + header + segment


def tcp_frame(
    src: Endpoint, dst: Endpoint, *, seq: int, ack: int, flags: int, window: int,
    ip_id: int, payload: bytes = b"", options: bytes = b"",
) -> bytes:
    """One Ethernet frame carrying a TCP segment; ``ack`` is ignored unless ACK is set."""
    if len(options) % 4:
        options += b"\x00" * (4 - len(options) % 4)
    offset = (20 + len(options)) // 4
    header = struct.pack(
        "!HHIIBBHHH", src.port, dst.port, seq & 0xFFFFFFFF,
        (ack & 0xFFFFFFFF) if flags & ACK else 0, offset << 4, flags, window, 0, 0,
    ) + options
    segment = header + payload
    pseudo = _pseudo_header(src.ip, dst.ip, PROTO_TCP, len(segment))
    csum = _checksum(pseudo + segment)
    segment = segment[:16] + struct.pack("!H", csum) + segment[18:]
    return _ip_frame(src, dst, PROTO_TCP, segment, ip_id)


def udp_frame(src: Endpoint, dst: Endpoint, *, payload: bytes, ip_id: int) -> bytes:
    """One Ethernet frame carrying a UDP datagram."""
    length = 8 + len(payload)
    segment = struct.pack("!HHHH", src.port, dst.port, length, 0) + payload
    csum = _checksum(_pseudo_header(src.ip, dst.ip, PROTO_UDP, length) + segment) or 0xFFFF
    segment = segment[:6] + struct.pack("!H", csum) + segment[8:]
    return _ip_frame(src, dst, PROTO_UDP, segment, ip_id)


def icmp_echo_frame(src: Endpoint, dst: Endpoint, *, reply: bool, ident: int, seq: int, payload: bytes,
                    ip_id: int) -> bytes:
    """An ICMP (IPv4) echo request or reply carrying ``payload``."""
    message = struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, seq) + payload
    message = message[:2] + struct.pack("!H", _checksum(message)) + message[4:]
    return _ip_frame(src, dst, PROTO_ICMP, message, ip_id)


def arp_frame(*, op: int, sender_mac: bytes, sender_ip: IPAddress, target_mac: bytes, target_ip: IPAddress,
              eth_dst: bytes) -> bytes:
    """An Ethernet ARP request (``op`` 1) or reply (2), padded to the 60-byte minimum."""
    body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_IPV4, 6, 4, op, sender_mac, sender_ip.packed,
                       target_mac, target_ip.packed)
    frame = eth_dst + sender_mac + struct.pack("!H", ETH_ARP) + body
    return frame + b"\x00" * (60 - len(frame))
