"""Brute force: many failed logins from one source against FTP, Telnet, HTTP or SSH.

Failures are read from the servers' own replies, packet by packet (login
exchanges are short lines, one per segment): FTP ``530`` after ``PASS`` (``230``
is a success), Telnet ``Login incorrect`` (a shell greeting is a success), HTTP
``401``/``403`` to a request with credentials or a POST to a login URI (a
redirect away from the login page, or a 200 page without an error word, is a
success). SSH is encrypted, so there the pattern is many short connections to
port 22; a long one afterwards is the likely success. The account that fell
is the one named in the successful attempt.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs

from forensics_kit.net.detect.detector import Detector, Evidence, Finding, Packet, iso

_LOGIN_URI = re.compile(rb"login|logon|signin|sign-in|auth|session|wp-login|admin", re.IGNORECASE)
_REQUEST = re.compile(rb"(GET|POST|PUT) (\S{1,500}) HTTP/1\.[01]\r?\n")
_AUTH = re.compile(rb"\r\nAuthorization: *Basic +([A-Za-z0-9+/=]{1,400})", re.IGNORECASE)
_FAIL_WORDS = re.compile(rb"invalid|incorrect|failed|wrong|denied|error|unauthori[sz]ed", re.IGNORECASE)
_LOCATION = re.compile(rb"\r\nLocation: *([^\r\n]*)", re.IGNORECASE)
_USER_FIELDS = ("username", "user", "login", "log", "email", "uname", "name")
_TELNET_OK = re.compile(rb"Last login|Welcome|[$#>] ?$")


class _Target:
    __slots__ = ("attempts", "failures", "accounts", "success", "evidence", "first", "last")

    def __init__(self, ts_ns: int) -> None:
        self.attempts = self.failures = 0
        self.accounts: dict[str, int] = {}
        self.success: tuple[int, str | None] | None = None  # (frame, account)
        self.evidence = Evidence()
        self.first = self.last = ts_ns


class _Conn:
    __slots__ = ("user", "state", "typed", "pending", "start", "end", "client_bytes", "frame")

    def __init__(self, ts_ns: int, frame: int) -> None:
        self.user: str | None = None
        self.state = ""
        self.typed = bytearray()
        self.pending: list[str | None] = []  # HTTP login attempts waiting for their response
        self.start = self.end = ts_ns
        self.client_bytes = 0
        self.frame = frame


def _form_user(body: bytes) -> str | None:
    try:
        fields = parse_qs(body.decode("latin-1"), keep_blank_values=True)
    except ValueError:
        return None
    for name in _USER_FIELDS:
        if fields.get(name):
            return fields[name][0]
    return None


class BruteForce(Detector):
    """Many failed logins from one source against one server and service."""

    name = "bruteforce"
    options = {
        "min_failures": 5,  # failed logins (FTP, Telnet, HTTP)
        "ssh_min_connections": 10,  # short SSH connections
        "ssh_max_seconds": 10.0,  # an SSH connection shorter than this is a failed try
        "ssh_success_bytes": 4000,  # client bytes after which an SSH session looks logged in
    }

    def __init__(self, **values) -> None:
        super().__init__(**values)
        self.targets: dict[tuple[str, str, str], _Target] = {}
        self.conns: dict[tuple, _Conn] = {}

    def _target(self, client: str, server: str, service: str, ts_ns: int) -> _Target:
        key = (client, server, service)
        target = self.targets.get(key)
        if target is None:
            target = self.targets[key] = _Target(ts_ns)
        target.last = ts_ns
        return target

    def _fail(self, t: _Target, pkt: Packet, account: str | None) -> None:
        t.attempts += 1
        t.failures += 1
        t.evidence.add(pkt.number)
        if account:
            t.accounts[account] = t.accounts.get(account, 0) + 1

    def _succeed(self, t: _Target, pkt: Packet, account: str | None) -> None:
        t.attempts += 1
        if t.success is None and t.failures:
            t.success = (pkt.number, account)
            t.evidence.add(pkt.number)

    def packet(self, pkt: Packet) -> None:
        d = pkt.ip
        if d is None or d[1] != 6 or d[4] is None:
            return
        sport, dport = d[4], d[5]
        if 22 in (sport, dport):
            self._ssh(pkt, d)
            return
        if d[7] <= d[6]:
            return
        data = pkt.payload
        if dport in (21, 23) or sport in (21, 23):
            client_side = dport in (21, 23)
            key = (pkt.src, sport, pkt.dst, dport) if client_side else (pkt.dst, dport, pkt.src, sport)
            conn = self.conns.get(key)
            if conn is None:
                conn = self.conns[key] = _Conn(pkt.ts_ns, pkt.number)
            service = "ftp" if 21 in (sport, dport) else "telnet"
            if service == "ftp":
                self._ftp(pkt, key, conn, data, client_side)
            else:
                self._telnet(pkt, key, conn, data, client_side)
        elif data[:5] == b"HTTP/":
            conn = self.conns.get((pkt.dst, dport, pkt.src, sport))
            if conn is not None and conn.pending:
                self._http_reply(pkt, conn, data)
        elif data[:1] in b"GP":
            self._http_request(pkt, sport, dport, data)

    def _ftp(self, pkt: Packet, key: tuple, conn: _Conn, data: bytes, client_side: bool) -> None:
        if client_side:
            upper = data[:5].upper()
            if upper == b"USER ":
                conn.user = data[5:].strip().decode("latin-1")
            return
        target = self._target(key[0], key[2], "ftp", pkt.ts_ns)
        for line in data.split(b"\n"):
            if line[:4] == b"530 ":
                self._fail(target, pkt, conn.user)
            elif line[:4] == b"230 ":
                self._succeed(target, pkt, conn.user)

    def _telnet(self, pkt: Packet, key: tuple, conn: _Conn, data: bytes, client_side: bool) -> None:
        if client_side:
            if conn.state == "user":
                for b in data:
                    if b in (10, 13, 0):
                        if conn.typed:
                            conn.user = conn.typed.decode("latin-1")
                            conn.state = "sent"
                        break
                    if 32 <= b < 127:
                        conn.typed.append(b)
            return
        text = data.replace(b"\xff", b"")
        if b"Login incorrect" in text or b"Login failed" in text:
            self._fail(self._target(key[0], key[2], "telnet", pkt.ts_ns), pkt, conn.user)
            conn.state = ""
        elif conn.state == "sent" and b"assword" not in text and _TELNET_OK.search(text.rstrip(b"\r\n") + b" "):
            self._succeed(self._target(key[0], key[2], "telnet", pkt.ts_ns), pkt, conn.user)
            conn.state = "in"
        if text.rstrip().lower().endswith(b"login:"):
            conn.state, conn.typed = "user", bytearray()

    def _http_request(self, pkt: Packet, sport: int, dport: int, data: bytes) -> None:
        match = _REQUEST.match(data)
        if match is None:
            return
        auth = _AUTH.search(data)
        account = None
        if auth:
            try:
                account = base64.b64decode(auth.group(1)).decode("latin-1").partition(":")[0]
            except (binascii.Error, ValueError):
                account = None
        elif match.group(1) == b"POST" and _LOGIN_URI.search(match.group(2)):
            body = data.partition(b"\r\n\r\n")[2]
            account = _form_user(body) or ""
        else:
            return
        key = (pkt.src, sport, pkt.dst, dport)
        conn = self.conns.get(key)
        if conn is None:
            conn = self.conns[key] = _Conn(pkt.ts_ns, pkt.number)
        conn.pending.append(account)

    def _http_reply(self, pkt: Packet, conn: _Conn, data: bytes) -> None:
        account = conn.pending.pop(0)
        try:
            status = int(data[9:12])
        except ValueError:
            return
        target = self._target(pkt.dst, pkt.src, "http", pkt.ts_ns)
        location = _LOCATION.search(data)
        if status in (401, 403):
            self._fail(target, pkt, account)
        elif 300 <= status < 400:
            if location and _LOGIN_URI.search(location.group(1)) and b"admin" not in location.group(1).lower():
                self._fail(target, pkt, account)
            else:
                self._succeed(target, pkt, account)
        elif status == 200:
            if _FAIL_WORDS.search(data.partition(b"\r\n\r\n")[2]):
                self._fail(target, pkt, account)
            else:
                self._succeed(target, pkt, account)

    def _ssh(self, pkt: Packet, d: tuple) -> None:
        client_side = d[5] == 22
        key = (pkt.src, d[4], pkt.dst, 22) if client_side else (pkt.dst, d[5], pkt.src, 22)
        conn = self.conns.get(key)
        if conn is None:
            if not client_side or not d[9] & 0x02:
                return  # only connections whose SYN we saw
            conn = self.conns[key] = _Conn(pkt.ts_ns, pkt.number)
        conn.end = pkt.ts_ns
        if client_side:
            conn.client_bytes += d[7] - d[6]

    def finish(self) -> list[Finding]:
        o = self.opt
        for (client, _, server, port), conn in self.conns.items():
            if port != 22:
                continue
            target = self.targets.get((client, server, "ssh"))
            if target is None:
                target = self.targets[(client, server, "ssh")] = _Target(conn.start)
            target.attempts += 1
            target.last = max(target.last, conn.end)
            long = (conn.end - conn.start) / 1e9 > o["ssh_max_seconds"] or conn.client_bytes > o["ssh_success_bytes"]
            if not long:
                target.failures += 1
                target.evidence.add(conn.frame)
            elif target.failures and target.success is None:
                target.success = (conn.frame, None)
                target.evidence.add(conn.frame)
        findings = []
        for (client, server, service), t in self.targets.items():
            floor = o["ssh_min_connections"] if service == "ssh" else o["min_failures"]
            if t.failures < floor:
                continue
            fell = t.success[1] if t.success else None
            numbers = {"service": service, "attempts": t.attempts, "failures": t.failures,
                       "success": t.success is not None, "success_frame": t.success[0] if t.success else None,
                       "account": fell, "accounts_tried": sorted(t.accounts, key=lambda a: -t.accounts[a])[:20],
                       "duration_s": round((t.last - t.first) / 1e9, 3)}
            parts = [("brute-force.ssh" if service == "ssh" else "brute-force",
                      {"service": service.upper(), "client": client, "server": server, "failures": t.failures})]
            if t.success:
                parts.append(("brute-force.success", {"frame": t.success[0]}))
                if fell:
                    parts.append(("brute-force.account", {"account": fell}))
            findings.append(Finding("brute-force", parts, client, [server], numbers, t.evidence.frames,
                                    t.evidence.count, iso(t.first), iso(t.last)))
        return findings
