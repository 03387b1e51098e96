"""``fklab net``: capture summary, conversations, DNS, HTTP, exported objects."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.output import emit_object, emit_records, json_line, warn

PCAP = click.argument("pcap", type=click.Path(path_type=Path))


def emit_one(record: dict, as_json: bool, title: str | None = None) -> None:
    """One object: a single JSON line with ``--json`` (as every net command writes), else a table."""
    if as_json:
        json_line(record)
    else:
        emit_object(record, False, title)


def warn_all(warnings: list[str]) -> None:
    """Each problem the analysis met (damaged records, skipped link types), once, on stderr."""
    for problem in dict.fromkeys(warnings):
        warn(problem)


@click.group("net")
def group() -> None:
    """Packet captures: summary, flows, DNS, HTTP, streams, logins, exports, TLS, detections."""


@group.command("summary")
@PCAP
@json_option
def summary_cmd(pcap: Path, as_json: bool) -> None:
    """Packets, bytes, first and last time, protocols, top talkers (like capinfos)."""
    from forensics_kit.net import summarize

    summary = summarize(pcap)
    emit_one(summary.to_dict(), as_json)
    if as_json:  # the table shows them as a field already
        warn_all(summary.warnings)


@group.command("flows")
@PCAP
@json_option
def flows_cmd(pcap: Path, as_json: bool) -> None:
    """Conversations (both directions together; src is the side that sent first)."""
    from forensics_kit.net import flows

    warnings: list[str] = []
    found = flows(pcap, warnings)
    rows = found.json_lines() if as_json else found.records()  # both without a Flow object per row
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
    warn_all(warnings)


@group.command("dns")
@PCAP
@json_option
def dns_cmd(pcap: Path, as_json: bool) -> None:
    """Every DNS query and response."""
    from forensics_kit.net import dns_messages

    warnings: list[str] = []
    rows = (m.to_dict() for m in dns_messages(pcap, warnings))
    if not as_json:  # every question of a message (mDNS asks several at once)
        rows = ({**r, "names": [q["name"] for q in r["queries"]] or None} for r in rows)
    emit_records(
        rows,
        [
            ("frame", "Frame"),
            ("time", "Time"),
            ("src", "Source"),
            ("dst", "Destination"),
            ("response", "Response"),
            ("names", "Name"),
            ("qtype", "Type"),
            ("answers", "Answers"),
        ],
        as_json,
    )
    warn_all(warnings)


@group.command("http")
@PCAP
@json_option
def http_cmd(pcap: Path, as_json: bool) -> None:
    """HTTP requests with their responses (any TCP port)."""
    from forensics_kit.net import http_transactions

    warnings: list[str] = []
    transactions = http_transactions(pcap, warnings, orphan_responses=True)
    if as_json:
        emit_records((t.to_dict() for t in transactions), [], as_json)
        warn_all(warnings)
        return
    # A table keeps to what fits 80 columns; --json carries every field (times, headers, hashes).
    rows = ({"frame": t.frame, "src": t.src, "method": t.method or "(no request)",
             "url": f"{t.host or t.dst}{t.uri or ''}", "status": t.status,
             "type": (t.content_type or "").split(";")[0]} for t in transactions)
    emit_records(rows, [("frame", "Frame"), ("src", "Client"), ("method", "Method"), ("url", "Host + URI"),
                        ("status", "Status"), ("type", "Type")], as_json)
    warn_all(warnings)
