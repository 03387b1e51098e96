"""POP3: USER/PASS and APOP logins, and the messages fetched with RETR/TOP."""

from __future__ import annotations

from dataclasses import dataclass, field

from forensics_kit.net.protocols.base import Command, Credential, SessionParser, endpoints, lines
from forensics_kit.net.protocols.mail import MailMessage, fill_message, unstuff
from forensics_kit.net.protocols.smtp import plain_pair
from forensics_kit.net.streams import C2S, Conversation

_MULTILINE = {"RETR", "TOP", "CAPA"}
_MULTILINE_NO_ARG = {"LIST", "UIDL"}


@dataclass(slots=True)
class MailboxSession:
    """One POP3 or IMAP connection: commands, logins and the messages read."""

    protocol: str
    stream: int
    client: str
    cport: int
    server: str
    sport: int
    banner: str | None = None
    commands: list[Command] = field(default_factory=list)
    messages: list[MailMessage] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"protocol": self.protocol, "stream": self.stream, "client": self.client, "cport": self.cport,
                "server": self.server, "sport": self.sport, "banner": self.banner,
                "commands": [c.to_dict() for c in self.commands], "messages": [m.to_dict() for m in self.messages],
                "credentials": [c.to_dict() for c in self.credentials]}


def _ok(reply: str | None) -> bool | None:
    if reply is None:
        return None
    return reply.startswith("+OK") if reply[:1] in "+-" else None


class Pop3Parser(SessionParser):
    """POP3 on port 110, or sniffed from a ``+OK`` banner that says POP."""

    name = "pop3"
    ports = frozenset((110,))

    def sniff(self, payload: bytes, direction: str) -> bool:
        return direction != C2S and payload.startswith(b"+OK") and b"POP" in payload[:200].upper()

    def parse(self, conv: Conversation) -> list[MailboxSession]:
        info = conv.info
        session = MailboxSession("pop3", **endpoints(info))
        waiting: list[Command] = []
        body: list[bytes] | None = None
        current: Command | None = None
        user: str | None = None
        pending: list[tuple[str | None, str | None, Command, str]] = []
        auth_plain: Command | None = None
        for line in lines(conv.segments):
            if line.direction == C2S:
                text = line.text.strip()
                if auth_plain is not None:
                    name, password = plain_pair(text)
                    cmd = Command(line.frame, "AUTH-DATA", text)
                    waiting.append(cmd)
                    pending.append((name, password, cmd, "AUTH PLAIN"))
                    auth_plain = None
                    continue
                verb, _, arg = text.partition(" ")
                cmd = Command(line.frame, verb.upper(), arg)
                session.commands.append(cmd)
                waiting.append(cmd)
                if cmd.command == "USER":
                    user = arg
                elif cmd.command == "PASS":
                    pending.append((user, arg, cmd, "USER/PASS"))
                elif cmd.command == "APOP":
                    name, _, digest = arg.partition(" ")
                    pending.append((name, digest, cmd, "APOP (password is an MD5 digest)"))
                elif cmd.command == "AUTH" and arg.upper().startswith("PLAIN"):
                    initial = arg[5:].strip()
                    if initial:
                        name, password = plain_pair(initial)
                        pending.append((name, password, cmd, "AUTH PLAIN"))
                    else:
                        auth_plain = cmd
                continue
            if body is not None:
                if line.raw.rstrip(b"\r\n") == b".":
                    if current is not None and current.command in ("RETR", "TOP"):
                        message = MailMessage("pop3", info.index, line.frame, info.client, info.server)
                        session.messages.append(fill_message(message, unstuff(body)))
                    body, current = None, None
                else:
                    body.append(line.raw)
                continue
            text = line.text
            if session.banner is None and not session.commands and text.startswith("+OK"):
                session.banner = text[4:]
                continue
            if text[:1] not in "+-" or not waiting:
                continue
            if text.startswith("+ ") or text == "+":
                continue  # SASL continuation
            current = waiting.pop(0)
            current.reply_frame, current.reply = line.frame, text
            current.reply_code = text.split(" ", 1)[0]
            multi = current.command in _MULTILINE or (current.command in _MULTILINE_NO_ARG and not current.arg)
            if text.startswith("+OK") and multi:
                body = []
        for name, secret, cmd, kind in pending:
            session.credentials.append(Credential("pop3", info.client, info.server, info.sport, name, secret,
                                                  _ok(cmd.reply), cmd.frame, info.index, kind))
        return [session]
