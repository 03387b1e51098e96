"""The ``auth_log`` and ``bash_history`` generators: a Linux server's login log and a user's shell history.

``auth_log`` writes what sshd, sudo and useradd log on Debian/Ubuntu: classic
syslog lines (``Mar  5 14:02:11 srv1 sshd[1234]: ...``, no year) or the ISO
stamps of rsyslog's high-precision format. Process ids and client ports are
seeded; an accepted login is followed by its PAM session line with the same pid.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from forensics_kit.builder.content import ContentGenerator
from forensics_kit.timefmt import parse_iso

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
AUTH_EVENT_KINDS = ("failed", "accepted", "invalid_user", "session_opened", "session_closed", "sudo", "useradd",
                    "disconnect", "closed_preauth", "disconnected")


def syslog_stamp(when: datetime, form: str = "syslog") -> str:
    """``Mar  5 14:02:11`` (locale-independent), or ``2024-03-05T14:02:11.000000+00:00`` for ``iso``."""
    if form == "iso":
        return when.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return f"{MONTHS[when.month - 1]} {when.day:>2} {when:%H:%M:%S}"


class AuthLogContent(ContentGenerator):
    """``/var/log/auth.log`` from ``events`` (kind, time, user, ip, port, method, command, repeat, ...).

    With ``accounts`` (the names /etc/passwd holds), a ``failed`` line for any other
    name is written as sshd writes it: ``Invalid user X`` and ``Failed password for
    invalid user X``.
    """

    name = "auth_log"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        host, form, year = str(spec.get("host", "srv1")), spec.get("format", "syslog"), spec.get("year")
        state = {"pid": rng.randint(700, 4000), "sessions": {}}
        accounts = {str(a) for a in spec["accounts"]} | {"root"} if "accounts" in spec else None
        lines: list[tuple[datetime, int, str]] = []
        for index, event in enumerate(spec.get("events") or []):
            start = _time(event, index)
            if year is not None and start.year != int(year):
                raise ValueError(f"events[{index}].time: {event['time']} is not in the log's year {year}")
            users = event.get("users") or [event.get("user", "root")]
            for repeat in range(int(event.get("repeat", 1))):
                when = start + timedelta(seconds=repeat * float(event.get("interval", 2)))
                user = str(users[repeat % len(users)])
                line_event = event
                if event.get("kind") == "failed" and accounts is not None and user not in accounts:
                    line_event = {**event, "kind": "invalid_user"}  # sshd's words for a name the host lacks
                for program, text in _messages(line_event, user, state, rng, index):
                    lines.append((when, len(lines), f"{syslog_stamp(when, form)} {host} {program}: {text}"))
        lines.sort()
        return "".join(line + "\n" for _, _, line in lines).encode("utf-8")


def _time(event: dict[str, Any], index: int) -> datetime:
    try:
        return parse_iso(str(event["time"])).astimezone(UTC)
    except (KeyError, ValueError):
        raise ValueError(f"events[{index}].time: bad or missing time {event.get('time')!r}") from None


def _messages(event: dict[str, Any], user: str, state: dict[str, Any], rng, index: int) -> list[tuple[str, str]]:
    """The (program[pid], message) lines one event writes."""
    kind = event.get("kind")
    ip, method = event.get("ip", "203.0.113.5"), event.get("method", "password")
    port = int(event["port"]) if event.get("port") else rng.randint(32768, 60999)

    def new_pid() -> int:
        state["pid"] += rng.randint(1, 40)
        return state["pid"]

    if kind == "failed":
        pid = state.setdefault("by_port", {})[port] = new_pid()
        return [(f"sshd[{pid}]", f"Failed {method} for {user} from {ip} port {port} ssh2")]
    if kind == "invalid_user":
        pid = state.setdefault("by_port", {})[port] = new_pid()
        return [(f"sshd[{pid}]", f"Invalid user {user} from {ip} port {port}"),
                (f"sshd[{pid}]", f"Failed {method} for invalid user {user} from {ip} port {port} ssh2")]
    if kind == "accepted":
        pid = new_pid()
        state["sessions"][user] = pid
        suffix = f": {event.get('key_type', 'RSA')} SHA256:{_fingerprint(rng)}" if method == "publickey" else ""
        uid = int(event.get("uid", 0 if user == "root" else 1000))
        return [(f"sshd[{pid}]", f"Accepted {method} for {user} from {ip} port {port} ssh2{suffix}"),
                (f"sshd[{pid}]", f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)")]
    if kind == "session_opened":
        pid = state["sessions"].get(user) or new_pid()
        state["sessions"][user] = pid
        uid = int(event.get("uid", 0 if user == "root" else 1000))
        return [(f"sshd[{pid}]", f"pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)")]
    if kind == "session_closed":
        pid = state["sessions"].pop(user, None) or new_pid()
        return [(f"sshd[{pid}]", f"pam_unix(sshd:session): session closed for user {user}")]
    if kind == "disconnect":
        return [(f"sshd[{new_pid()}]", f"Connection closed by {ip} port {port} [preauth]")]
    if kind == "closed_preauth":  # the client gave up after a failed attempt (state["pids"] keeps its sshd)
        who = "authenticating user" if event.get("valid", True) else "invalid user"
        pid = state.setdefault("by_port", {}).get(port) or new_pid()
        return [(f"sshd[{pid}]", f"Connection closed by {who} {user} {ip} port {port} [preauth]")]
    if kind == "disconnected":  # the user logged out: sshd's two lines before PAM closes the session
        pid = state["sessions"].get(user) or new_pid()
        return [(f"sshd[{pid}]", f"Received disconnect from {ip} port {port}:11: disconnected by user"),
                (f"sshd[{pid}]", f"Disconnected from user {user} {ip} port {port}")]
    if kind == "sudo":
        command = event.get("command")
        if not command:
            raise ValueError(f"events[{index}]: a sudo event needs a command")
        tty, cwd = event.get("tty", "pts/0"), event.get("pwd", f"/home/{user}")
        return [("sudo", f"{user:>8} : TTY={tty} ; PWD={cwd} ; USER={event.get('run_as', 'root')} ; COMMAND={command}")]
    if kind == "useradd":
        uid, pid = int(event.get("uid", 1001)), new_pid()
        shell, tty = event.get("shell", "/bin/bash"), event.get("tty", "pts/0")
        return [(f"useradd[{pid}]", f"new group: name={user}, GID={uid}"),
                (f"useradd[{pid}]", f"new user: name={user}, UID={uid}, GID={uid}, home=/home/{user}, "
                                    f"shell={shell}, from=/dev/{tty}")]
    raise ValueError(f"events[{index}].kind: unknown kind {kind!r} (known: {', '.join(AUTH_EVENT_KINDS)})")


def _fingerprint(rng) -> str:
    return base64.b64encode(rng.randbytes(32)).decode().rstrip("=")


class BashHistoryContent(ContentGenerator):
    """``~/.bash_history``; with ``timestamps: true`` each command has its ``#<epoch>`` line (HISTTIMEFORMAT)."""

    name = "bash_history"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        stamped, previous, out = bool(spec.get("timestamps", False)), None, []
        for index, item in enumerate(spec.get("commands") or []):
            entry = item if isinstance(item, dict) else {"command": item}
            if stamped:
                if entry.get("time"):
                    try:
                        previous = int(parse_iso(str(entry["time"])).timestamp())
                    except ValueError:
                        raise ValueError(f"commands[{index}].time: bad time {entry['time']!r}") from None
                elif previous is None:
                    raise ValueError(f"commands[{index}]: the first command needs a time when timestamps are on")
                else:
                    previous += rng.randint(3, 90)
                out.append(f"#{previous}")
            out.append(str(entry["command"]))
        return "".join(line + "\n" for line in out).encode("utf-8")
