"""HTTP clients as they really are: each program's own headers and form boundary, on its own OS.

An examiner tells curl from a browser by more than the User-Agent: curl sends no
``Connection`` header and writes its multipart boundary as 24 dashes and hex
digits; Firefox writes ``----geckoformboundary`` (or 27 dashes and digits before
version 126), Chrome ``----WebKitFormBoundary`` and 16 letters or digits. A
request that says curl and looks like Chrome teaches the trainee to trust the one
header every tool lets you forge. And the User-Agent's platform matches the OS
the recipe declares for the host that sends it: no Windows Firefox or NCSI
checks from a Debian server.
"""

from __future__ import annotations

import re

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.builder.world.http_clients import client_family

_REQUEST = re.compile(rb"(?:GET|POST|PUT|HEAD|DELETE|OPTIONS|PATCH) \S+ HTTP/1\.[01]\r\n(.*?)\r\n\r\n", re.S)
BOUNDARIES = {
    "curl": (re.compile(r"-{24}[0-9a-f]{16,24}"), "24 dashes and hex digits"),
    "firefox": (re.compile(r"----geckoformboundary[0-9a-f]{32}|-{27}\d{20,32}"),
                "----geckoformboundary and 32 hex digits, or 27 dashes and digits"),
    "webkit": (re.compile(r"----WebKitFormBoundary[A-Za-z0-9]{16}"), "----WebKitFormBoundary and 16 letters or digits"),
    "python-requests": (re.compile(r"[0-9a-f]{32}"), "32 hex digits"),
}
_PLATFORMS = (  # (what the User-Agent says, OS kind)
    ("Windows NT", "windows"), ("Microsoft NCSI", "windows"), ("Microsoft-CryptoAPI", "windows"),
    ("Microsoft-Windows", "windows"), ("Windows-Update-Agent", "windows"),
    ("Android", "linux"), ("iPhone", "macos"), ("iPad", "macos"), ("Macintosh", "macos"),
    ("X11;", "linux"), ("APT-HTTP", "linux"), ("Debian APT", "linux"), ("Ubuntu APT", "linux"),
)


def user_agent_platform(user_agent: str) -> tuple[str, str] | None:
    """``(what names the platform, OS kind)`` of a User-Agent, or None for one that names none."""
    return next(((mark, kind) for mark, kind in _PLATFORMS if mark in user_agent), None)


def http_requests(case, evidence):
    """``(client ip, frame, headers)`` of every HTTP/1.x request in a capture's TCP flows."""
    for (proto, src, _sport, _dst, _dport), (first, data) in sorted(case.flows(evidence).items(),
                                                                  key=lambda kv: kv[1][0]):
        if proto != 6:
            continue
        for match in _REQUEST.finditer(data):
            headers = {}
            for line in match.group(1).decode("latin-1").split("\r\n"):
                name, _, value = line.partition(":")
                headers.setdefault(name.strip().lower(), value.strip())
            yield src, first, headers


def declared_os(case, evidence) -> dict[str, str]:
    """``{ip: os}`` of the capture's hosts that declare one (the world's hosts too, with a timeline)."""
    entry = next(e for e in case.entries("pcap") if e["id"] == evidence)
    hosts = dict(entry.get("hosts", {}))
    if entry.get("timeline") or case.recipe.data.get("timeline"):
        world = case.recipe.data.get("world", {}).get("hosts", {})
        hosts = {**{k: v for k, v in world.items()}, **hosts}
    from forensics_kit.builder.template import render

    hosts = render(hosts, case.truth["parameters"])
    return {str(h["ip"]): str(h["os"]) for h in hosts.values() if isinstance(h, dict) and h.get("os")}


class HttpClientHeaders(AuditRule):
    """A request's headers and multipart boundary are those of the client its User-Agent names."""

    name = "http-client"
    title = {"en": "HTTP requests carry the headers and form boundary of the client their User-Agent names",
             "ru": "HTTP-запросы несут заголовки и границу формы того клиента, который указан в User-Agent"}
    messages = {
        "keepalive": {"en": "{agent} sends 'Connection: {value}', which curl never sends",
                      "ru": "{agent} отправляет 'Connection: {value}', чего curl не делает"},
        "boundary": {"en": "{agent} writes the multipart boundary {boundary!r}; {family} writes {pattern}",
                     "ru": "{agent} пишет границу multipart {boundary!r}; {family} пишет {pattern}"},
        "wget-multipart": {"en": "{agent} uploads a multipart form, which Wget cannot do",
                           "ru": "{agent} отправляет форму multipart, чего Wget не умеет"},
    }

    def check(self, case):
        for entry in case.entries("pcap"):
            for _src, frame, headers in http_requests(case, entry["id"]):
                agent = headers.get("user-agent", "")
                family = client_family(agent)
                where = f"frame {frame}"
                if family == "curl" and "connection" in headers:
                    yield self.finding(case, entry["id"], where, "keepalive", agent=agent, value=headers["connection"])
                match = re.search(r"multipart/form-data;\s*boundary=\"?([^\";]+)", headers.get("content-type", ""))
                if not match or family is None:
                    continue
                if family == "wget":
                    yield self.finding(case, entry["id"], where, "wget-multipart", agent=agent)
                    continue
                pattern, described = BOUNDARIES[family]
                if not pattern.fullmatch(match.group(1)):
                    yield self.finding(case, entry["id"], where, "boundary", agent=agent, boundary=match.group(1),
                                       family=family, pattern=described)


class UserAgentOs(AuditRule):
    """The platform a User-Agent names is the OS the recipe declares for the host that sends it."""

    name = "user-agent-os"
    title = {"en": "User-Agents name the OS their host runs", "ru": "User-Agent называет ОС, на которой работает узел"}
    messages = {"os": {"en": "{ip} runs {os} but sends User-Agent {agent!r} ({mark}: {kind})",
                       "ru": "{ip} работает под {os}, но отправляет User-Agent {agent!r} ({mark}: {kind})"}}

    def check(self, case):
        from forensics_kit.builder.world import os_profile

        for entry in case.entries("pcap"):
            systems = declared_os(case, entry["id"])
            seen = set()
            for src, frame, headers in http_requests(case, entry["id"]):
                agent = headers.get("user-agent", "")
                platform = user_agent_platform(agent)
                if src not in systems or platform is None or (src, agent) in seen:
                    continue
                seen.add((src, agent))
                try:
                    kind = os_profile(systems[src]).kind
                except KeyError:
                    continue
                if kind != platform[1]:
                    yield self.finding(case, entry["id"], f"frame {frame}", "os", ip=src, os=systems[src],
                                       agent=agent, mark=platform[0], kind=platform[1])


_SERVER_MARKS = (  # (what a server's banner says, OS kind it runs on)
    ("Microsoft-IIS", "windows"), ("Microsoft-HTTPAPI", "windows"), ("Microsoft ESMTP", "windows"),
    ("Microsoft FTP", "windows"), ("(Win64)", "windows"), ("(Win32)", "windows"),
    ("(Debian", "linux"), ("(Ubuntu", "linux"), ("(CentOS", "linux"), ("(Red Hat", "linux"), ("vsFTPd", "linux"),
    ("Debian", "linux"), ("Ubuntu", "linux"), ("nginx", "linux"), ("Postfix", "linux"), ("Dovecot", "linux"),
)
_BANNER = re.compile(rb"^(?:HTTP/1\.[01] \d{3}[^\r\n]*\r\n(?:[^\r\n]+\r\n)*?Server: ([^\r\n]+)|220[ -]([^\r\n]+))")


class ServerBannerOs(AuditRule):
    """A server's banner (HTTP Server header, FTP/SMTP greeting) names software of the OS it runs."""

    name = "banner-os"
    title = {"en": "server banners name software of the host's declared OS",
             "ru": "баннеры серверов называют программы той ОС, которая заявлена для узла"}
    messages = {"os": {"en": "{ip} runs {os} but its banner says {banner!r} ({kind} software)",
                       "ru": "{ip} работает под {os}, но его баннер — {banner!r} (программа для {kind})"},
                "release": {"en": "{ip} runs {os}, whose packages answer {expected!r}, but its banner says {banner!r}",
                            "ru": "{ip} работает под {os}, пакеты которой отвечают {expected!r}, "
                                  "а его баннер — {banner!r}"}}

    def check(self, case):
        from forensics_kit.builder.world import os_profile

        for entry in case.entries("pcap"):
            systems = declared_os(case, entry["id"])
            seen = set()
            for (proto, src, _sport, _dst, _dport), (first, data) in sorted(case.flows(entry["id"]).items(),
                                                                           key=lambda kv: kv[1][0]):
                match = _BANNER.match(data) if proto == 6 and src in systems else None
                if not match:
                    continue
                banner = (match.group(1) or match.group(2)).decode("latin-1").strip()
                mark = next(((m, k) for m, k in _SERVER_MARKS if m in banner), None)
                if mark is None or (src, banner) in seen:
                    continue
                seen.add((src, banner))
                try:
                    kind = os_profile(systems[src]).kind
                except KeyError:
                    continue
                if kind != mark[1]:
                    yield self.finding(case, entry["id"], f"frame {first}", "os", ip=src, os=systems[src],
                                       banner=banner, kind=mark[1])
                    continue
                expected = _release_banner(systems[src], banner)
                if expected is not None and banner != expected:
                    yield self.finding(case, entry["id"], f"frame {first}", "release", ip=src, os=systems[src],
                                       banner=banner, expected=expected)


def _release_banner(os: str, banner: str) -> str | None:
    """What a known release's nginx or vsftpd package answers, when ``banner`` is one of those."""
    from forensics_kit.builder.world import ftp_greeting, web_server_software

    if "-" not in os:
        return None  # a family without a release: any version may be installed
    if banner.startswith("nginx"):
        return web_server_software(os)
    if banner.startswith("(vsFTPd"):
        return ftp_greeting(os).decode()[4:].strip()
    return None
