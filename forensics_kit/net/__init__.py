"""Network evidence: reading pcap/pcapng captures and first analyses.

Everything streams from a struct-based record reader (:mod:`.reader`) and a
fast header decoder (:mod:`.decode`); scapy is not used on the per-packet
path. Results are dataclasses with ``to_dict()``; nothing here prints.

The public names are imported on first use (PEP 562): ``fklab net flows`` should
not pay for the mail, FTP and detector modules at start-up.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "creds": ("Credential", "credentials"),
    "detect": ("Finding", "detect"),
    "dns": ("DnsMessage", "dns_messages"),
    "dns_wire": ("DnsFormatError", "ResourceRecord", "parse_message"),
    "export": ("ExportedObject", "ExportReport", "export_objects"),
    "flows": ("Flow", "flows"),
    "fragments": ("Ipv4Defragmenter", "defragment"),
    "http": ("HttpTransaction", "http_transactions"),
    "reader": ("CaptureReader", "Frame", "linktype_name", "read_frames"),
    "streams": ("Segment", "StreamInfo", "follow_stream", "tcp_streams"),
    "summary": ("CaptureSummary", "summarize"),
    "tls": ("TlsSession", "tls_sessions"),
}
_MODULE_OF = {name: module for module, names in _WHERE.items() for name in names}

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


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """Keeps the functions ``flows`` and ``detect`` from being shadowed by their modules.

    Importing the sub-module ``forensics_kit.net.flows`` makes the import system set the
    package attribute ``flows`` to that module; the public name is the function.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and name in _MODULE_OF and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
