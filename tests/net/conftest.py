"""Tiny captures built by code for the network tests, once per session.

Packets are made with scapy; the files are written here with ``struct`` (not
with our reader's counterpart) so the byte order, the time resolution and the
pcapng blocks are exactly what each test wants.
"""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path

import pytest
from scapy.layers.dns import DNS, DNSQR, DNSRR
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
from scapy.layers.l2 import CookedLinux, Dot1Q, Ether

T0 = 1_709_287_200_000_000_000  # 2024-03-01T10:00:00Z in nanoseconds
MS = 1_000_000

CLIENT, SERVER, RESOLVER = "10.0.0.1", "10.0.0.2", "10.0.0.53"
REPORT_TEXT = b"".join(b"row %d %s\n" % (i, hashlib.sha256(b"%d" % i).hexdigest().encode())
                      for i in range(40))


def write_pcap(path: Path, records, linktype: int = 1, nano: bool = False,
               big_endian: bool = False) -> Path:
    """Write ``(ts_ns, bytes)`` or ``(ts_ns, bytes, orig_len)`` records as classic pcap."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype)]
    for record in records:
        ts_ns, data = record[0], bytes(record[1])
        orig = record[2] if len(record) > 2 else len(data)
        sec, frac = divmod(ts_ns, 1_000_000_000)
        out.append(struct.pack(e + "IIII", sec, frac if nano else frac // 1000, len(data), orig))
        out.append(data)
    path.write_bytes(b"".join(out))
    return path


def _block(btype: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    size = len(body) + 12
    return struct.pack("<II", btype, size) + body + struct.pack("<I", size)


def write_pcapng(path: Path, interfaces, packets, simple: bytes | None = None) -> Path:
    """pcapng with IDBs ``(linktype, tsresol or None)`` and EPBs ``(iface, ts_ns, bytes)``."""
    blocks = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    for linktype, tsresol in interfaces:
        options = b""
        if tsresol is not None:
            options = struct.pack("<HHB3x", 9, 1, tsresol) + struct.pack("<HH", 0, 0)
        blocks.append(_block(1, struct.pack("<HHI", linktype, 0, 262144) + options))
    if simple is not None:
        blocks.append(_block(3, struct.pack("<I", len(simple)) + simple))
    for iface, ts_ns, data in packets:
        resol = interfaces[iface][1]
        ticks = ts_ns // 1000 if resol is None else ts_ns // 10 ** (9 - resol)
        data = bytes(data)
        header = struct.pack("<IIIII", iface, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data))
        blocks.append(_block(6, header + data))
    path.write_bytes(b"".join(blocks))
    return path


class TcpPeer:
    """One side of a TCP connection that keeps its own sequence number."""

    def __init__(self, src, dst, sport, dport, isn, ether=True):
        self.src, self.dst, self.sport, self.dport, self.seq = src, dst, sport, dport, isn
        self.ack = 0
        self.ether = ether

    def packet(self, flags="PA", payload=b"", seq=None, advance=True):
        ip = IP(src=self.src, dst=self.dst) if ":" not in self.src else IPv6(
            src=self.src, dst=self.dst)
        pkt = ip / TCP(sport=self.sport, dport=self.dport, flags=flags,
                       seq=self.seq if seq is None else seq, ack=self.ack) / payload
        if advance and seq is None:
            self.seq += len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
        return bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / pkt) \
            if self.ether else bytes(pkt)


def handshake(client: TcpPeer, server: TcpPeer):
    """SYN, SYN/ACK, ACK as three frames."""
    syn = client.packet("S")
    server.ack = client.seq
    synack = server.packet("SA")
    client.ack = server.seq
    return [syn, synack, client.packet("A")]


def chunked(data: bytes, size: int) -> bytes:
    """Chunked transfer coding of ``data`` in pieces of ``size`` bytes."""
    out = b"".join(
        b"%x\r\n" % len(data[i : i + size]) + data[i : i + size] + b"\r\n"
        for i in range(0, len(data), size)
    )
    return out + b"0\r\n\r\n"


def http_frames():
    """Two HTTP connections; the first has a chunked gzip response sent out of order.

    Frames: 1-3 handshake, 4-5 GET split over two segments (complete in 5),
    6 response part 1, 7 part 3 (early), 8 part 2, 9 part 2 again
    (retransmission), 10 part 4 (response complete), 11-12 FINs;
    13-15 handshake on port 8080, 16 POST head, 17 POST body, 18 302 reply.
    """
    c = TcpPeer(CLIENT, SERVER, 40000, 80, 1000)
    s = TcpPeer(SERVER, CLIENT, 80, 40000, 5000)
    frames = handshake(c, s)
    frames.append(c.packet(payload=b"GET /files/report.txt?x=1 HTTP/1.1\r\n"
                           b"Host: intranet.example\r\n"))
    frames.append(c.packet(payload=b"User-Agent: fklab-test/1.0\r\n"
                           b"Referer: http://intranet.example/\r\n\r\n"))
    s.ack = c.seq
    body = chunked(gzip.compress(REPORT_TEXT, mtime=0), 100)
    response = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + body)
    cut = [0, 90, len(response) * 45 // 100, len(response) * 3 // 4, len(response)]
    parts = [(s.seq + cut[i], response[cut[i] : cut[i + 1]]) for i in range(4)]
    for index in (0, 2, 1, 1, 3):
        frames.append(s.packet(payload=parts[index][1], seq=parts[index][0]))
    s.seq += len(response)
    frames.append(c.packet("FA"))
    s.ack = c.seq
    frames.append(s.packet("FA"))

    c2 = TcpPeer(CLIENT, SERVER, 40001, 8080, 7000)
    s2 = TcpPeer(SERVER, CLIENT, 8080, 40001, 9000)
    frames += handshake(c2, s2)
    form = b"user=alice&password=s3cret"
    frames.append(c2.packet(payload=b"POST /login HTTP/1.1\r\nHost: intranet.example:8080\r\n"
                            b"Content-Type: application/x-www-form-urlencoded\r\n"
                            b"Content-Length: %d\r\n\r\n" % len(form)))
    frames.append(c2.packet(payload=form))
    s2.ack = c2.seq
    frames.append(s2.packet(payload=b"HTTP/1.1 302 Found\r\nLocation: /\r\n"
                            b"Content-Length: 0\r\n\r\n"))
    return frames


def dns_frames():
    """DNS over UDP (IPv4 and IPv6 with a hop-by-hop header), a pointer loop, and TCP.

    Frames: 1 A query, 2 CNAME+A answer, 3 AAAA query over IPv6, 4 its
    answer, 5 a message whose name points to itself, 6-8 TCP handshake,
    9-10 TCP query split over two segments (complete in 10), 11 MX answer.
    """
    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    q = DNS(id=0x1234, rd=1, qd=[DNSQR(qname="www.example.com", qtype="A")])
    a = DNS(id=0x1234, qr=1, rd=1, ra=1, qd=[DNSQR(qname="www.example.com", qtype="A")],
            an=[DNSRR(rrname="www.example.com", type="CNAME", ttl=300, rdata="edge.example.net"),
                DNSRR(rrname="edge.example.net", type="A", ttl=60, rdata="93.184.216.34")])
    q6 = DNS(id=0x2222, rd=1, qd=[DNSQR(qname="v6.example.org", qtype="AAAA")])
    a6 = DNS(id=0x2222, qr=1, qd=[DNSQR(qname="v6.example.org", qtype="AAAA")],
             an=[DNSRR(rrname="v6.example.org", type="AAAA", rdata="2001:db8::1")])
    loop = struct.pack("!HHHHHH", 0x6666, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01"
    v6c, v6s = "2001:db8::10", "2001:db8::53"
    frames = [
        eth / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=33333, dport=53) / q,
        eth / IP(src=RESOLVER, dst=CLIENT) / UDP(sport=53, dport=33333) / a,
        eth / IPv6(src=v6c, dst=v6s) / IPv6ExtHdrHopByHop() / UDP(sport=44444, dport=53) / q6,
        eth / IPv6(src=v6s, dst=v6c) / UDP(sport=53, dport=44444) / a6,
        eth / IP(src=CLIENT, dst=RESOLVER) / UDP(sport=33334, dport=53) / loop,
    ]
    frames = [bytes(f) for f in frames]
    c = TcpPeer(CLIENT, RESOLVER, 45000, 53, 100)
    s = TcpPeer(RESOLVER, CLIENT, 53, 45000, 900)
    frames += handshake(c, s)
    mq = bytes(DNS(id=0x4242, rd=1, qd=[DNSQR(qname="example.com", qtype="MX")]))
    ma = bytes(DNS(id=0x4242, qr=1, qd=[DNSQR(qname="example.com", qtype="MX")],
                   an=[DNSRR(rrname="example.com", type="MX", rdata=b"\x00\x0a\x04mail\xc0\x0c")]))
    framed = struct.pack("!H", len(mq)) + mq
    frames.append(c.packet(payload=framed[:5]))
    frames.append(c.packet(payload=framed[5:]))
    s.ack = c.seq
    frames.append(s.packet(payload=struct.pack("!H", len(ma)) + ma))
    return frames


def timed(frames, step_ms: int = 10):
    """Give frames times 10 ms apart starting at T0."""
    return [(T0 + i * step_ms * MS + 123, f) for i, f in enumerate(frames)]


@pytest.fixture(scope="session")
def captures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """All generated captures by name."""
    root = tmp_path_factory.mktemp("net")
    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    udp = IP(src=CLIENT, dst=SERVER) / UDP(sport=1111, dport=2222) / b"hello"
    vlan = [bytes(eth / Dot1Q(vlan=10) / udp), bytes(eth / Dot1Q(vlan=20) / Dot1Q(vlan=30) / udp)]
    sll = [bytes(CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, src=b"\x02" * 6 + b"\0\0",
                             proto=0x0800) / udp)]
    sll2 = [struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6, b"\x02" * 8) + bytes(udp)]
    tcp_v6 = bytes(eth / IPv6(src="2001:db8::1", dst="2001:db8::2") / TCP(sport=5555, dport=443))
    http = http_frames()
    return {
        "http": write_pcap(root / "http.pcap", timed(http)),
        "dns": write_pcap(root / "dns.pcap", timed(dns_frames())),
        "vlan": write_pcap(root / "vlan.pcap", timed(vlan)),
        "sll": write_pcap(root / "sll.pcap", timed(sll), linktype=113),
        "sll2": write_pcap(root / "sll2.pcap", timed(sll2), linktype=276),
        "raw": write_pcap(root / "raw.pcap", timed([bytes(udp)]), linktype=101),
        "ipv6": write_pcap(root / "ipv6.pcap", timed([tcp_v6])),
        "nano": write_pcap(root / "nano.pcap", [(T0 + 123_456_789, bytes(eth / udp))], nano=True),
        "big": write_pcap(root / "big.pcap", timed(http), big_endian=True),
        "pcapng": write_pcapng(
            root / "two-interfaces.pcapng",
            [(1, None), (101, 9)],
            [(0, T0 + 1_000, bytes(eth / udp)), (1, T0 + 2_000_000_001, bytes(udp)),
             (0, T0 + 3_000_000_000, bytes(eth / udp))],
        ),
        "truncated": _truncated(root / "truncated.pcap", http),
    }


def _truncated(path: Path, frames) -> Path:
    write_pcap(path, timed(frames[:3]))
    path.write_bytes(path.read_bytes()[:-10])
    return path
