"""``fklab net``: capture summary, conversations, DNS, HTTP, exported objects."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.output import emit_object, emit_records, json_line, label, say, warn, width

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
    record = summary.to_dict()
    if as_json:
        json_line(record)
        warn_all(summary.warnings)
        return
    # People read the scalars as fields, and each list as a small table of its own.
    nested = ("top_talkers", "protocols", "hashes", "linktypes", "warnings", "first_ns", "last_ns")
    emit_object({k: v for k, v in record.items() if k not in nested}, False)
    if record.get("linktypes"):
        say("")
        emit_records(({"linktype": k, "packets": v} for k, v in record["linktypes"].items()),
                     [("linktype", "Link type"), ("packets", "Packets")], False)
    if record.get("protocols"):
        say("")
        emit_records(({"protocol": k, **v} for k, v in record["protocols"].items()),
                     [("protocol", "Protocol"), ("packets", "Packets"), ("bytes", "Bytes")], False)
    if record.get("top_talkers"):
        say("")
        emit_records(record["top_talkers"], [("address", "Address"), ("packets", "Packets"), ("bytes", "Bytes")],
                     False)
    if record.get("hashes"):
        say("")
        emit_records(({"algorithm": k, "digest": v} for k, v in record["hashes"].items()),
                     [("algorithm", "Hash"), ("digest", "Digest")], False)
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
    # One short block per transaction, so the User-Agent and the body's SHA-256 (what the labs ask)
    # fit 80 columns: the hash whole on its own line, free text wrapped at its separators.
    for t in transactions:
        for line in http_block(t.to_dict(), width()):
            say(line)
    warn_all(warnings)


def http_block(record: dict, columns: int = 80) -> list[str]:
    """The lines ``net http`` shows for one transaction (request, endpoints, User-Agent, SHA-256)."""
    import textwrap

    indent = " " * 5
    method = record["method"] or "(no request)"
    lines = [f"#{record['frame']}  {record['time'] or ''}  {method}"]
    url = f"{record['host'] or record['dst']}{record['uri'] or ''}"
    if len(lines[0]) + 1 + len(url) <= columns:
        lines[0] += f" {url}"
    else:
        lines += textwrap.wrap(url, columns - len(indent), initial_indent=indent, subsequent_indent=indent,
                               break_on_hyphens=False) or [indent]
    answer = " ".join(str(x) for x in (record["status"], record["reason"]) if x) or label("no response")
    kind = (record["content_type"] or "").split(";")[0]
    size = f"{record['body_size']} {label('bytes')}" if record["status"] is not None else ""
    lines.append(f"{indent}{record['src']}:{record['sport']} -> {record['dst']}:{record['dport']}   "
                 + "  ".join(x for x in (answer, kind, size) if x))
    if record["user_agent"]:
        head = f"{indent}User-Agent: "
        lines += textwrap.wrap(record["user_agent"], columns, initial_indent=head,
                               subsequent_indent=" " * len(head), break_on_hyphens=False)
    if record["sha256"] and record["body_size"]:
        lines.append(f"{indent}SHA-256: {record['sha256']}")
    return lines
