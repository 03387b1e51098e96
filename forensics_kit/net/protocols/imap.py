"""IMAP: LOGIN and AUTHENTICATE PLAIN credentials, and the message bodies FETCH returned."""

from __future__ import annotations

import re

from forensics_kit.net.protocols.base import Command, Credential, SessionParser, endpoints, lines
from forensics_kit.net.protocols.mail import MailMessage, fill_message
from forensics_kit.net.protocols.pop3 import MailboxSession
from forensics_kit.net.protocols.smtp import plain_pair
from forensics_kit.net.streams import C2S, Conversation

_LITERAL = re.compile(rb"\{(\d{1,10})\}\r?\n$")
_WHOLE = re.compile(rb"(?i)(BODY(\.PEEK)?\[\]|RFC822)(<\d+>)? \{\d+\}\r?\n$")
_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _args(text: str) -> list[str]:
    """IMAP astring arguments: quoted strings (with \\ escapes) or atoms."""
    return [re.sub(r"\\(.)", r"\1", q) if q or not a else a for q, a in _ARG.findall(text)]


class ImapParser(SessionParser):
    """IMAP on port 143, or sniffed from a ``* OK`` banner that says IMAP."""

    name = "imap"
    ports = frozenset((143,))

    def sniff(self, payload: bytes, direction: str) -> bool:
        return direction != C2S and payload.startswith(b"* OK") and b"IMAP" in payload[:200].upper()

    def parse(self, conv: Conversation) -> list[MailboxSession]:
        info = conv.info
        session = MailboxSession("imap", **endpoints(info))
        tags: dict[str, Command] = {}
        pending: list[tuple[str | None, str | None, Command, str]] = []
        auth_plain: Command | None = None
        literal: tuple[int, bytearray, bool] | None = None
        for line in lines(conv.segments):
            if line.direction == C2S:
                text = line.text.strip()
                if auth_plain is not None:
                    name, password = plain_pair(text)
                    pending.append((name, password, auth_plain, "AUTHENTICATE PLAIN"))
                    auth_plain = None
                    continue
                tag, _, rest = text.partition(" ")
                verb, _, arg = rest.partition(" ")
                cmd = Command(line.frame, verb.upper(), arg)
                session.commands.append(cmd)
                tags[tag] = cmd
                if cmd.command == "LOGIN":
                    found = _args(arg)
                    pending.append((found[0] if found else None, found[1] if len(found) > 1 else None, cmd,
                                    "LOGIN"))
                elif cmd.command == "AUTHENTICATE" and arg.upper().startswith("PLAIN"):
                    initial = arg[5:].strip()
                    if initial:
                        pending.append((*plain_pair(initial), cmd, "AUTHENTICATE PLAIN"))
                    else:
                        auth_plain = cmd
                continue
            if literal is not None:
                size, buf, whole = literal
                buf += line.raw
                if len(buf) >= size:
                    if whole:
                        message = MailMessage("imap", info.index, line.frame, info.client, info.server)
                        session.messages.append(fill_message(message, bytes(buf[:size])))
                    rest = bytes(buf[size:])
                    literal = None
                    if (m := _LITERAL.search(rest)) is not None:
                        literal = (int(m.group(1)), bytearray(), bool(_WHOLE.search(rest)))
                continue
            if (m := _LITERAL.search(line.raw)) is not None:
                literal = (int(m.group(1)), bytearray(), bool(_WHOLE.search(line.raw)))
                continue
            text = line.text
            if session.banner is None and text.startswith("* OK") and not session.commands:
                session.banner = text[5:]
                continue
            tag, _, rest = text.partition(" ")
            if tag in tags:
                cmd = tags.pop(tag)
                cmd.reply_frame, cmd.reply = line.frame, rest
                cmd.reply_code = rest.split(" ", 1)[0].upper()
        for name, secret, cmd, kind in pending:
            ok = None if cmd.reply_code is None else cmd.reply_code == "OK"
            session.credentials.append(Credential("imap", info.client, info.server, info.sport, name, secret, ok,
                                                  cmd.frame, info.index, kind))
        return [session]
