"""FTP: commands and replies, logins, and the files of passive and active data connections.

The control connection is read line by line. Data connections are found the
way the server announced them: a ``227``/``229`` reply (passive) or a
``PORT``/``EPRT`` command (active) names the listening endpoint, and the
next TCP stream to that endpoint carries the file of the next transfer
command. ``watch`` learns those endpoints while the capture is being read, so
the data streams are reassembled too, byte-exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from forensics_kit.hashing import hash_bytes
from forensics_kit.net.protocols.base import Command, Credential, SessionParser, endpoints, lines
from forensics_kit.net.streams import C2S, Conversation, Segment, StreamInfo

_PASV = re.compile(rb"227 [^\r\n]*?(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})")
_EPSV = re.compile(rb"229 [^\r\n]*?\((.)\1\1(\d{1,5})\1\)")
_PORT = re.compile(rb"(?i)PORT (\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3}),(\d{1,3})")
_EPRT = re.compile(rb"(?i)EPRT (.)([12])\1([0-9A-Fa-f:.]+)\1(\d{1,5})\1")
_REPLY = re.compile(r"^(\d{3})( |$)")
TRANSFERS = {"RETR": "download", "STOR": "upload", "STOU": "upload", "APPE": "upload",
             "LIST": "listing", "NLST": "listing", "MLSD": "listing"}


@dataclass(slots=True)
class FtpFile:
    """One data-connection transfer, rebuilt byte-exact."""

    name: str
    command: str
    direction: str
    mode: str
    command_frame: int
    data_stream: int | None
    frames: tuple[int, int] | None
    size: int
    md5: str | None
    sha256: str | None
    data: bytes = b""
    complete: bool | None = None
    truncated: bool = False  # the data connection passed the 64 MiB limit: ``data`` is cut there

    def to_dict(self) -> dict:
        """JSON-ready values; the content itself is left out."""
        return {"name": self.name, "command": self.command, "direction": self.direction, "mode": self.mode,
                "command_frame": self.command_frame, "data_stream": self.data_stream,
                "frames": list(self.frames) if self.frames else None, "size": self.size, "md5": self.md5,
                "sha256": self.sha256, "complete": self.complete, "truncated": self.truncated}


@dataclass(slots=True)
class FtpSession:
    """One control connection: commands with replies, logins and transferred files."""

    stream: int
    client: str
    cport: int
    server: str
    sport: int
    banner: str | None = None
    commands: list[Command] = field(default_factory=list)
    files: list[FtpFile] = field(default_factory=list)
    credentials: list[Credential] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"stream": self.stream, "client": self.client, "cport": self.cport, "server": self.server,
                "sport": self.sport, "banner": self.banner, "commands": [c.to_dict() for c in self.commands],
                "files": [f.to_dict() for f in self.files], "credentials": [c.to_dict() for c in self.credentials]}


def _hostport(numbers: tuple[bytes, ...]) -> tuple[str, int]:
    h = ".".join(str(int(n)) for n in numbers[:4])
    return h, int(numbers[4]) * 256 + int(numbers[5])


class FtpParser(SessionParser):
    """FTP control connections on port 21 (or sniffed by a 220 banner with "FTP") and their data."""

    name = "ftp"
    ports = frozenset((21,))

    def __init__(self) -> None:
        super().__init__()
        self.expected: set[tuple[str, int]] = set()
        self.data: list[Conversation] = []
        self.control: list[Conversation] = []

    def sniff(self, payload: bytes, direction: str) -> bool:
        return direction != C2S and payload.startswith(b"220") and b"FTP" in payload[:200].upper()

    def wants(self, info: StreamInfo, payload: bytes, direction: str) -> bool:
        return (info.server, info.sport) in self.expected or super().wants(info, payload, direction)

    def watch(self, conv: Conversation, segment: Segment) -> None:
        if (conv.info.server, conv.info.sport) in self.expected:
            return
        data, info = segment.data, conv.info
        if segment.direction == C2S:
            for m in _PORT.finditer(data):
                self.expected.add(_hostport(m.groups()))
            for m in _EPRT.finditer(data):
                self.expected.add((m.group(3).decode(), int(m.group(4))))
        else:
            for m in _PASV.finditer(data):
                self.expected.add(_hostport(m.groups()))
            for m in _EPSV.finditer(data):
                self.expected.add((info.server, int(m.group(2))))

    def take(self, conv: Conversation) -> None:
        is_data = (conv.info.server, conv.info.sport) in self.expected and conv.info.sport not in self.ports
        (self.data if is_data else self.control).append(conv)

    def results(self) -> list[FtpSession]:
        if not self.sessions:
            used: set[int] = set()
            self.sessions = [self._parse(conv, used) for conv in sorted(self.control, key=lambda c: c.info.index)]
        return self.sessions

    def _data_conv(self, endpoint: tuple[str, int] | None, after: int, used: set[int]) -> Conversation | None:
        if endpoint is None:
            return None
        for conv in sorted(self.data, key=lambda c: c.info.index):
            info = conv.info
            if (info.server, info.sport) == endpoint and info.index not in used and info.last_frame >= after:
                used.add(info.index)
                return conv
        return None

    def _parse(self, conv: Conversation, used: set[int]) -> FtpSession:
        session = FtpSession(**endpoints(conv.info))
        info = conv.info
        waiting: list[Command] = []
        endpoint: tuple[str, int] | None = None
        mode = "passive"
        user: tuple[str, int] | None = None
        transfers: list[tuple[Command, tuple[str, int] | None, str]] = []
        for line in lines(conv.segments):
            text = line.text
            if line.direction == C2S:
                verb, _, arg = text.strip().partition(" ")
                cmd = Command(line.frame, verb.upper(), arg)
                session.commands.append(cmd)
                waiting.append(cmd)
                if cmd.command == "PORT" or cmd.command == "EPRT":
                    found = _PORT.search(line.raw) or _EPRT.search(line.raw)
                    if found:
                        endpoint = _hostport(found.groups()) if cmd.command == "PORT" else (
                            found.group(3).decode(), int(found.group(4)))
                        mode = "active"
                elif cmd.command in TRANSFERS:
                    transfers.append((cmd, endpoint, mode))
                    endpoint = None
                continue
            m = _REPLY.match(text)
            if not m:
                continue
            if session.banner is None and m.group(1) == "220" and not waiting:
                session.banner = text[4:]
                continue
            if m.group(1).startswith("1") or not waiting:
                continue
            cmd = waiting.pop(0)
            cmd.reply_frame, cmd.reply_code, cmd.reply = line.frame, m.group(1), text[4:]
            if cmd.command == "PASV" and (found := _PASV.search(line.raw)):
                endpoint, mode = _hostport(found.groups()), "passive"
            elif cmd.command == "EPSV" and (found := _EPSV.search(line.raw)):
                endpoint, mode = (info.server, int(found.group(2))), "passive"
            elif cmd.command == "USER":
                user = (cmd.arg, cmd.frame)
                if cmd.reply_code == "230":
                    session.credentials.append(self._cred(info, cmd.arg, None, True, cmd.frame))
            elif cmd.command == "PASS":
                name = user[0] if user else None
                ok = True if cmd.reply_code == "230" else False if cmd.reply_code[0] in "45" else None
                session.credentials.append(self._cred(info, name, cmd.arg, ok, cmd.frame))
        for cmd, where, how in transfers:
            session.files.append(self._file(cmd, where, how, used))
        return session

    def _file(self, cmd: Command, where: tuple[str, int] | None, how: str, used: set[int]) -> FtpFile:
        data_conv = self._data_conv(where, cmd.frame, used)
        content, frames, stream = b"", None, None
        if data_conv is not None:
            c2s, s2c = data_conv.data(C2S), data_conv.data("s2c")
            content = c2s if len(c2s) >= len(s2c) else s2c
            frames = (data_conv.info.first_frame, data_conv.info.last_frame)
            stream = data_conv.info.index
        name = cmd.arg.strip() or cmd.command.lower()
        digests = hash_bytes(content, ("md5", "sha256")) if data_conv is not None else {}
        return FtpFile(name, cmd.command, TRANSFERS[cmd.command], how, cmd.frame, stream, frames, len(content),
                       digests.get("md5"), digests.get("sha256"), content,
                       cmd.reply_code == "226" or cmd.reply_code == "250" if cmd.reply_code else None,
                       data_conv is not None and data_conv.truncated)

    @staticmethod
    def _cred(info: StreamInfo, user: str | None, password: str | None, ok: bool | None, frame: int) -> Credential:
        return Credential("ftp", info.client, info.server, info.sport, user, password, ok, frame, info.index,
                          "USER/PASS")
