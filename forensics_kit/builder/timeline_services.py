"""Timeline events of the other servers a host runs: web requests (nginx) and FTP sessions (vsftpd).

Like the SSH events of :mod:`forensics_kit.builder.timeline`, each event is planned
once, to the moment, and rendered twice from the same values:

- ``http_requests``: a client fetching ``requests`` (``uri``, ``status``, a body of
  ``text`` or ``size`` bytes; an error status gets nginx's own error page), one
  TCP connection each, ``every`` seconds apart. Rendered as ``http_get`` sessions
  of the captures with ``timeline: true`` and as the server's ``access_log`` lines
  (``content: {generate: access_log, timeline: <host>}``): the client's address,
  the request line, status, the body bytes sent and the User-Agent the client
  really sent, stamped in whole seconds when nginx wrote the line (the response).
- ``ftp_session``: a login (``user``, ``password``, ``login_ok``) and ``commands``
  (RETR/STOR with a ``text`` or ``size`` content, LIST, CWD, MKD, DELE ...).
  The client's every step is planned (seconds after the connection opens) and the
  capture's ``ftp`` session sends each step at that moment, so vsftpd's lines
  (``content: {generate: vsftpd_log, timeline: <host>}``: CONNECT, OK/FAIL LOGIN,
  OK DOWNLOAD/UPLOAD/MKDIR/DELETE, or xferlog's transfer lines) fall in the
  second the capture shows, and the session lasts as long in both.

Truth gets ``timeline.<event id>`` with ``time`` (first connection), ``end_time``,
``connections`` and, for web requests, the ``statuses``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from forensics_kit.builder.parameters import parse_duration
from forensics_kit.builder.timeline import EventType, _rng, _time
from forensics_kit.builder.world.os_profile import web_server_software

_DEFAULT_AGENT = "curl/8.5.0"
_TRANSFERS = {"RETR": "download", "STOR": "upload"}
_LOGGED = {"RETR": "DOWNLOAD", "STOR": "UPLOAD", "MKD": "MKDIR", "DELE": "DELETE"}


@dataclass(frozen=True)
class HttpExchange:
    """One web request on its own connection: opened at ``start``, logged by the server at ``logged``."""

    event: str
    index: int
    client: str
    server: str
    start: float
    logged: float
    end: float
    method: str
    host: str
    uri: str
    user_agent: str
    status: int
    body: bytes
    content: dict[str, Any]
    content_type: str
    port: int


@dataclass(frozen=True)
class FtpStep:
    """One thing vsftpd logs: ``kind`` (connect, login, fail_login, download, upload, mkdir, delete) at ``time``."""

    kind: str
    time: float
    path: str = ""
    size: int = 0
    seconds: float = 0.0


@dataclass(frozen=True)
class FtpVisit:
    """One FTP control connection and everything the client did in it, with its planned moments.

    Client ports are left to the capture: neither vsftpd nor nginx logs them.
    """

    event: str
    index: int
    client: str
    server: str
    start: float
    end: float
    user: str
    password: str
    login_ok: bool
    commands: list[dict[str, Any]]
    moments: dict[str, float]
    steps: list[FtpStep]


def _snap(seconds: float, rng, late: float = 0.7) -> float:
    """A moment in the same whole second, early enough that what follows within ``1 - late`` s stays in it."""
    return math.floor(seconds) + rng.uniform(0.0, late)


def _body_of(spec: dict[str, Any], status: int, server_software: str, where: str) -> tuple[bytes, dict, str]:
    """(body bytes, capture content spec, content type) of one response."""
    if "text" in spec:
        text = str(spec["text"])
        return text.encode("utf-8"), {"text": text}, str(spec.get("content_type", "text/html"))
    if "size" in spec:
        size = int(spec["size"])
        body = b"\0" * size  # only its length is used for the log; the capture draws the bytes itself
        return body, {"generate": "bytes", "size": size}, str(spec.get("content_type", "application/octet-stream"))
    if status >= 300:
        return _error_page(status, server_software)
    raise ValueError(f"{where}: a {status} response needs a 'text' or 'size' body")


def _error_page(status: int, server_software: str) -> tuple[bytes, dict, str]:
    """nginx's built-in error page (ngx_http_special_response), as it sends it to a non-MSIE client."""
    from http import HTTPStatus

    title = f"{status} {HTTPStatus(status).phrase}"
    text = (f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
            f"<hr><center>{server_software}</center>\r\n</body>\r\n</html>\r\n")
    return text.encode(), {"text": text}, "text/html"


class HttpRequests(EventType):
    """A client fetching ``requests`` from a web server, one connection per request."""

    name = "http_requests"

    def connections(self, event, world, seed, taken):
        start, every = _time(event["at"]), parse_duration(event.get("every", 1.5))
        server = world[event["to"]]
        software = web_server_software(server.get("os"))
        agent = str(event.get("user_agent", _DEFAULT_AGENT))
        if not agent:
            raise ValueError(f"timeline {event['id']}: an empty user_agent")
        out = []
        for index, request in enumerate(event["requests"]):
            rng = _rng(seed, event["id"], index)
            status = int(request.get("status", 200))
            where = f"timeline {event['id']}: requests[{index}]"
            body, content, content_type = _body_of(request, status, software, where)
            begin = _snap(start + index * every + rng.uniform(0, 0.3), rng)
            logged = begin + rng.uniform(0.08, 0.2)  # handshake, request, nginx's work, the response sent
            out.append(HttpExchange(event["id"], index, event["from"], event["to"], begin, logged,
                                    logged + rng.uniform(0.2, 2.0), "GET", str(event.get("host", server["ip"])),
                                    str(request["uri"]), agent, status, body, content, content_type,
                                    int(event.get("port", 80))))
        return out


def _file_size(command: dict[str, Any], where: str) -> tuple[int, dict[str, Any]]:
    content = command.get("content")
    if not content:
        return 0, {}
    if "text" in content:
        return len(str(content["text"]).encode(content.get("encoding", "utf-8"))), content
    if content.get("generate") == "bytes":
        return int(content["size"]), content
    raise ValueError(f"{where}: a timeline FTP file is 'text' or 'generate: bytes' (its size must be known)")


class FtpLogin(EventType):
    """One FTP session: ``user``/``password`` (``login_ok``) and ``commands``, every step at a planned moment."""

    name = "ftp_session"

    def connections(self, event, world, seed, taken):
        rng = _rng(seed, event["id"], 0)
        start = _snap(_time(event["at"]), rng, 0.5)
        user, ok = str(event["user"]), bool(event.get("login_ok", True))
        moments: dict[str, float] = {}
        steps = [FtpStep("connect", start + 0.01)]
        t = moments["user"] = _snap(start + rng.uniform(0.5, 1.6), rng, 0.9)
        t = moments["pass"] = _snap(t + rng.uniform(0.9, 3.0), rng)
        steps.append(FtpStep("login" if ok else "fail_login", t + 0.01))
        t += 0.3 if ok else 3.6  # vsftpd answers a wrong password after its delay
        cwd, commands = f"/home/{user}", []
        for number, command in enumerate(event.get("commands") or [] if ok else [], 1):
            name, arg = str(command["command"]).upper(), str(command.get("arg", ""))
            where = f"timeline {event['id']}: commands[{number - 1}]"
            size, content = _file_size(command, where)
            commands.append({"command": name, "arg": arg, **({"content": content} if content else {})})
            t = moments[f"cmd{number}"] = _snap(t + rng.uniform(0.6, 4.0), rng, 0.6)
            path = arg if arg.startswith("/") else f"{cwd.rstrip('/')}/{arg}"
            if name == "CWD":
                cwd = path
            if name in ("LIST", *_TRANSFERS):
                t = moments[f"data{number}"] = t + rng.uniform(0.12, 0.2)  # after TYPE I and PASV
                took = rng.uniform(0.002, 0.02) + size / 4e6
                if name in _TRANSFERS:
                    steps.append(FtpStep(_LOGGED[name].lower(), t + 0.08 + took, path, size, took))
                t += 0.3 + took
            elif name in _LOGGED:
                steps.append(FtpStep(_LOGGED[name].lower(), t + 0.01, path))
                t += 0.05
        t = moments["quit"] = t + rng.uniform(0.4, 2.0)
        moments = {k: round(v - start, 6) for k, v in moments.items()}
        return [FtpVisit(event["id"], 0, event["from"], event["to"], start, t + 0.05, user,
                         str(event.get("password", "")), ok, commands, moments, steps)]


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def access_events(plans: list, host: str, world: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``access_log`` events (time, ip, request, status, size, user agent) of the requests to ``host``."""
    ips = {name: str(h["ip"]) for name, h in world.items()}
    return [{"time": _iso(p.logged), "ip": ips[p.client], "method": p.method, "uri": p.uri, "status": p.status,
             "size": len(p.body), "user_agent": p.user_agent}
            for p in plans if isinstance(p, HttpExchange) and p.server == host]


def vsftpd_events(plans: list, host: str, world: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``vsftpd_log`` events of the FTP sessions to ``host``."""
    ips = {name: str(h["ip"]) for name, h in world.items()}
    out = []
    for p in plans:
        if not isinstance(p, FtpVisit) or p.server != host:
            continue
        for step in p.steps:
            event = {"kind": step.kind, "time": _iso(step.time), "ip": ips[p.client]}
            if step.kind != "connect":
                event["user"] = p.user
            if step.path:
                event["path"] = step.path
            if step.kind in ("download", "upload"):
                event.update(size=step.size, seconds=round(step.seconds, 6))
            out.append(event)
    return out


def capture_sessions(plans: list, capture_start: float, hosts: set[str]) -> list[dict[str, Any]]:
    """``http_get`` and ``ftp`` session entries of a capture for the planned web and FTP connections."""
    out = []
    for p in plans:
        if p.client not in hosts or p.server not in hosts:
            continue
        at = round(p.start - capture_start, 6)
        if isinstance(p, HttpExchange):
            out.append({"id": f"{p.event}-{p.index + 1}", "type": "http_get", "client": p.client,
                        "server": p.server, "at": at, "host": p.host, "uri": p.uri, "user_agent": p.user_agent,
                        "status": p.status, "content": p.content, "content_type": p.content_type, "port": p.port})
        elif isinstance(p, FtpVisit):
            out.append({"id": p.event, "type": "ftp", "client": p.client, "server": p.server, "at": at,
                        "user": p.user, "password": p.password, "login_ok": p.login_ok, "commands": p.commands,
                        "moments": p.moments})
    return out


def service_truth(plans: list) -> dict[str, dict[str, Any]]:
    """``truth.timeline`` entries of the web and FTP events."""
    out: dict[str, dict[str, Any]] = {}
    for p in plans:
        if not isinstance(p, HttpExchange | FtpVisit):
            continue
        first = p.logged if isinstance(p, HttpExchange) else p.start
        entry = out.setdefault(p.event, {"time": _iso_s(first), "start": _iso(p.start), "connections": 0})
        entry["connections"] += 1
        entry["end_time"] = _iso_s(p.end)
        if isinstance(p, HttpExchange):
            entry.setdefault("statuses", []).append(p.status)
            entry.setdefault("uris", []).append(p.uri)
        else:
            entry.update(user=p.user, login=("success" if p.login_ok else "failed"),
                         transfers=[{"kind": s.kind, "path": s.path, "size": s.size} for s in p.steps
                                    if s.kind in ("download", "upload")])
    return out


def _iso_s(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
