"""ARP spoofing/flood and ICMP payload exfiltration detectors, evidence frames against tshark."""

from __future__ import annotations

import base64

import pytest
from scapy.layers.inet import ICMP, IP, fragment
from scapy.layers.l2 import ARP, Ether

from forensics_kit.net.detect import detect
from forensics_kit.net.detect.icmpexfil import is_standard

from .conftest import T0, write_pcap
from .expected_tables import TSHARK, tshark_fields

GATEWAY, VICTIM = "10.0.0.254", "10.0.0.10"
GW_MAC, VICTIM_MAC, EVIL_MAC = "02:00:00:00:00:fe", "02:00:00:00:00:10", "02:00:00:00:00:66"
BCAST = "ff:ff:ff:ff:ff:ff"


def arp_frames() -> list[bytes]:
    """Frame 1-2: the victim asks for the gateway, the gateway answers. Frames 3-14: the
    attacker sends 12 unsolicited replies saying the gateway's IP is at its MAC."""
    frames = [Ether(src=VICTIM_MAC, dst=BCAST) / ARP(op=1, hwsrc=VICTIM_MAC, psrc=VICTIM, pdst=GATEWAY),
              Ether(src=GW_MAC, dst=VICTIM_MAC) / ARP(op=2, hwsrc=GW_MAC, psrc=GATEWAY, hwdst=VICTIM_MAC,
                                                     pdst=VICTIM)]
    frames += [Ether(src=EVIL_MAC, dst=VICTIM_MAC) / ARP(op=2, hwsrc=EVIL_MAC, psrc=GATEWAY, hwdst=VICTIM_MAC,
                                                         pdst=VICTIM) for _ in range(12)]
    return [bytes(f) for f in frames]


LINUX_PING = bytes(16) + bytes(range(16, 56))
WINDOWS_PING = b"abcdefghijklmnopqrstuvwabcdefghi"


def icmp_frames() -> list[bytes]:
    """Frames 1-4: ordinary Linux and Windows pings. Then 8 echo requests to 203.0.113.9
    carrying base64 data of 600 bytes, and one of 3000 bytes in 3 fragments (last frame)."""
    eth = Ether(src=VICTIM_MAC, dst=GW_MAC)
    frames = [eth / IP(src=VICTIM, dst="8.8.8.8") / ICMP(seq=i) / LINUX_PING for i in range(2)]
    frames += [eth / IP(src=VICTIM, dst="8.8.4.4") / ICMP(seq=i) / WINDOWS_PING for i in range(2)]
    stolen = base64.b64encode(bytes(range(256)) * 20)
    frames += [eth / IP(src=VICTIM, dst="203.0.113.9") / ICMP(seq=i) / stolen[i * 600 : i * 600 + 600]
               for i in range(8)]
    frames += [eth / p for p in fragment(IP(src=VICTIM, dst="203.0.113.9", id=99) / ICMP(seq=9) / stolen[:3000],
                                         fragsize=1200)]
    return [bytes(f) for f in frames]


@pytest.fixture(scope="module")
def arp_pcap(tmp_path_factory):
    path = tmp_path_factory.mktemp("arp") / "arp.pcap"
    return write_pcap(path, [(T0 + i * 500_000_000, f) for i, f in enumerate(arp_frames())])


@pytest.fixture(scope="module")
def icmp_pcap(tmp_path_factory):
    path = tmp_path_factory.mktemp("icmp") / "icmp.pcap"
    return write_pcap(path, [(T0 + i * 1_000_000_000, f) for i, f in enumerate(icmp_frames())])


def test_gateway_ip_claimed_by_a_new_mac_is_arp_spoofing(arp_pcap):
    found = {f.kind: f for f in detect(arp_pcap, ["arpspoof"])}
    spoof = found["arp-spoof"]
    assert (spoof.source, spoof.targets) == (EVIL_MAC, [GATEWAY])
    assert (spoof.numbers["old_mac"], spoof.numbers["new_mac"], spoof.numbers["claims"]) == (GW_MAC, EVIL_MAC, 12)
    assert spoof.frames == list(range(3, 15))


def test_forged_unicast_replies_are_spoofing_not_a_gratuitous_flood(arp_pcap):
    assert [f.kind for f in detect(arp_pcap, ["arpspoof"])] == ["arp-spoof"]
    assert [f.kind for f in detect(arp_pcap, ["arpspoof"], {"arpspoof.min_gratuitous": 1})] == ["arp-spoof"]


def test_a_mac_announcing_its_own_ip_over_and_over_is_a_gratuitous_flood(tmp_path):
    frames = [bytes(Ether(src=VICTIM_MAC, dst=BCAST) / ARP(op=op, hwsrc=VICTIM_MAC, psrc=VICTIM, pdst=VICTIM,
                                                            hwdst=BCAST if op == 2 else "00:00:00:00:00:00"))
              for op in [1, 2] * 6]
    path = write_pcap(tmp_path / "garp.pcap", [(T0 + i * 100_000_000, f) for i, f in enumerate(frames)])
    (flood,) = detect(path, ["arpspoof"])
    assert (flood.kind, flood.source, flood.frame_count, flood.numbers["ips"]) == ("arp-flood", VICTIM_MAC, 12,
                                                                                  [VICTIM])


def test_ping_patterns_of_common_systems_are_standard():
    assert is_standard(LINUX_PING) and is_standard(WINDOWS_PING) and is_standard(bytes(48))
    assert is_standard(bytes(8) + bytes(range(8, 56)))  # BSD/macOS: 8-byte time stamp
    assert not is_standard(b"user=alice;pass=s3cret")


def test_icmp_exfiltration_counts_odd_requests_and_bytes_with_reassembled_fragments(icmp_pcap):
    found = detect(icmp_pcap, ["icmpexfil"])
    assert len(found) == 1
    f = found[0]
    n = f.numbers
    assert (f.source, f.targets) == (VICTIM, ["203.0.113.9"])
    assert (n["echo_requests"], n["odd_requests"], n["bytes"], n["max_size"]) == (9, 9, 8 * 600 + 3000, 3000)
    assert f.frames == list(range(5, 13)) + [15]


@pytest.mark.crosscheck
@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_arp_and_icmp_evidence_matches_tshark(arp_pcap, icmp_pcap):
    spoof = next(f for f in detect(arp_pcap, ["arpspoof"]) if f.kind == "arp-spoof")
    rows = tshark_fields(arp_pcap, ["frame.number"], f"arp.src.proto_ipv4 == {GATEWAY} && arp.src.hw_mac == {EVIL_MAC}")
    assert [int(r[0]) for r in rows] == spoof.frames
    dup = tshark_fields(arp_pcap, ["frame.number"], "arp.duplicate-address-frame")
    assert dup and int(dup[0][0]) in spoof.frames
    f = detect(icmp_pcap, ["icmpexfil"])[0]
    rows = tshark_fields(icmp_pcap, ["frame.number", "data.len"], "icmp.type == 8 && ip.dst == 203.0.113.9")
    assert [int(r[0]) for r in rows] == f.frames
    assert sum(int(r[1]) for r in rows) == f.numbers["bytes"]
