"""Linux ``auth.log``/``secure``: ssh logins (failed, accepted, invalid users), sessions, sudo, new users.

Lines in the classic syslog form carry no year (``Mar  5 14:02:11``): the caller
gives it, and a jump back from December to January moves to the next year.
rsyslog's ISO stamps (``2024-03-05T14:02:11.123456+03:00``) are read as written.
Syslog times are taken as UTC; rsyslog's "message repeated N times" lines count N times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forensics_kit.artefacts._source import load_text

_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}
_SYSLOG = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d) (?P<host>\S+) "
    r"(?P<prog>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$")
_ISO = re.compile(
    r"^(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) (?P<host>\S+) "
    r"(?P<prog>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: ?(?P<msg>.*)$")
_REPEATED = re.compile(r"^message repeated (?P<n>\d+) times: \[ ?(?P<msg>.*?) ?\]$")
_FROM = r"from (?P<ip>[0-9A-Fa-f.:]+)(?: port (?P<port>\d+))?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("failed", re.compile(rf"^Failed (?P<method>\S+) for (?:invalid user )?(?P<user>\S*) {_FROM}")),
    ("accepted", re.compile(rf"^Accepted (?P<method>\S+) for (?P<user>\S+) {_FROM}")),
    ("invalid_user", re.compile(rf"^Invalid user (?P<user>\S*) {_FROM}")),
    ("session_opened", re.compile(r"^pam_unix\([^)]*\): session opened for user (?P<user>[^\s(]+)")),
    ("session_closed", re.compile(r"^pam_unix\([^)]*\): session closed for user (?P<user>\S+)")),
    ("user_added", re.compile(r"^new user: name=(?P<user>[^,]+),")),
    ("other", re.compile(r"^(?:Connection closed by|Disconnected from|Received disconnect from)"
                         r"(?: (?:authenticating|invalid) user (?P<user>\S+))? (?P<ip>[0-9A-Fa-f.:]+)"
                         r"(?: port (?P<port>\d+))?")),
]
_SUDO = re.compile(r"^\s*(?P<user>\S+) : (?:.*?; )?TTY=(?P<tty>\S+) ; PWD=(?P<pwd>.*?) ; USER=(?P<run_as>\S+) ;"
                   r"(?: .*?;)? COMMAND=(?P<command>.*)$")


@dataclass(frozen=True)
class AuthEvent:
    """One interesting line of an auth log.

    ``kind`` is failed, accepted, invalid_user, session_opened, session_closed,
    sudo, user_added or other; ``count`` > 1 for "message repeated N times".
    For sudo, ``user`` ran ``command`` as ``run_as``.
    """

    line: int
    time: str | None
    host: str
    program: str
    pid: int | None
    kind: str
    user: str | None = None
    source_ip: str | None = None
    port: int | None = None
    method: str | None = None
    command: str | None = None
    run_as: str | None = None
    count: int = 1
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoginSummary:
    """Logins from one source address: the shape of a brute-force attack."""

    source_ip: str
    failures: int = 0
    successes: int = 0
    invalid_users: int = 0
    first_time: str | None = None
    last_time: str | None = None
    users_tried: list[str] = field(default_factory=list)
    users_logged_in: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_auth_log(text: str | bytes | Path, year: int | None = None, name: str | None = None) -> list[AuthEvent]:
    """Parse an auth log; lines that are not syslog lines are skipped.

    Args:
        text: the log's text (or bytes, or a local ``Path``).
        year: the year of the first syslog-form line (default: this year, as ``last`` does).
    """
    text, _ = load_text(text, name)
    year = year or datetime.now(UTC).year
    events, last_month = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _SYSLOG.match(line)
        if match:
            month = _MONTHS.get(match["mon"])
            if month is None:
                continue
            if last_month is not None and month < last_month:
                year += 1
            last_month = month
            try:
                when = datetime.strptime(f"{year}-{month:02d}-{int(match['day']):02d} {match['hms']}",
                                         "%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
            time = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            match = _ISO.match(line)
            if not match:
                continue
            time = _iso(match["iso"])
        events.append(_event(number, time, match))
    return events


def _iso(stamp: str) -> str | None:
    try:
        when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if when.tzinfo else "")


def _event(number: int, time: str | None, match: re.Match[str]) -> AuthEvent:
    message, count = match["msg"], 1
    repeated = _REPEATED.match(message)
    if repeated:
        message, count = repeated["msg"], int(repeated["n"])
    base = {"line": number, "time": time, "host": match["host"], "program": match["prog"],
            "pid": int(match["pid"]) if match["pid"] else None, "count": count, "message": message}
    if match["prog"] == "sudo":
        sudo = _SUDO.match(message)
        if sudo:
            return AuthEvent(kind="sudo", user=sudo["user"], command=sudo["command"], run_as=sudo["run_as"], **base)
    for kind, pattern in _PATTERNS:
        found = pattern.match(message)
        if found:
            groups = found.groupdict()
            port = groups.get("port")
            return AuthEvent(kind=kind, user=groups.get("user"), source_ip=groups.get("ip"),
                             port=int(port) if port else None, method=groups.get("method"), **base)
    return AuthEvent(kind="other", **base)


def login_summary(events: Iterable[AuthEvent]) -> list[LoginSummary]:
    """Per source IP: failures, successes, first/last time and the users tried; most failures first."""
    by_ip: dict[str, LoginSummary] = {}
    for event in events:
        if event.kind not in ("failed", "accepted", "invalid_user") or not event.source_ip:
            continue
        summary = by_ip.setdefault(event.source_ip, LoginSummary(event.source_ip))
        if event.kind == "failed":
            summary.failures += event.count
        elif event.kind == "accepted":
            summary.successes += event.count
            if event.user and event.user not in summary.users_logged_in:
                summary.users_logged_in.append(event.user)
        else:
            summary.invalid_users += event.count
        if event.user and event.user not in summary.users_tried:
            summary.users_tried.append(event.user)
        if event.time:
            summary.first_time = min(filter(None, (summary.first_time, event.time)))
            summary.last_time = max(filter(None, (summary.last_time, event.time)))
    for summary in by_ip.values():
        summary.users_tried.sort()
        summary.users_logged_in.sort()
    return sorted(by_ip.values(), key=lambda s: (-s.failures, s.first_time or "", s.source_ip))
