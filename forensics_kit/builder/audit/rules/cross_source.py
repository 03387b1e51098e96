"""Logs and captures of one case agree: every sshd line that implies a connection is in the capture.

For each ``auth.log`` on a disk (read through TSK, parsed with the kit's own
reader) and each capture whose time span covers a line, an sshd line naming a
client address and port (failed, invalid user, accepted, disconnect) must have a
TCP connection from that address and port to port 22 around that second; the
reverse holds for connections to port 22 from an address the log knows (the log
would have written a line for each). A login's ``Disconnected`` line falls where
its connection ends. The server of one address keeps one SSH banner.

The same holds for the other servers a disk logs: every line of a web server's
access log (combined format, nginx or Apache) is one captured request from that
address, with the same request line, status, body size and User-Agent, and every
request to that server in the capture is logged (``http-log-capture``); every line
of vsftpd's log or xferlog is a captured FTP connection, login or transfer from
that address (same user, outcome, file and size, inside the control connection),
and every captured FTP session and transfer is logged (``ftp-capture``). vsftpd
writes local time without a zone: the zone is the log's ``tz`` (or its timeline
host's), as an examiner reads it from the server's /etc/timezone.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.template import render
from forensics_kit.timefmt import parse_iso

_SLACK = 3.0  # seconds: syslog's whole seconds, PAM's delay, the round trips before a reply
_SSHD_KINDS = ("failed", "invalid_user", "accepted", "other")


def _connections(case, entry):
    """``{(client, port): (start, end, server)}`` of TCP connections to port 22 (by their SYN), and the span."""
    packets = case.packets(entry["id"])
    conns: dict[tuple[str, int], list] = {}
    for p in packets:
        if p.proto != 6 or p.sport is None:
            continue
        if p.dport == 22:
            key = (p.src, p.sport)
            if key not in conns:
                conns[key] = [p.ts_ns / 1e9, p.ts_ns / 1e9, p.dst]
            conns[key][1] = p.ts_ns / 1e9
        elif p.sport == 22 and (p.dst, p.dport) in conns:
            conns[(p.dst, p.dport)][1] = p.ts_ns / 1e9
    span = (packets[0].ts_ns / 1e9, packets[-1].ts_ns / 1e9) if packets else (0.0, 0.0)
    return conns, span


def _sshd_lines(case, year: int):
    from forensics_kit.artefacts import read_auth_log

    for entry in case.entries("disk"):
        for file in case.disk_files(entry["id"]):
            name = file.path.rsplit("/", 1)[-1]
            if not file.allocated or not (name.startswith("auth.log") or name == "secure"):
                continue
            for event in read_auth_log(file.data, year=year):
                if (event.program == "sshd" and event.kind in _SSHD_KINDS and event.source_ip
                        and event.port and event.time):
                    yield entry["id"], file.path, event


def _year(case, entry) -> int:
    """The year of the capture's first packet (syslog lines carry none)."""
    return time.gmtime(case.packets(entry["id"])[0].ts_ns // 1_000_000_000).tm_year


class SshdLinesInCapture(AuditRule):
    """sshd's lines and the capture's SSH connections are the same connections (address, port, time)."""

    name = "sshd-capture"
    title = {"en": "sshd log lines and captured SSH connections match (address, port, time, end)",
             "ru": "строки sshd в журнале и SSH-соединения в дампе совпадают (адрес, порт, время, окончание)"}
    messages = {
        "missing": {"en": "{path}: sshd line {line} ({kind} from {ip} port {port} at {time}) has no connection "
                          "from that port in the capture",
                    "ru": "{path}: строке sshd {line} ({kind} с {ip}, порт {port}, {time}) не соответствует "
                          "ни одно соединение с этого порта в дампе"},
        "unlogged": {"en": "SSH connection from {ip} port {port} at {time} has no sshd line in {path}",
                     "ru": "SSH-соединению с {ip}, порт {port}, в {time} нет строки sshd в {path}"},
        "late": {"en": "{path}: sshd line {line} at {time} lies outside the connection from {ip} port {port} "
                       "({start} .. {end})",
                 "ru": "{path}: строка sshd {line} в {time} лежит вне соединения с {ip}, порт {port} "
                       "({start} .. {end})"},
    }

    def check(self, case):
        from forensics_kit.timefmt import iso_utc

        for entry in case.entries("pcap"):
            if not case.packets(entry["id"]):
                continue
            conns, (first, last) = _connections(case, entry)
            year = _year(case, entry)
            logged: dict[tuple[str, str], set[int]] = defaultdict(set)  # (log path, ip) -> ports
            for disk, path, event in _sshd_lines(case, year):
                when = parse_iso(event.time).timestamp()
                if not first - _SLACK <= when <= last + _SLACK:
                    continue
                logged[(path, event.source_ip)].add(event.port)
                where = f"{disk}:{path} line {event.line}"
                conn = conns.get((event.source_ip, event.port))
                if conn is None:
                    yield self.finding(case, entry["id"], where, "missing", path=path, line=event.line,
                                       kind=event.kind, ip=event.source_ip, port=event.port, time=event.time)
                elif not conn[0] - _SLACK <= when <= conn[1] + _SLACK:
                    yield self.finding(case, entry["id"], where, "late", path=path, line=event.line, time=event.time,
                                       ip=event.source_ip, port=event.port, start=iso_utc(int(conn[0])),
                                       end=iso_utc(int(conn[1])))
            for (path, ip), ports in sorted(logged.items()):
                for (src, port), (start, _end, _server) in sorted(conns.items()):
                    if src == ip and port not in ports and first + _SLACK < start < last - _SLACK:
                        yield self.finding(case, entry["id"], f"tcp {src}:{port}", "unlogged", ip=src, port=port,
                                           time=iso_utc(int(start)), path=path)


class SshBannerConstant(AuditRule):
    """One SSH server (address and port) sends one version banner in every connection."""

    name = "ssh-banner"
    title = {"en": "an SSH server keeps one version banner", "ru": "SSH-сервер всегда отвечает одним баннером версии"}
    messages = {"many": {"en": "{server} sends banners {banners}",
                         "ru": "{server} отвечает разными баннерами: {banners}"}}

    def check(self, case):
        for entry in case.entries("pcap"):
            banners: dict[str, set[str]] = defaultdict(set)
            for (proto, src, sport, _dst, _dport), (_first, data) in case.flows(entry["id"]).items():
                if proto == 6 and data.startswith(b"SSH-") and sport in (22, 2222):
                    banners[f"{src}:{sport}"].add(data.split(b"\r\n", 1)[0].decode("latin-1"))
            for server, seen in sorted(banners.items()):
                if len(seen) > 1:
                    yield self.finding(case, entry["id"], f"server {server}", "many", server=server,
                                       banners=", ".join(sorted(seen)))


_HTTP_SLACK = 3.0  # seconds: the log's whole seconds, the server's work, the tap's clock
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), 1)}
_COMBINED = re.compile(r'^(?P<ip>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>\S+) (?P<uri>\S+)(?: [^"]*)?" '
                       r'(?P<status>\d{3}) (?P<size>\d+|-)(?: "(?P<referer>(?:[^"\\]|\\.)*)" '
                       r'"(?P<agent>(?:[^"\\]|\\.)*)")?')
_VSFTPD = re.compile(r'^(?P<time>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) \[pid \d+\] (?:\[(?P<user>[^\]]*)\] )?'
                     r'(?:(?P<ok>OK|FAIL) )?(?P<what>[A-Z]+): Client "(?P<ip>[^"]+)"(?:, "(?P<path>[^"]*)")?'
                     r'(?:, (?P<size>\d+) bytes)?')
_XFERLOG = re.compile(r'^(?P<time>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}) \d+ (?P<ip>\S+) (?P<size>\d+) '
                      r'(?P<path>\S+) [ab] \S+ (?P<dir>[oi]) [arg] (?P<user>\S+) ')


def _unescape(text: str) -> str:
    """nginx's ``\\xHH`` escapes back to the bytes the client sent."""
    return re.sub(r"\\x([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text or "").encode(
        "latin-1", "replace").decode("utf-8", "replace")


def _combined_time(text: str) -> float:
    """POSIX seconds of ``10/May/2024:13:55:36 +0300``."""
    from datetime import datetime

    return datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z").timestamp()


def _local_time(text: str, zone: str) -> float:
    """POSIX seconds of vsftpd's ``Thu May 16 02:13:05 2024`` read in ``zone``."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    _day, month, day, clock, year = text.split()
    hour, minute, second = (int(x) for x in clock.split(":"))
    return datetime(int(year), _MONTHS[month], int(day), hour, minute, second, tzinfo=ZoneInfo(zone)).timestamp()


def _log_files(case, names: tuple[str, ...]):
    """``(disk id, path, text, item spec)`` of every live log file whose name starts with one of ``names``."""
    for entry in case.entries("disk"):
        items = {str(item.get("path")): item for item in entry.get("items", []) if isinstance(item, dict)}
        for file in case.disk_files(entry["id"]):
            name = file.path.rsplit("/", 1)[-1]
            if file.allocated and name.startswith(names):
                yield entry["id"], file.path, file.data.decode("utf-8", "replace"), items.get(file.path, {})


def _log_zone(case, item: dict) -> str:
    """The zone a log without one was written in: its content's ``tz``, else its timeline host's, else UTC."""
    content = item.get("content") or {}
    if content.get("tz"):
        return str(content["tz"])
    world = render(case.recipe.data.get("world", {}), case.truth["parameters"]).get("hosts", {})
    return str((world.get(content.get("timeline")) or {}).get("tz", "UTC"))


def _span(case, evidence: str) -> tuple[float, float]:
    packets = case.packets(evidence)
    return (packets[0].ts_ns / 1e9, packets[-1].ts_ns / 1e9) if packets else (0.0, -1.0)


def _plain_ip(address: str) -> str:
    return address[7:] if address.startswith("::ffff:") and "." in address else address


def _nearest(candidates: list, when: float, used: set[int], slack: float):
    """The unused candidate ``(time, ...)`` closest to ``when`` within ``slack``, and the closest at all."""
    free = [c for c in candidates if id(c) not in used]
    best = min(free, key=lambda c: abs(c[0] - when), default=None)
    return (best if best is not None and abs(best[0] - when) <= slack else None), best


class HttpLogLinesInCapture(AuditRule):
    """A web server's access-log lines and the captured requests to it are the same requests."""

    name = "http-log-capture"
    title = {"en": "web server access-log lines and captured HTTP requests match (address, request, status, "
                   "size, User-Agent, time)",
             "ru": "строки журнала доступа веб-сервера и HTTP-запросы в дампе совпадают (адрес, запрос, "
                   "статус, размер, User-Agent, время)"}
    messages = {
        "missing": {"en": "{path}: line {line} ({ip} \"{request}\" at {time}) has no such request in the capture",
                    "ru": "{path}: строке {line} ({ip} «{request}», {time}) не соответствует ни один запрос "
                          "в дампе"},
        "late": {"en": "{path}: line {line} ({ip} \"{request}\" at {time}) is {delta} s from the captured "
                       "response (frame {frame})",
                 "ru": "{path}: строка {line} ({ip} «{request}», {time}) отстоит на {delta} с от ответа "
                       "в дампе (кадр {frame})"},
        "differs": {"en": "{path}: line {line} logs {field} {logged!r}, the capture (frame {frame}) has {seen!r}",
                    "ru": "{path}: в строке {line} записано {field} {logged!r}, в дампе (кадр {frame}) — "
                          "{seen!r}"},
        "unlogged": {"en": "HTTP request from {ip} \"{request}\" (frame {frame}, {time}) to {server} is not in "
                           "{path}",
                     "ru": "HTTP-запроса с {ip} «{request}» (кадр {frame}, {time}) к {server} нет в {path}"},
    }

    def check(self, case):
        from forensics_kit.net import http_transactions
        from forensics_kit.timefmt import iso_utc

        logs = []
        for disk, path, text, _item in _log_files(case, ("access.log", "access_log")):
            for number, line in enumerate(text.splitlines(), 1):
                match = _COMBINED.match(line)
                if match:
                    logs.append((disk, path, number, match))
        if not logs:
            return
        for entry in case.entries("pcap"):
            first, last = _span(case, entry["id"])
            requests = []
            for t in http_transactions(case.artefact(entry["id"])):
                if t.method and t.response_time:
                    size = t.content_length if t.content_length is not None else len(t.body)
                    requests.append((parse_iso(t.response_time).timestamp(), t, size))
            used: set[int] = set()
            servers: dict[str, set[str]] = defaultdict(set)  # log path -> server addresses it logs
            for disk, path, number, m in logs:
                when = _combined_time(m["time"])
                if not first - _HTTP_SLACK <= when <= last + _HTTP_SLACK:
                    continue
                request = f"{m['method']} {m['uri']}"
                where = f"{disk}:{path} line {number}"
                values = {"path": path, "line": number, "ip": m["ip"], "request": request, "time": iso_utc(int(when))}
                same = [r for r in requests if r[1].src == m["ip"] and r[1].method == m["method"]
                        and r[1].uri == m["uri"]]
                hit, closest = _nearest(same, when, used, _HTTP_SLACK + 1)
                if hit is None:
                    if closest is None:
                        yield self.finding(case, entry["id"], where, "missing", **values)
                    else:
                        yield self.finding(case, entry["id"], where, "late", delta=round(closest[0] - when, 1),
                                           frame=closest[1].frame, **values)
                    continue
                used.add(id(hit))
                _, t, size = hit
                servers[path].add(t.dst)
                logged_size = 0 if m["size"] == "-" else int(m["size"])
                for field, logged, seen in (("status", int(m["status"]), t.status), ("size", logged_size, size),
                                            ("User-Agent", _unescape(m["agent"]) if m["agent"] is not None
                                             else None, t.user_agent or "-")):
                    if logged is not None and logged != seen:
                        yield self.finding(case, entry["id"], where, "differs", path=path, line=number,
                                           field=field, logged=logged, seen=seen, frame=t.frame)
            opened = {}  # log path -> its first line's time: from then on every request is in it
            for _disk, path, _number, m in logs:
                opened[path] = min(opened.get(path, float("inf")), _combined_time(m["time"]))
            for path, addresses in sorted(servers.items()):
                for request in requests:
                    when, t, _size = request
                    if t.dst in addresses and id(request) not in used and when > opened[path] - _HTTP_SLACK:
                        yield self.finding(case, entry["id"], f"frame {t.frame}", "unlogged", ip=t.src,
                                           request=f"{t.method} {t.uri}", frame=t.frame, time=iso_utc(int(when)),
                                           server=t.dst, path=path)


class FtpLogLinesInCapture(AuditRule):
    """vsftpd's log lines (vsftpd format or xferlog) and the captured FTP sessions are the same sessions."""

    name = "ftp-capture"
    title = {"en": "vsftpd log lines and captured FTP sessions match (address, login, transfers, sizes, time)",
             "ru": "строки журнала vsftpd и FTP-сеансы в дампе совпадают (адрес, вход, передачи, размеры, время)"}
    messages = {
        "missing": {"en": "{path}: line {line} ({what} from {ip} at {time}) has no such {thing} in the capture",
                    "ru": "{path}: строке {line} ({what} с {ip}, {time}) не соответствует {thing_ru} в дампе"},
        "differs": {"en": "{path}: line {line} logs {field} {logged!r}, the capture (frame {frame}) has {seen!r}",
                    "ru": "{path}: в строке {line} записано {field} {logged!r}, в дампе (кадр {frame}) — "
                          "{seen!r}"},
        "outside": {"en": "{path}: line {line} at {time} lies outside the FTP connection from {ip} "
                          "({start} .. {end})",
                    "ru": "{path}: строка {line} в {time} лежит вне FTP-соединения с {ip} ({start} .. {end})"},
        "unlogged": {"en": "FTP {what} from {ip} (frame {frame}, {time}) to {server} is not in {path}",
                     "ru": "FTP-{what_ru} с {ip} (кадр {frame}, {time}) к {server} нет в {path}"},
    }
    _THINGS = {"connect": ("connection", "ни одно соединение", "соединения"),
               "login": ("login", "ни один вход", "входа"),
               "transfer": ("transfer", "ни одна передача файла", "передачи файла")}

    def check(self, case):
        logs = []
        for disk, path, text, item in _log_files(case, ("vsftpd.log", "xferlog")):
            zone = _log_zone(case, item)
            for number, line in enumerate(text.splitlines(), 1):
                parsed = self._parse(line, zone)
                if parsed:
                    logs.append((disk, path, number, *parsed))
        if not logs:
            return
        for entry in case.entries("pcap"):
            yield from self._check_capture(case, entry["id"], logs)

    @staticmethod
    def _parse(line: str, zone: str):
        """``(time, kind, ip, user, path, size, ok)`` of a vsftpd or xferlog line, or None."""
        m = _VSFTPD.match(line)
        if m:
            what = m["what"]
            kind = {"CONNECT": "connect", "LOGIN": "login", "DOWNLOAD": "download", "UPLOAD": "upload"}.get(what)
            if kind is None:
                return None
            return (_local_time(m["time"], zone), kind, _plain_ip(m["ip"]), m["user"], m["path"],
                    int(m["size"]) if m["size"] else 0, m["ok"] != "FAIL")
        m = _XFERLOG.match(line)
        if m:
            kind = "upload" if m["dir"] == "i" else "download"
            return (_local_time(m["time"], zone), kind, _plain_ip(m["ip"]), m["user"], m["path"], int(m["size"]),
                    True)
        return None

    def _captured(self, case, evidence):
        """Per client address: its FTP control connections as ``(start, end, session)``, and frame times."""
        from forensics_kit.net.protocols import read_sessions

        streams = []
        parsers = read_sessions(case.artefact(evidence), ("ftp",), streams=streams)
        by_index = {s.index: s for s in streams}
        times = {p.number: p.ts_ns / 1e9 for p in case.packets(evidence)}
        out: dict[str, list] = defaultdict(list)
        for session in parsers["ftp"].results():
            info = by_index.get(session.stream)
            if info is not None:
                out[session.client].append((info.start_ns / 1e9, info.end_ns / 1e9, session))
        return out, times

    def _check_capture(self, case, evidence, logs):
        from forensics_kit.timefmt import iso_utc

        first, last = _span(case, evidence)
        sessions, times = self._captured(case, evidence)
        seen: dict[str, set] = defaultdict(set)  # log path -> ids of matched connections / transfers
        servers: dict[str, set[str]] = defaultdict(set)
        for disk, path, number, when, kind, ip, user, name, size, ok in logs:
            if not first - _HTTP_SLACK <= when <= last + _HTTP_SLACK:
                continue
            where = f"{disk}:{path} line {number}"
            thing = "transfer" if kind in ("download", "upload") else kind
            label = {"connect": "CONNECT", "login": ("OK" if ok else "FAIL") + " LOGIN"}.get(kind, kind.upper())
            values = {"path": path, "line": number, "what": label, "ip": ip, "time": iso_utc(int(when))}
            around = [s for s in sessions.get(ip, []) if s[0] - _HTTP_SLACK <= when <= s[1] + _HTTP_SLACK]
            if kind == "connect":
                hit = min((s for s in sessions.get(ip, []) if abs(s[0] - when) <= _HTTP_SLACK),
                          key=lambda s: abs(s[0] - when), default=None)
                if hit is None:
                    yield self._missing(case, evidence, where, thing, values)
                else:
                    seen[path].add(id(hit[2]))
                    servers[path].add(hit[2].server)
                continue
            if not around:
                near = min(sessions.get(ip, []), key=lambda s: min(abs(s[0] - when), abs(s[1] - when)), default=None)
                if near is None:
                    yield self._missing(case, evidence, where, thing, values)
                else:
                    yield self.finding(case, evidence, where, "outside", start=iso_utc(int(near[0])),
                                       end=iso_utc(int(near[1])), **{k: values[k] for k in ("path", "line", "ip",
                                                                                             "time")})
                continue
            session = around[0][2]
            servers[path].add(session.server)
            if kind == "login":
                creds = [c for c in session.credentials if c.username == user]
                if not creds:
                    yield self._missing(case, evidence, where, thing, values)
                elif bool(creds[0].success) != ok:
                    yield self.finding(case, evidence, where, "differs", path=path, line=number, field="outcome",
                                       logged="OK" if ok else "FAIL", seen="230" if creds[0].success else "530",
                                       frame=creds[0].frame)
                continue
            direction = kind
            files = [f for f in session.files if f.direction == direction and id(f) not in seen[path]
                     and name and (name == f.name or name.endswith("/" + f.name.lstrip("/")))]
            if not files:
                yield self._missing(case, evidence, where, thing, values)
                continue
            file = files[0]
            seen[path].add(id(file))
            end = times.get(file.frames[1], when) if file.frames else when
            if file.size != size:
                yield self.finding(case, evidence, where, "differs", path=path, line=number, field="size",
                                   logged=size, seen=file.size, frame=file.command_frame)
            elif abs(end - when) > _HTTP_SLACK:
                yield self.finding(case, evidence, where, "differs", path=path, line=number, field="time",
                                   logged=iso_utc(int(when)), seen=iso_utc(int(end)), frame=file.command_frame)
        yield from self._unlogged(case, evidence, sessions, times, seen, servers, logs)

    def _unlogged(self, case, evidence, sessions, times, seen, servers, logs):
        from forensics_kit.timefmt import iso_utc

        connects = {path for _d, path, _n, _w, kind, *_ in logs if kind == "connect"}
        opened: dict[str, float] = {}  # log path -> its first line's time: from then on all is in it
        for _disk, path, _number, when, *_ in logs:
            opened[path] = min(opened.get(path, float("inf")), when)
        for path, addresses in sorted(servers.items()):
            for ip, conns in sorted(sessions.items()):
                for start, _end, session in conns:
                    if session.server not in addresses:
                        continue
                    if path in connects and id(session) not in seen[path] and start > opened[path] - _HTTP_SLACK:
                        yield self.finding(case, evidence, f"tcp stream {session.stream}", "unlogged",
                                           what="connection", what_ru="соединения", ip=ip,
                                           frame=session.commands[0].frame if session.commands else 0,
                                           time=iso_utc(int(start)), server=session.server, path=path)
                    for file in session.files:
                        when = times.get(file.command_frame, start)
                        if file.direction in ("download", "upload") and file.complete is not False \
                                and id(file) not in seen[path] and when > opened[path] - _HTTP_SLACK:
                            yield self.finding(case, evidence, f"frame {file.command_frame}", "unlogged",
                                               what=f"{file.direction} of {file.name}",
                                               what_ru=f"передачи {file.name}", ip=ip, frame=file.command_frame,
                                               time=iso_utc(int(when)), server=session.server, path=path)

    def _missing(self, case, evidence, where, thing, values):
        english, russian, _ = self._THINGS[thing]
        return self.finding(case, evidence, where, "missing", thing=english, thing_ru=russian, **values)
