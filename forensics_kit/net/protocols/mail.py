"""Mail messages carried by SMTP, POP3 and IMAP, parsed with the standard ``email`` package.

Headers are decoded (RFC 2047, so Cyrillic subjects read as text), the first
plain-text part is the body, and every part with a file name or an
``attachment`` disposition is an attachment, decoded (base64,
quoted-printable) with its size and hashes. A malformed message never
raises: what could not be read is noted.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field

from forensics_kit.hashing import hash_bytes

MAX_TEXT = 64 * 1024


@dataclass(slots=True)
class Attachment:
    """One decoded attachment."""

    name: str | None
    content_type: str
    size: int
    md5: str
    sha256: str
    data: bytes = b""

    def to_dict(self) -> dict:
        """JSON-ready values; the content itself is left out."""
        return {"name": self.name, "content_type": self.content_type, "size": self.size, "md5": self.md5,
                "sha256": self.sha256}


@dataclass(slots=True)
class MailMessage:
    """A message with where it was seen; ``raw`` is the message as transferred (dot-unstuffed)."""

    protocol: str
    stream: int
    frame: int
    client: str
    server: str
    mail_from: str | None = None
    rcpt_to: list[str] = field(default_factory=list)
    sender: str | None = None
    to: str | None = None
    subject: str | None = None
    date: str | None = None
    message_id: str | None = None
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    raw: bytes = b""
    notes: list[str] = field(default_factory=list)
    truncated: bool = False  # its stream passed the 64 MiB limit after it began: maybe incomplete

    def to_dict(self) -> dict:
        """JSON-ready values; the raw message is given by size and SHA-256."""
        return {"protocol": self.protocol, "stream": self.stream, "frame": self.frame, "client": self.client,
                "server": self.server, "mail_from": self.mail_from, "rcpt_to": list(self.rcpt_to),
                "from": self.sender, "to": self.to, "subject": self.subject, "date": self.date,
                "message_id": self.message_id, "body": self.body,
                "attachments": [a.to_dict() for a in self.attachments], "size": len(self.raw),
                "sha256": hash_bytes(self.raw, ("sha256",))["sha256"], "notes": list(self.notes),
                "truncated": self.truncated}


def _header(msg, name: str, notes: list[str]) -> str | None:
    try:
        value = msg.get(name)
    except Exception as exc:  # noqa: BLE001 - the email package raises many kinds on bad headers
        notes.append(f"header {name} unreadable: {exc}")
        return None
    return None if value is None else str(value)


def _text(part) -> str:
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")[:MAX_TEXT]
    except LookupError:
        return payload.decode("latin-1")[:MAX_TEXT]


def fill_message(message: MailMessage, raw: bytes) -> MailMessage:
    """Parse ``raw`` into the header, body and attachment fields of ``message``."""
    message.raw = raw
    notes = message.notes
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001
        notes.append(f"message not parsed: {exc}")
        return message
    message.sender = _header(msg, "From", notes)
    message.to = _header(msg, "To", notes)
    message.subject = _header(msg, "Subject", notes)
    message.date = _header(msg, "Date", notes)
    message.message_id = _header(msg, "Message-ID", notes)
    try:
        for part in msg.walk():
            if part.is_multipart():
                continue
            name = part.get_filename()
            disposition = (part.get_content_disposition() or "").lower()
            if name or disposition == "attachment":
                data = part.get_payload(decode=True) or b""
                digests = hash_bytes(data, ("md5", "sha256"))
                message.attachments.append(Attachment(name, part.get_content_type(), len(data), digests["md5"],
                                                      digests["sha256"], data))
            elif not message.body and part.get_content_type() == "text/plain":
                message.body = _text(part)
    except Exception as exc:  # noqa: BLE001
        notes.append(f"message parts not fully read: {exc}")
    return message


def unstuff(lines: list[bytes]) -> bytes:
    """Undo SMTP/POP3 dot-stuffing of message lines (the final "." line excluded)."""
    return b"".join(line[1:] if line.startswith(b"..") else line for line in lines)
