"""SMTP: envelope, AUTH LOGIN/PLAIN credentials, and the messages sent with DATA."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from forensics_kit.net.protocols.base import Command, Credential, SessionParser, endpoints, lines
from forensics_kit.net.protocols.mail import MailMessage, fill_message, unstuff
from forensics_kit.net.streams import C2S, Conversation

_ADDRESS = re.compile(r"<([^>]*)>")
_FINAL = re.compile(r"^(\d{3})( |$)")


def b64text(value: str) -> str | None:
    """Decode base64 to text, None when it is not base64."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def plain_pair(value: str) -> tuple[str | None, str | None]:
    """User and password of a SASL PLAIN response (authzid NUL user NUL password)."""
    text = b64text(value)
    if text is None:
        return None, None
    parts = text.split("\0")
    if len(parts) < 3:
        return None, None
    return parts[1] or parts[0], parts[2]


@dataclass(slots=True)
class SmtpSession:
    """One SMTP connection."""

    stream: int
    client: str
    cport: int
    server: str
    sport: int
    helo: str | None = None
    commands: list[Command] = field(default_factory=list)
    messages: list[MailMessage] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"stream": self.stream, "client": self.client, "cport": self.cport, "server": self.server,
                "sport": self.sport, "helo": self.helo, "commands": [c.to_dict() for c in self.commands],
                "messages": [m.to_dict() for m in self.messages],
                "credentials": [c.to_dict() for c in self.credentials]}


class SmtpParser(SessionParser):
    """SMTP on ports 25, 587 and 2525, or sniffed from a ``220 ... SMTP`` banner."""

    name = "smtp"
    ports = frozenset((25, 587, 2525))

    def sniff(self, payload: bytes, direction: str) -> bool:
        head = payload[:200].upper()
        return direction != C2S and head.startswith(b"220") and (b"SMTP" in head or b"ESMTP" in head)

    def parse(self, conv: Conversation) -> list[SmtpSession]:
        info = conv.info
        session = SmtpSession(**endpoints(info))
        waiting: list[Command] = []
        mode = "command"
        data: list[bytes] = []
        envelope: tuple[str | None, list[str]] = (None, [])
        auth: dict | None = None
        logins: list[tuple[dict, Command]] = []
        for line in lines(conv.segments):
            if line.direction == C2S:
                if mode == "data":
                    if line.raw.rstrip(b"\r\n") == b".":
                        mode = "command"
                        message = MailMessage("smtp", info.index, line.frame, info.client, info.server,
                                              envelope[0], list(envelope[1]))
                        session.messages.append(fill_message(message, unstuff(data)))
                        data, envelope = [], (None, [])
                        waiting.append(Command(line.frame, ".", ""))
                    else:
                        data.append(line.raw)
                    continue
                text = line.text.strip()
                if auth is not None and auth["steps"]:
                    step = auth["steps"].pop(0)
                    cmd = Command(line.frame, "AUTH-DATA", text)
                    waiting.append(cmd)
                    if step == "plain":
                        auth["user"], auth["password"] = plain_pair(text)
                    else:
                        auth[step] = b64text(text)
                    if not auth["steps"]:
                        logins.append((auth, cmd))
                        auth = None
                    continue
                verb, _, arg = text.partition(" ")
                cmd = Command(line.frame, verb.upper(), arg)
                session.commands.append(cmd)
                waiting.append(cmd)
                if cmd.command in ("EHLO", "HELO"):
                    session.helo = arg
                elif cmd.command == "MAIL":
                    found = _ADDRESS.search(arg)
                    envelope = (found.group(1) if found else arg.partition(":")[2].strip(), [])
                elif cmd.command == "RCPT":
                    found = _ADDRESS.search(arg)
                    envelope[1].append(found.group(1) if found else arg.partition(":")[2].strip())
                elif cmd.command == "DATA":
                    mode = "data"
                elif cmd.command == "AUTH":
                    auth = self._auth(arg, line.frame, logins, cmd)
                continue
            m = _FINAL.match(line.text)
            if m and waiting:
                cmd = waiting.pop(0)
                cmd.reply_frame, cmd.reply_code, cmd.reply = line.frame, m.group(1), line.text[4:]
                if cmd.command == "DATA" and m.group(1) != "354":
                    mode = "command"
        if mode == "data" and data:  # the mail's final "." never came: keep what was sent, say so
            message = MailMessage("smtp", info.index, conv.info.last_frame, info.client, info.server,
                                  envelope[0], list(envelope[1]))
            message.notes.append("the message ends before its final '.': the capture or the stream stops")
            session.messages.append(fill_message(message, unstuff(data)))
        for found, cmd in logins:
            ok = None if cmd.reply_code is None else cmd.reply_code.startswith("2")
            if cmd.reply_code and cmd.reply_code[0] not in "245":
                ok = None
            session.credentials.append(Credential("smtp", info.client, info.server, info.sport, found.get("user"),
                                                  found.get("password"), ok, cmd.frame, info.index,
                                                  found["kind"]))
        return [session]

    @staticmethod
    def _auth(arg: str, frame: int, logins: list, cmd: Command) -> dict | None:
        mech, _, initial = arg.partition(" ")
        mech = mech.upper()
        if mech == "PLAIN":
            auth = {"kind": "AUTH PLAIN", "frame": frame, "steps": []}
            if initial.strip() and initial.strip() != "=":
                auth["user"], auth["password"] = plain_pair(initial)
                logins.append((auth, cmd))
                return None
            auth["steps"] = ["plain"]
            return auth
        if mech == "LOGIN":
            auth = {"kind": "AUTH LOGIN", "frame": frame, "steps": ["user", "password"]}
            if initial.strip():
                auth["user"] = b64text(initial)
                auth["steps"] = ["password"]
            return auth
        return None
