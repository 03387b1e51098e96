"""Telnet: option negotiation stripped, keystrokes rebuilt into typed lines, logins found.

The client's bytes are what was typed (the server's echo is ignored, so a
password that was not echoed is still read); backspace/DEL remove a
character and Ctrl-U a line. Each typed line is matched with the last line
the server printed before it: a ``login:``/``Username:`` prompt makes it the
user name, a ``Password:`` prompt the password; once logged in, the lines
typed are the commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forensics_kit.net.protocols.base import Credential, SessionParser, endpoints
from forensics_kit.net.streams import C2S, Conversation

IAC, SB, SE = 255, 250, 240
_USER_PROMPT = re.compile(r"(?i)(login|user ?name|user|логин|имя пользователя)\s*:\s*$")
_PASS_PROMPT = re.compile(r"(?i)(password|passcode|пароль)\s*:\s*$")
_FAILED = re.compile(r"(?i)(incorrect|failed|denied|invalid|неверн)")
MAX_OUTPUT = 1 << 20


def strip_iac(data: bytes, state: list[int]) -> bytes:
    """Remove Telnet commands; ``state`` ([mode]) carries a command split across segments."""
    out = bytearray()
    mode = state[0]  # 0 data, 1 after IAC, 2 option byte, 3 in SB, 4 IAC in SB
    for b in data:
        if mode == 0:
            if b == IAC:
                mode = 1
            else:
                out.append(b)
        elif mode == 1:
            if b == IAC:
                out.append(IAC)
                mode = 0
            elif b == SB:
                mode = 3
            elif 251 <= b <= 254:
                mode = 2
            else:
                mode = 0
        elif mode == 2:
            mode = 0
        elif mode == 3:
            mode = 4 if b == IAC else 3
        else:
            mode = 0 if b == SE else 3
    state[0] = mode
    return bytes(out)


@dataclass(slots=True)
class TypedLine:
    """One line typed by the client, the frame of its Enter and the prompt it answered."""

    frame: int
    text: str
    prompt: str

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"frame": self.frame, "text": self.text, "prompt": self.prompt}


@dataclass(slots=True)
class TelnetSession:
    """One Telnet connection: what was typed, what was shown, and the login."""

    stream: int
    client: str
    cport: int
    server: str
    sport: int
    typed: list[TypedLine] = field(default_factory=list)
    output: str = ""
    username: str | None = None
    password: str | None = None
    commands: list[str] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"stream": self.stream, "client": self.client, "cport": self.cport, "server": self.server,
                "sport": self.sport, "typed": [t.to_dict() for t in self.typed], "output": self.output,
                "username": self.username, "password": self.password, "commands": list(self.commands),
                "credentials": [c.to_dict() for c in self.credentials]}


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class TelnetParser(SessionParser):
    """Telnet on port 23, or sniffed from a first payload that starts with IAC negotiation."""

    name = "telnet"
    ports = frozenset((23,))

    def sniff(self, payload: bytes, direction: str) -> bool:
        return len(payload) >= 3 and payload[0] == IAC and 251 <= payload[1] <= 254

    def parse(self, conv: Conversation) -> list[TelnetSession]:
        info = conv.info
        session = TelnetSession(**endpoints(info))
        states = {C2S: [0], "s2c": [0]}
        output = bytearray()
        since_enter = bytearray()
        line = bytearray()
        last_cr = False
        prompt: str | None = None
        for seg in conv.segments:
            data = strip_iac(seg.data, states[seg.direction])
            if seg.direction != C2S:
                if len(output) < MAX_OUTPUT:
                    output += data
                since_enter += data
                del since_enter[:-4096]
                continue
            for b in data:
                if b in (0, 10) and last_cr:  # CR NUL / CR LF end one line
                    last_cr = False
                    continue
                last_cr = b == 13
                if prompt is None:  # the prompt as it was before the echo of this line
                    prompt = _text(bytes(since_enter)).replace("\r", "").split("\n")[-1].strip()
                if b in (13, 10):
                    session.typed.append(TypedLine(seg.frame, _text(bytes(line)), prompt))
                    line.clear()
                    since_enter.clear()
                    prompt = None
                elif b in (8, 127):
                    del line[-1:]
                elif b == 21:
                    line.clear()
                elif b >= 32 or b == 9:
                    line.append(b)
        self._login(session, info)
        session.output = _text(bytes(output)).replace("\r\n", "\n").replace("\0", "")
        return [session]

    @staticmethod
    def _login(session: TelnetSession, info) -> None:
        logged_in = False
        attempt: tuple[str | None, int] | None = None
        for i, typed in enumerate(session.typed):
            if _USER_PROMPT.search(typed.prompt):
                attempt = (typed.text, typed.frame)
                continue
            if _PASS_PROMPT.search(typed.prompt):
                user = attempt[0] if attempt else None
                after = session.typed[i + 1].prompt if i + 1 < len(session.typed) else ""
                ok: bool | None = None
                if after:
                    ok = not (_FAILED.search(after) or _USER_PROMPT.search(after) or _PASS_PROMPT.search(after))
                session.credentials.append(Credential("telnet", info.client, info.server, info.sport, user,
                                                      typed.text, ok, typed.frame, info.index, "login prompt"))
                if ok is not False:
                    session.username, session.password = user, typed.text
                logged_in = ok is not False
                attempt = None
                continue
            if logged_in and typed.text.strip():
                session.commands.append(typed.text)
