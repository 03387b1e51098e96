"""Network evidence: reading pcap/pcapng captures and first analyses.

Everything streams from a struct-based record reader (:mod:`.reader`) and a
fast header decoder (:mod:`.decode`); scapy is not used on the per-packet
path. Results are dataclasses with ``to_dict()``; nothing here prints.
"""

from __future__ import annotations

from forensics_kit.net.creds import Credential, credentials
from forensics_kit.net.detect import Finding, detect
from forensics_kit.net.dns import DnsMessage, dns_messages
from forensics_kit.net.dns_wire import DnsFormatError, ResourceRecord, parse_message
from forensics_kit.net.export import ExportedObject, ExportReport, export_objects
from forensics_kit.net.flows import Flow, flows
from forensics_kit.net.fragments import Ipv4Defragmenter, defragment
from forensics_kit.net.http import HttpTransaction, http_transactions
from forensics_kit.net.reader import CaptureReader, Frame, linktype_name, read_frames
from forensics_kit.net.streams import Segment, StreamInfo, follow_stream, tcp_streams
from forensics_kit.net.summary import CaptureSummary, summarize
from forensics_kit.net.tls import TlsSession, tls_sessions

__all__ = [
    "CaptureReader",
    "CaptureSummary",
    "Credential",
    "DnsFormatError",
    "DnsMessage",
    "ExportReport",
    "ExportedObject",
    "Finding",
    "Flow",
    "Frame",
    "HttpTransaction",
    "Ipv4Defragmenter",
    "ResourceRecord",
    "Segment",
    "StreamInfo",
    "TlsSession",
    "credentials",
    "defragment",
    "detect",
    "dns_messages",
    "export_objects",
    "flows",
    "follow_stream",
    "http_transactions",
    "linktype_name",
    "parse_message",
    "read_frames",
    "summarize",
    "tcp_streams",
    "tls_sessions",
]
