"""Every cleartext credential of a capture, whatever the protocol, as one list.

FTP, SMTP, POP3, IMAP and Telnet come from one pass of the stream parsers
(:mod:`forensics_kit.net.protocols`); HTTP Basic and form logins from a pass
of :func:`~forensics_kit.net.http.http_transactions`. Sorted by frame, so
the list reads as a timeline of logins.
"""

from __future__ import annotations

from pathlib import Path

from forensics_kit.net.protocols import STREAM_PROTOCOLS, read_sessions
from forensics_kit.net.protocols.base import Credential
from forensics_kit.net.protocols.http_auth import http_credentials
from forensics_kit.net.streams import Progress


def credentials(path: str | Path, warnings: list[str] | None = None,
                progress: Progress | None = None) -> list[Credential]:
    """Credentials seen in cleartext (user, password, success when the server said) in frame order."""
    table: list = []
    parsers = read_sessions(path, STREAM_PROTOCOLS, warnings=warnings, progress=progress, streams=table)
    found = [c for parser in parsers.values() for c in parser.credentials()]
    found += http_credentials(path, table)
    return sorted(found, key=lambda c: (c.frame, c.protocol))


__all__ = ["Credential", "credentials"]
