"""``fklab net stream|export|creds|ftp|smtp|telnet``: TCP streams, exported objects, cleartext logins."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.net import PCAP, group
from forensics_kit.cli.output import emit_object, emit_records, say, warn

STREAM_COLUMNS = [
    ("index", "Stream"), ("client", "Client"), ("cport", "Port"), ("server", "Server"), ("sport", "Port"),
    ("first_frame", "First"), ("last_frame", "Last"), ("packets", "Packets"), ("bytes_c2s", "Bytes c->s"),
    ("bytes_s2c", "Bytes s->c"), ("start", "Start"), ("duration", "Duration s"),
]


@group.command("stream")
@PCAP
@click.argument("index", type=int, required=False)
@click.option("--raw", "raw_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write the reassembled bytes of each direction to DIR/stream-N-c2s.bin and -s2c.bin.")
@json_option
def stream_cmd(pcap: Path, index: int | None, raw_dir: Path | None, as_json: bool) -> None:
    """TCP streams (numbered like tshark's tcp.stream); with INDEX, follow that stream."""
    from forensics_kit.net.streams import follow_stream, follow_text, tcp_streams

    warnings: list[str] = []
    with progress_bar() as progress:
        table = tcp_streams(pcap, warnings, progress)
    if index is None:
        emit_records((s.to_dict() for s in table), STREAM_COLUMNS, as_json)
    else:
        segments = follow_stream(pcap, index)
        info = table[index]
        if raw_dir is not None:
            raw_dir.mkdir(parents=True, exist_ok=True)
            for direction in ("c2s", "s2c"):
                target = raw_dir / f"stream-{index}-{direction}.bin"
                target.write_bytes(b"".join(s.data for s in segments if s.direction == direction))
                if not as_json:
                    say(f"wrote {target}")
        elif as_json:
            emit_object({"stream": info.to_dict(), "segments": [s.to_dict() for s in segments]}, True)
        else:
            click.echo(follow_text(info, segments), nl=False)
    for problem in warnings:
        warn(problem)




CRED_COLUMNS = [("frame", "Frame"), ("stream", "Stream"), ("protocol", "Proto"), ("client", "Client"),
                ("server", "Server"), ("port", "Port"), ("username", "User"), ("password", "Password"),
                ("success", "OK"), ("kind", "How")]


@group.command("creds")
@PCAP
@json_option
def creds_cmd(pcap: Path, as_json: bool) -> None:
    """Cleartext logins: FTP, SMTP, POP3, IMAP, Telnet, HTTP Basic and forms."""
    from forensics_kit.net.creds import credentials

    warnings: list[str] = []
    with progress_bar() as progress:
        found = credentials(pcap, warnings, progress)
    emit_records((c.to_dict() for c in found), CRED_COLUMNS, as_json)
    for problem in warnings:
        warn(problem)
