"""Cleartext protocols read from reassembled TCP streams: FTP, SMTP, POP3, IMAP, Telnet.

:func:`read_sessions` makes one pass over a capture with the parsers asked
for; each stream goes to the first parser that claims it (by server port,
else by sniffing its first payload). HTTP logins come from
:mod:`.http_auth`, which reuses :func:`~forensics_kit.net.http.http_transactions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from forensics_kit.net.protocols import ftp, imap, pop3, smtp, telnet  # noqa: F401 - registers the parsers
from forensics_kit.net.protocols.base import Credential, SessionParser, UnknownProtocolError, parser_class
from forensics_kit.net.streams import Progress, StreamInfo, collect_streams

STREAM_PROTOCOLS = ("ftp", "smtp", "pop3", "imap", "telnet")


def read_sessions(path: str | Path, protocols: Iterable[str] = STREAM_PROTOCOLS, *,
                  warnings: list[str] | None = None, progress: Progress | None = None,
                  streams: list[StreamInfo] | None = None) -> dict[str, SessionParser]:
    """Run the named parsers over the capture in one pass; return them by name (call ``results()``).

    ``streams``, when given, receives the stream table of the same pass.
    """
    parsers = {name: parser_class(name)() for name in protocols}

    def want(info, payload: bytes, direction: str) -> str | None:
        for name, parser in parsers.items():
            if parser.wants(info, payload, direction):
                return name
        return None

    table = collect_streams(path, want, lambda conv: parsers[conv.label].take(conv),
                    watch=lambda conv, seg: parsers[conv.label].watch(conv, seg),
                    warnings=warnings, progress=progress)
    if streams is not None:
        streams.extend(table)
    return parsers


__all__ = ["Credential", "SessionParser", "UnknownProtocolError", "parser_class", "read_sessions"]
