"""Deterministic synthetic network traffic for case datasets.

Recipes describe sessions (a DNS lookup, an HTTP download); the builder calls
:class:`Capture` once per session and writes a pcap whose bytes depend only on
the calls and the seed, together with the truth (frame numbers, hashes) that
answer keys are checked against.

What tshark (4.0) makes of it, checked by the tests: no malformed packets and no
expert warnings; TCP analysis flags only the retransmission a session asks for;
``--export-objects http`` de-chunks and gunzips, so the exported files are the
bodies given here byte for byte (a POST exports its request body too).
Truth hashes (``body_sha256`` ...) are of those given bodies, not the wire bytes.

Beyond DNS and HTTP, :class:`Capture` writes generic TCP/UDP exchanges, FTP,
SMTP, POP3, IMAP, telnet and TLS sessions (:mod:`capture_services`) and
incidents: port scans, brute force, beacons, DNS tunnels, ICMP exfiltration and
ARP spoofing (:mod:`capture_incidents`); the only tshark warnings they raise are
the RSTs of a scan and the duplicate-address alarm of an ARP spoof. Background
noise at a given rate (DNS, HTTP, NTP, ARP, NetBIOS, mDNS, SSDP) comes from
:mod:`capture_noise` and raises none.
"""

from __future__ import annotations

from forensics_kit.builder.traffic.capture import Capture, Host
from forensics_kit.builder.traffic.exchange import Message
from forensics_kit.builder.traffic.ftp import FtpCommand
from forensics_kit.builder.traffic.mime import Attachment, Mail

__all__ = ["Attachment", "Capture", "FtpCommand", "Host", "Mail", "Message"]
