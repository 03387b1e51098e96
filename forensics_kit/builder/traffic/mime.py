"""Internet mail messages (RFC 5322 + MIME) written byte for byte, as Thunderbird would send them.

Built by hand rather than with :mod:`email` so that the bytes (line folding,
boundary, header order) never change with the Python version; the boundary
and Message-ID come from the session's seeded generator.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from email.utils import formatdate

from forensics_kit.errors import RecipeError
from forensics_kit.hashing import hash_bytes


@dataclass(frozen=True)
class Attachment:
    """A file attached to a mail: its name, bytes and MIME type."""

    name: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass
class Mail:
    """What a mail says; ``date`` is POSIX seconds (the session fills it in when sent)."""

    sender: str
    recipients: list[str]
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    sender_name: str = ""


def _header_text(value: str) -> str:
    """ASCII stays as it is; anything else becomes one RFC 2047 UTF-8 base64 encoded word."""
    if value.isascii():
        return value
    return f"=?UTF-8?B?{base64.b64encode(value.encode('utf-8')).decode()}?="


def _base64_lines(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "".join(text[i:i + 76] + "\r\n" for i in range(0, len(text), 76))


def _check(item: str, mail: Mail) -> None:
    for value in (mail.sender, mail.subject, mail.sender_name, *mail.recipients,
                  *(a.name for a in mail.attachments), *(a.content_type for a in mail.attachments)):
        if any(c in value for c in "\r\n\"") and value is not mail.subject:
            raise RecipeError("traffic", item, f"mail field {value!r} must be one line without quotes")
    if any(c in mail.subject for c in "\r\n"):
        raise RecipeError("traffic", item, "the mail subject must be one line")
    if not mail.recipients:
        raise RecipeError("traffic", item, "a mail needs at least one recipient")
    for address in (mail.sender, *mail.recipients):
        if "@" not in address or " " in address or "<" in address:
            raise RecipeError("traffic", item, f"mail address {address!r} is not user@domain")


def build_message(item: str, mail: Mail, date: int, rng: random.Random) -> tuple[bytes, dict]:
    """The message bytes (CRLF lines) and its truth: headers, body, attachments' hashes."""
    _check(item, mail)
    domain = mail.sender.rpartition("@")[2]
    message_id = f"<{rng.getrandbits(64):016x}.{rng.getrandbits(32):08x}@{domain}>"
    sender = f"{_header_text(mail.sender_name)} <{mail.sender}>" if mail.sender_name else mail.sender
    date_text = formatdate(date, usegmt=False).replace("-0000", "+0000")
    headers = [
        ("Message-ID", message_id),
        ("Date", date_text),
        ("MIME-Version", "1.0"),
        ("From", sender),
        ("To", ", ".join(mail.recipients)),
        ("Subject", _header_text(mail.subject)),
    ]
    body = mail.body.replace("\r\n", "\n").replace("\n", "\r\n")
    if not body.endswith("\r\n"):
        body += "\r\n"
    text_encoding = "7bit" if body.isascii() else "base64"
    text_part = body if body.isascii() else _base64_lines(body.encode("utf-8"))
    if not mail.attachments:
        headers += [("Content-Type", "text/plain; charset=UTF-8; format=flowed"),
                    ("Content-Transfer-Encoding", text_encoding)]
        content = text_part
    else:
        boundary = f"------------{rng.getrandbits(96):024X}"
        headers.append(("Content-Type", f'multipart/mixed; boundary="{boundary}"'))
        parts = ["This is a multi-part message in MIME format.\r\n"]
        parts.append(f"--{boundary}\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n"
                     f"Content-Transfer-Encoding: {text_encoding}\r\n\r\n{text_part}\r\n")
        for attachment in mail.attachments:
            parts.append(f"--{boundary}\r\nContent-Type: {attachment.content_type}; name=\"{attachment.name}\"\r\n"
                         f"Content-Disposition: attachment; filename=\"{attachment.name}\"\r\n"
                         f"Content-Transfer-Encoding: base64\r\n\r\n{_base64_lines(attachment.data)}\r\n")
        parts.append(f"--{boundary}--\r\n")
        content = "".join(parts)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    raw = (head + "\r\n" + content).encode("utf-8")
    truth = {
        "from": mail.sender, "to": list(mail.recipients), "subject": mail.subject,
        "date": date_text, "message_id": message_id, "body": mail.body,
        "attachments": [{"name": a.name, "content_type": a.content_type, "size": len(a.data),
                         **{k: v for k, v in hash_bytes(a.data).items() if k in ("sha256", "md5")}}
                        for a in mail.attachments],
        "message_size": len(raw), "message_sha256": hash_bytes(raw)["sha256"],
    }
    return raw, truth


def dot_stuffed(message: bytes) -> bytes:
    """The message as SMTP DATA / POP3 RETR carry it: leading dots doubled, ended by CRLF.CRLF."""
    lines = message.split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return b"".join((b"." + line if line.startswith(b".") else line) + b"\r\n" for line in lines) + b".\r\n"
