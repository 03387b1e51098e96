"""Reference solver for net-03: every login, command, file and mail from the capture alone."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.hashing import hash_file
from forensics_kit.net import credentials, export_objects
from forensics_kit.net.protocols import read_sessions


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    capture = evidence["capture"]
    answers: dict[str, Any] = {}

    logins = credentials(capture)
    for c in logins:
        outcome = {True: "accepted", False: "REFUSED", None: "unknown"}[c.success]
        log(f"net creds: frame {c.frame} {c.protocol} {c.client} -> {c.server}:{c.port} "
            f"user {c.username!r} password {c.password!r} ({c.kind}) {outcome}")
    by_protocol = {p: [c for c in logins if c.protocol == p] for p in {c.protocol for c in logins}}
    refused = [c for c in logins if c.success is False]
    answers["failed_password"] = refused[0].password
    ftp_ok = next(c for c in by_protocol["ftp"] if c.success)
    answers["ftp_user"], answers["ftp_password"] = ftp_ok.username, ftp_ok.password
    answers["pop3_password"] = next(c for c in by_protocol["pop3"] if c.success).password

    sessions = {name: parser.results() for name, parser in read_sessions(capture).items()}

    telnet = next(s for s in sessions["telnet"] if s.commands)
    answers["telnet_user"] = telnet.username
    answers["telnet_commands"] = [c for c in telnet.commands if c.strip() != "exit"]
    log(f"net telnet: stream {telnet.stream} {telnet.client} -> {telnet.server}, user {telnet.username!r}, "
        f"typed: {'; '.join(answers['telnet_commands'])}")

    uploads = [f for s in sessions["ftp"] for f in s.files if f.direction == "upload"]
    upload = uploads[0]
    answers["upload_name"] = upload.name
    log(f"net ftp: {upload.command} {upload.name} ({upload.mode} mode, data stream {upload.data_stream}, "
        f"{upload.size} bytes); downloads: "
        f"{', '.join(f.name for s in sessions['ftp'] for f in s.files if f.direction == 'download')}")

    mail = next(m for s in sessions["smtp"] for m in s.messages if m.attachments)
    answers["mail_sender"] = mail.mail_from
    answers["mail_recipient"] = mail.rcpt_to[0]
    answers["attachment_name"] = mail.attachments[0].name
    log(f"net smtp: frame {mail.frame} MAIL FROM {mail.mail_from} RCPT TO {', '.join(mail.rcpt_to)}, "
        f"subject {mail.subject!r}, attachment {mail.attachments[0].name}")

    # Hash what an examiner hands over: the exported files themselves.
    with tempfile.TemporaryDirectory() as out:
        report = export_objects(capture, out)
        exported = {(o.protocol, o.original_name): o for o in report.objects}
        ftp_file = exported["ftp", upload.name]
        attachment = exported["smtp", mail.attachments[0].name]
        answers["upload_sha256"] = hash_file(Path(out) / ftp_file.name)["sha256"]
        answers["attachment_sha256"] = hash_file(Path(out) / attachment.name)["sha256"]
    log(f"net export: {ftp_file.name} (frames {ftp_file.frames}) SHA-256 {answers['upload_sha256']}")
    log(f"net export: attachment {attachment.name} SHA-256 {answers['attachment_sha256']}")
    return answers
