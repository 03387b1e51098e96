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
                    "disconnect", "closed_preauth", "disconnected", "passwd", "sudo_session_closed")


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
        run_as = event.get("run_as", "root")
        lines = [("sudo", f"{user:>8} : TTY={tty} ; PWD={cwd} ; USER={run_as} ; COMMAND={command}")]
        if event.get("session"):  # sudo runs the command in a PAM session (sudo -l does not)
            by = f"{user}(uid={int(event.get('uid', 1000))})"
            lines.append(("sudo", f"pam_unix(sudo:session): session opened for user {run_as}(uid=0) by {by}"))
        return lines
    if kind == "sudo_session_closed":
        return [("sudo", f"pam_unix(sudo:session): session closed for user {event.get('run_as', 'root')}")]
    if kind == "useradd":
        uid, pid = int(event.get("uid", 1001)), new_pid()
        gid, home = int(event.get("gid", uid)), event.get("home", f"/home/{user}")
        shell, tty = event.get("shell", "/bin/bash"), event.get("tty", "pts/0")
        return [(f"useradd[{pid}]", f"new group: name={user}, GID={gid}"),
                (f"useradd[{pid}]", f"new user: name={user}, UID={uid}, GID={gid}, home={home}, "
                                    f"shell={shell}, from=/dev/{tty}")]
    if kind == "passwd":  # passwd or chpasswd, through PAM
        program = event.get("program", "passwd")
        return [(f"{program}[{new_pid()}]", f"pam_unix({program}:chauthtok): password changed for {user}")]
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


def _zoned(event: dict[str, Any], index: int, zone: str) -> tuple[float, datetime]:
    """(POSIX seconds, local time in ``zone``) of an event's ``time``."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    when = _time(event, index)
    try:
        return when.timestamp(), when.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r} (use an IANA name, e.g. Europe/Moscow)") from None


def _quoted(value: str) -> str:
    """nginx's escaping of a logged string: ``"``, ``\\`` and bytes outside printable ASCII as ``\\xHH``."""
    return "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else
                   "".join(f"\\x{b:02X}" for b in c.encode("utf-8")) for c in value)


class AccessLogContent(ContentGenerator):
    """A web server's access log in the combined format, from ``events`` (time, ip, method, uri, status, size, ...).

    ``server: nginx`` (default) writes ``$body_bytes_sent`` (0 for an empty body),
    ``apache`` writes ``%b`` (``-`` for none); both stamp ``[10/May/2024:13:55:36 +0300]``
    in the server's zone (``tz``, an IANA name; UTC by default), nginx when the
    response has gone out. Lines come in time order, as the server appends them.
    """

    name = "access_log"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        zone, apache = str(spec.get("tz", "UTC")), spec.get("server", "nginx") == "apache"
        lines = []
        for index, event in enumerate(spec.get("events") or []):
            seconds, local = _zoned(event, index, zone)
            size = int(event.get("size", 0))
            request = f"{event.get('method', 'GET')} {event['uri']} {event.get('protocol', 'HTTP/1.1')}"
            stamp = f"{local:%d}/{MONTHS[local.month - 1]}/{local:%Y:%H:%M:%S %z}"
            lines.append((int(seconds), index,
                          f"{event['ip']} - {event.get('user', '-')} [{stamp}] \"{_quoted(request)}\" "
                          f"{int(event.get('status', 200))} {'-' if apache and not size else size} "
                          f"\"{_quoted(str(event.get('referer', '-')))}\" "
                          f"\"{_quoted(str(event.get('user_agent', '-')))}\""))
        return "".join(line + "\n" for _, _, line in sorted(lines)).encode("utf-8")


_VSFTPD_KINDS = ("connect", "login", "fail_login", "download", "upload", "mkdir", "delete")


def vsftpd_stamp(local: datetime) -> str:
    """vsftpd's date (``Thu May 16 02:13:05 2024``, the day padded with a space), from localtime()."""
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return f"{days[local.weekday()]} {MONTHS[local.month - 1]} {local.day:>2} {local:%H:%M:%S %Y}"


class VsftpdLogContent(ContentGenerator):
    """vsftpd's own log (``/var/log/vsftpd.log``) or its xferlog, from ``events`` (kind, time, ip, user, path, ...).

    vsftpd stamps every line with localtime() in the host's zone (``tz``; the
    ``use_localtime`` option changes listings and MDTM only, not the log). With
    Ubuntu's ``listen_ipv6=YES`` an IPv4 client is written ``::ffff:a.b.c.d``
    (``ipv6_listener: false`` for ``listen=YES``). ``format: vsftpd`` writes CONNECT,
    OK/FAIL LOGIN and OK DOWNLOAD/UPLOAD/MKDIR/DELETE with the session's pids (the
    connection's process, the privileged parent that checks the login, the user's
    process after it); ``format: xferlog`` writes wu-ftpd's transfer lines only
    (seconds, at least 1; ``b _ i|o r user ftp 0 * c``). Events of one ``session``
    (key) share their pids.
    """

    name = "vsftpd_log"

    def generate(self, spec: dict[str, Any], rng) -> bytes:
        zone, xferlog = str(spec.get("tz", "UTC")), spec.get("format", "vsftpd") == "xferlog"
        mapped = "::ffff:" if spec.get("ipv6_listener", True) else ""
        pid, pids, lines = rng.randint(800, 3000), {}, []
        for index, event in enumerate(spec.get("events") or []):
            kind = event.get("kind")
            if kind not in _VSFTPD_KINDS:
                raise ValueError(f"events[{index}].kind: unknown kind {kind!r} (known: {', '.join(_VSFTPD_KINDS)})")
            seconds, local = _zoned(event, index, zone)
            key = event.get("session", event["ip"])
            if key not in pids or kind == "connect" and "session" not in event:
                pid += rng.randint(2, 60)
                pids[key] = pid
            ip, base, user = f"{mapped}{event['ip']}", pids[key], str(event.get("user", ""))
            if xferlog:
                if kind in ("download", "upload"):
                    took = max(1, int(float(event.get("seconds", 0))))
                    lines.append((seconds, index, f"{vsftpd_stamp(local)} {took} {ip} {int(event['size'])} "
                                  f"{str(event['path']).replace(' ', '_')} b _ {'i' if kind == 'upload' else 'o'} "
                                  f"r {user} ftp 0 * c"))
                continue
            text = self._line(kind, event, ip, user)
            process = base if kind == "connect" else base - 1 if kind in ("login", "fail_login") else base + 1
            lines.append((seconds, index, f"{vsftpd_stamp(local)} [pid {process}] {text}"))
        return "".join(line + "\n" for _, _, line in sorted(lines)).encode("utf-8")

    @staticmethod
    def _line(kind: str, event: dict[str, Any], ip: str, user: str) -> str:
        if kind == "connect":
            return f'CONNECT: Client "{ip}"'
        if kind in ("login", "fail_login"):
            return f'[{user}] {"OK" if kind == "login" else "FAIL"} LOGIN: Client "{ip}"'
        text = f'[{user}] OK {kind.upper()}: Client "{ip}", "{event["path"]}"'
        if kind in ("download", "upload"):
            size, took = int(event["size"]), float(event.get("seconds", 0)) or 0.1
            text += f", {size} bytes, {size / took / 1024:.2f}Kbyte/sec" if size else f", {0 / took:.2f}Kbyte/sec"
        return text
