"""Logons per source address from Security events: the password-guessing run and the logon that worked.

4625 (failed) and 4624 (succeeded) carry ``IpAddress``, ``TargetUserName`` and
``LogonType``; this groups them as an examiner tabulates them (as
:func:`forensics_kit.artefacts.login_summary` does for sshd).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from forensics_kit.windows.evtx import EventRecord

LOGON_TYPES = {2: "interactive", 3: "network", 4: "batch", 5: "service", 7: "unlock", 8: "network cleartext",
               9: "new credentials", 10: "remote interactive (RDP)", 11: "cached interactive"}


@dataclass
class LogonSource:
    """One source address: failures, successes, first/last time, accounts tried and logged on to, logon types."""

    source_ip: str
    failures: int = 0
    successes: int = 0
    first_time: str | None = None
    last_time: str | None = None
    users_tried: list[str] = field(default_factory=list)
    users_logged_in: list[str] = field(default_factory=list)
    logon_types: list[int] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def logon_summary(events: Iterable[EventRecord]) -> list[LogonSource]:
    """Per source IP (``-`` for local logons), most failures first."""
    sources: dict[str, LogonSource] = {}
    for event in events:
        if event.event_id not in (4624, 4625):
            continue
        ip = event.data.get("IpAddress") or "-"
        source = sources.setdefault(ip, LogonSource(ip))
        user = event.data.get("TargetUserName", "")
        if event.event_id == 4625:
            source.failures += 1
            if user and user not in source.users_tried:
                source.users_tried.append(user)
        else:
            source.successes += 1
            if user and user not in source.users_logged_in:
                source.users_logged_in.append(user)
        kind = event.data.get("LogonType", "")
        if kind.isdigit() and int(kind) not in source.logon_types:
            source.logon_types.append(int(kind))
        if event.time:
            source.first_time = min(filter(None, (source.first_time, event.time)))
            source.last_time = max(filter(None, (source.last_time, event.time)))
    return sorted(sources.values(), key=lambda s: (-s.failures, -s.successes, s.source_ip))
