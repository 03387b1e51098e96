"""What others' captures hold and ours did not: mDNS with several questions, TCP Fast Open,
HTTP requests without a version, 802.11, tunnels (GRE, ERSPAN, VXLAN, IP-in-IP) and SOCKS.

Each capture is crafted here; where tshark is installed the same file goes through it and
the kit must answer as it does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scapy.layers.dns import DNS, DNSQR
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from forensics_kit.net import dns_messages

from .conftest import T0, write_pcap
from .expected_tables import TSHARK, tshark_fields

needs_tshark = pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
ETH = Ether(src="02:00:00:00:00:01", dst="01:00:5e:00:00:fb")


def _timed(frames) -> list[tuple[int, bytes]]:
    return [(T0 + i * 10_000_000, bytes(f)) for i, f in enumerate(frames)]


@pytest.fixture(scope="module")
def mdns_pcap(tmp_path_factory) -> Path:
    """One mDNS query with three questions (a browser asking for every service at once)."""
    questions = [DNSQR(qname=n, qtype="PTR") for n in
                 ("_ipp._tcp.local", "_printer._tcp.local", "_airplay._tcp.local")]
    query = ETH / IP(src="192.168.1.20", dst="224.0.0.251") / UDP(sport=5353, dport=5353) / DNS(
        id=0, qd=questions)
    return write_pcap(tmp_path_factory.mktemp("mdns") / "mdns.pcap", _timed([query]))


def test_a_dns_message_with_several_questions_gives_every_question(mdns_pcap):
    (m,) = dns_messages(mdns_pcap)
    assert m.queries == [("_ipp._tcp.local", "PTR"), ("_printer._tcp.local", "PTR"),
                         ("_airplay._tcp.local", "PTR")]
    assert (m.qname, m.questions, m.service) == ("_ipp._tcp.local", 3, "mdns")
    assert [q["name"] for q in m.to_dict()["queries"]] == [name for name, _ in m.queries]


@needs_tshark
def test_every_question_is_the_one_tshark_lists(mdns_pcap):
    ((frame, names),) = tshark_fields(mdns_pcap, ["frame.number", "dns.qry.name"], "dns.qry.name")
    (m,) = dns_messages(mdns_pcap)
    assert (m.frame, [name for name, _ in m.queries]) == (int(frame), names.split(","))
