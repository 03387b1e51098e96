"""The contract of a cleartext-protocol parser, its registry, and the shared records.

A parser is a small class: a ``name``, the server ``ports`` it claims, an
optional cheap ``sniff`` of a stream's first payload (for services moved to
other ports), and ``parse`` which turns one reassembled
:class:`~forensics_kit.net.streams.Conversation` into session records.
Subclasses register themselves by name; :func:`parser_class` names the known
ones when asked for another. Parsers never raise on malformed payloads: what
cannot be read is skipped and noted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from forensics_kit.errors import ForensicsKitError
from forensics_kit.net.streams import Conversation, Segment, StreamInfo

MAX_LINE = 64 * 1024


@dataclass(slots=True)
class Credential:
    """A user name and/or secret seen in cleartext, with where it was seen.

    ``success`` is True/False when the server's answer says so, None when
    unknown; ``kind`` tells the mechanism (``USER/PASS``, ``AUTH PLAIN``,
    ``Basic``, ``form``, ``APOP`` (the password is a digest), ...).
    """

    protocol: str
    client: str
    server: str
    port: int
    username: str | None
    password: str | None
    success: bool | None
    frame: int
    stream: int
    kind: str = ""

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"protocol": self.protocol, "client": self.client, "server": self.server, "port": self.port,
                "username": self.username, "password": self.password, "success": self.success,
                "frame": self.frame, "stream": self.stream, "kind": self.kind}


@dataclass(slots=True)
class Command:
    """One client command and the server's final reply to it."""

    frame: int
    command: str
    arg: str
    reply_frame: int | None = None
    reply_code: str | None = None
    reply: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready values."""
        return {"frame": self.frame, "command": self.command, "arg": self.arg, "reply_frame": self.reply_frame,
                "reply_code": self.reply_code, "reply": self.reply}


@dataclass(slots=True)
class Line:
    """One line of one direction (end of line included) and the frame that completed it."""

    direction: str
    frame: int
    ts_ns: int
    raw: bytes

    @property
    def text(self) -> str:
        """The line without its end, as text (UTF-8, else Latin-1)."""
        body = self.raw.rstrip(b"\r\n")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode("latin-1")


def lines(segments: list[Segment]) -> list[Line]:
    """Split both directions into lines, in the order they were completed.

    A line longer than MAX_LINE is cut there; bytes left after the last line
    end of a direction form a last line of their own.
    """
    out: list[Line] = []
    pending: dict[str, tuple[bytearray, int, int]] = {}
    for seg in segments:
        buf, _, _ = pending.get(seg.direction, (bytearray(), 0, 0))
        buf += seg.data
        start = 0
        while True:
            end = buf.find(b"\n", start)
            if end < 0:
                if len(buf) - start > MAX_LINE:
                    end = start + MAX_LINE - 1
                else:
                    break
            out.append(Line(seg.direction, seg.frame, seg.ts_ns, bytes(buf[start : end + 1])))
            start = end + 1
        del buf[:start]
        pending[seg.direction] = (buf, seg.frame, seg.ts_ns)
    for direction, (buf, frame, ts_ns) in pending.items():
        if buf:
            out.append(Line(direction, frame, ts_ns, bytes(buf)))
    return out


def endpoints(info: StreamInfo) -> dict:
    """The client/server fields every session record starts with."""
    return {"stream": info.index, "client": info.client, "cport": info.cport, "server": info.server,
            "sport": info.sport}


class SessionParser:
    """Base of the per-protocol parsers; subclasses with a ``name`` register themselves.

    Contract: ``ports`` are server ports claimed outright; ``sniff(payload,
    direction)`` may claim a stream on another port from its first payload
    (keep it cheap); ``watch`` sees each segment as it is reassembled;
    ``take`` receives each finished conversation; ``results()`` returns the
    session records once the capture has been read.
    """

    name: ClassVar[str] = ""
    ports: ClassVar[frozenset[int]] = frozenset()
    registry: ClassVar[dict[str, type[SessionParser]]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.name:
            SessionParser.registry[cls.name] = cls

    def __init__(self) -> None:
        self.sessions: list = []

    def wants(self, info: StreamInfo, payload: bytes, direction: str) -> bool:
        """True when this parser should read the stream."""
        if info.sport in self.ports:
            return True
        return bool(payload) and self.sniff(payload, direction)

    def sniff(self, payload: bytes, direction: str) -> bool:
        """Claim a stream on a non-standard port from its first payload; default no."""
        return False

    def watch(self, conv: Conversation, segment: Segment) -> None:
        """See a segment as soon as it is reassembled; default nothing."""

    def take(self, conv: Conversation) -> None:
        """Parse one finished conversation into :attr:`sessions`.

        A conversation cut at the stream limit marks the last mail it carried
        ``truncated``: that message may be incomplete.
        """
        sessions = self.parse(conv)
        if conv.truncated:
            for session in sessions:
                messages = getattr(session, "messages", None)
                if messages:
                    messages[-1].truncated = True
        self.sessions.extend(sessions)

    def parse(self, conv: Conversation) -> list:
        raise NotImplementedError

    def results(self) -> list:
        """The sessions, in order of stream."""
        return sorted(self.sessions, key=lambda s: s.stream)

    def credentials(self) -> list[Credential]:
        """Every credential found in the sessions."""
        return [c for s in self.results() for c in getattr(s, "credentials", [])]


class UnknownProtocolError(ForensicsKitError):
    """A protocol name that no parser has."""


def parser_class(name: str) -> type[SessionParser]:
    """The parser registered as ``name``; the error lists the known ones."""
    try:
        return SessionParser.registry[name]
    except KeyError:
        known = ", ".join(sorted(SessionParser.registry))
        raise UnknownProtocolError(f"unknown protocol {name!r} (known: {known})") from None
