"""``fklab net``: capture summary, conversations, DNS, HTTP, exported objects."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.output import emit_object, emit_records

PCAP = click.argument("pcap", type=click.Path(path_type=Path))


@click.group("net")
def group() -> None:
    """Packet captures: summary, flows, DNS, HTTP, streams, logins, exports, TLS, detections."""


@group.command("summary")
@PCAP
@json_option
def summary_cmd(pcap: Path, as_json: bool) -> None:
    """Packets, bytes, first and last time, protocols, top talkers (like capinfos)."""
    from forensics_kit.net import summarize

    emit_object(summarize(pcap).to_dict(), as_json)


@group.command("flows")
@PCAP
@json_option
def flows_cmd(pcap: Path, as_json: bool) -> None:
    """Conversations (both directions together; src is the side that sent first)."""
    from forensics_kit.net import flows

    rows = (f.to_dict() for f in flows(pcap))
    emit_records(
        rows,
        [
            ("proto", "Proto"),
            ("src", "Source"),
            ("sport", "Port"),
            ("dst", "Destination"),
            ("dport", "Port"),
            ("packets", "Packets"),
            ("bytes", "Bytes"),
            ("start", "Start"),
            ("duration", "Duration s"),
        ],
        as_json,
    )


@group.command("dns")
@PCAP
@json_option
def dns_cmd(pcap: Path, as_json: bool) -> None:
    """Every DNS query and response."""
    from forensics_kit.net import dns_messages

    rows = (m.to_dict() for m in dns_messages(pcap))
    emit_records(
        rows,
        [
            ("frame", "Frame"),
            ("time", "Time"),
            ("src", "Source"),
            ("dst", "Destination"),
            ("response", "Response"),
            ("qname", "Name"),
            ("qtype", "Type"),
            ("answers", "Answers"),
        ],
        as_json,
    )


@group.command("http")
@PCAP
@json_option
def http_cmd(pcap: Path, as_json: bool) -> None:
    """HTTP requests with their responses (any TCP port)."""
    from forensics_kit.net import http_transactions

    transactions = http_transactions(pcap, orphan_responses=True)
    if as_json:
        emit_records((t.to_dict() for t in transactions), [], as_json)
        return
    # A table keeps to what fits 80 columns; --json carries every field (times, headers, hashes).
    rows = ({"frame": t.frame, "src": t.src, "method": t.method or "(no request)",
             "url": f"{t.host or t.dst}{t.uri or ''}", "status": t.status,
             "type": (t.content_type or "").split(";")[0]} for t in transactions)
    emit_records(rows, [("frame", "Frame"), ("src", "Client"), ("method", "Method"), ("url", "Host + URI"),
                        ("status", "Status"), ("type", "Type")], as_json)
