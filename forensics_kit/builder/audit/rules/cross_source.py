"""Logs and captures of one case agree: every sshd line that implies a connection is in the capture.

For each ``auth.log`` on a disk (read through TSK, parsed with the kit's own
reader) and each capture whose time span covers a line, an sshd line naming a
client address and port (failed, invalid user, accepted, disconnect) must have a
TCP connection from that address and port to port 22 around that second; the
reverse holds for connections to port 22 from an address the log knows (the log
would have written a line for each). A login's ``Disconnected`` line falls where
its connection ends. The server of one address keeps one SSH banner.
Only sshd is checked: the shipped cases have no vsftpd or web-server logs yet.
"""

from __future__ import annotations

import time
from collections import defaultdict

from forensics_kit.builder.audit.rule import AuditRule
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
