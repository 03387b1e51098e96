"""``fklab net stream|export|creds|ftp|smtp|telnet``: TCP streams, exported objects, cleartext logins."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.net import PCAP, emit_one, group, warn_all
from forensics_kit.cli.output import emit_records, say, status

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
    from forensics_kit.net.streams import follow_stream, follow_text, tcp_streams, write_raw

    warnings: list[str] = []
    with progress_bar() as progress:
        table = tcp_streams(pcap, warnings, progress)
    if index is None:
        emit_records((s.to_dict() for s in table), STREAM_COLUMNS, as_json)
    else:
        segments = follow_stream(pcap, index)
        info = table[index]
        if raw_dir is not None:
            for row in write_raw(segments, index, raw_dir):
                if as_json:
                    emit_one(row, True)
                else:
                    say(status("wrote", target=row["path"]))
        elif as_json:
            emit_one({"stream": info.to_dict(), "segments": [s.to_dict() for s in segments]}, True)
        else:
            click.echo(follow_text(info, segments), nl=False)
    warn_all(warnings)




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
    warn_all(warnings)


@group.command("export")
@PCAP
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the exported files and manifest.csv/manifest.json.")
@click.option("--protocol", "protocols", default="http,ftp,smtp,pop3,imap", show_default=True,
              help="Comma-separated protocols to export.")
@json_option
def export_cmd(pcap: Path, out_dir: Path, protocols: str, as_json: bool) -> None:
    """Export objects: HTTP bodies, FTP files, mails (.eml) and their attachments, with a manifest."""
    from forensics_kit.net.export import export_objects

    with progress_bar() as progress:
        report = export_objects(pcap, out_dir, [p.strip() for p in protocols.split(",") if p.strip()], progress)
    if as_json:
        emit_one(report.to_dict(), True)
    else:
        emit_records((o.to_dict() for o in report.objects),
                     [("name", "File"), ("size", "Size"), ("protocol", "Proto"), ("stream", "Stream"),
                      ("frames", "Frames"), ("sha256", "SHA-256"), ("original_name", "Original name")], False)
        say(status("objects-written", objects=len(report.objects), out=report.out_dir))
    warn_all(report.warnings)


def _sessions(pcap: Path, name: str) -> list:
    from forensics_kit.net.protocols import read_sessions

    warnings: list[str] = []
    with progress_bar() as progress:
        found = read_sessions(pcap, [name], warnings=warnings, progress=progress)[name].results()
    warn_all(warnings)
    return found


COMMAND_COLUMNS = [("stream", "Stream"), ("frame", "Frame"), ("command", "Command"), ("arg", "Argument"),
                   ("reply_code", "Reply"), ("reply", "Reply text")]


def _commands(sessions: list) -> list[dict]:
    return [{"stream": s.stream, **c.to_dict()} for s in sessions for c in s.commands]


@group.command("ftp")
@PCAP
@json_option
def ftp_cmd(pcap: Path, as_json: bool) -> None:
    """FTP sessions: commands with replies, then the files transferred (passive and active)."""
    sessions = _sessions(pcap, "ftp")
    if as_json:
        for session in sessions:
            emit_one(session.to_dict(), True)
        return
    emit_records(_commands(sessions), COMMAND_COLUMNS, False, title="FTP commands")
    files = [{"stream": s.stream, **f.to_dict()} for s in sessions for f in s.files]
    emit_records(files, [("stream", "Stream"), ("command_frame", "Frame"), ("name", "Name"), ("direction", "Dir"),
                         ("mode", "Mode"), ("data_stream", "Data stream"), ("size", "Size"), ("sha256", "SHA-256"),
                         ("complete", "Complete")], False, title="FTP files")


@group.command("smtp")
@PCAP
@json_option
def smtp_cmd(pcap: Path, as_json: bool) -> None:
    """SMTP sessions: commands, then each mail (envelope, headers, attachments)."""
    sessions = _sessions(pcap, "smtp")
    if as_json:
        for session in sessions:
            emit_one(session.to_dict(), True)
        return
    emit_records(_commands(sessions), COMMAND_COLUMNS, False, title="SMTP commands")
    mails = [m.to_dict() for s in sessions for m in s.messages]
    for mail in mails:
        mail["attachments"] = [f"{a['name']} ({a['size']} B, sha256 {a['sha256'][:16]}...)"
                               for a in mail["attachments"]]
    emit_records(mails, [("stream", "Stream"), ("frame", "Frame"), ("mail_from", "MAIL FROM"), ("rcpt_to", "RCPT TO"),
                         ("from", "From"), ("subject", "Subject"), ("date", "Date"), ("attachments", "Attachments")],
                 False, title="Mails")


@group.command("telnet")
@PCAP
@json_option
def telnet_cmd(pcap: Path, as_json: bool) -> None:
    """Telnet sessions: login, and every line typed with the prompt it answered."""
    sessions = _sessions(pcap, "telnet")
    if as_json:
        for session in sessions:
            emit_one(session.to_dict(), True)
        return
    rows = [{"stream": s.stream, **t.to_dict()} for s in sessions for t in s.typed]
    emit_records(rows, [("stream", "Stream"), ("frame", "Frame"), ("prompt", "Prompt"), ("text", "Typed")], False,
                 title="Typed lines")
    for s in sessions:
        say(status("telnet-session", stream=s.stream, user=s.username or "-", password=s.password or "-",
                   commands=len(s.commands), typed="; ".join(s.commands)))
