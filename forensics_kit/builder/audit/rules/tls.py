"""TLS fingerprints that work as indicators: a package manager's JA3 is its own.

A JA3 names the TLS library and settings of a client program. apt (GnuTLS), Windows
Update and an implant written in Go send different ClientHellos; when a capture gives
the C2's connection the same JA3 as apt's to deb.debian.org, the trainee learns an
IOC that would fire on every update of every Debian server.
"""

from __future__ import annotations

from forensics_kit.builder.audit.rule import AuditRule
from forensics_kit.errors import ForensicsKitError

UPDATERS = ("debian.org", "ubuntu.com", "windowsupdate.com", "update.microsoft.com", "delivery.mp.microsoft.com",
            "fedoraproject.org", "centos.org")


def _same_vendor(sni: str | None, other: str | None) -> bool:
    """Both names are one vendor's (Windows Update and Windows telemetry share Windows' own TLS stack)."""
    from forensics_kit.builder.world.dns_owners import owner_of

    mine, theirs = owner_of((sni or "").rstrip(".")), owner_of((other or "").rstrip("."))
    return mine is not None and theirs is not None and mine.name == theirs.name


def _updater(sni: str | None) -> bool:
    name = (sni or "").rstrip(".").lower()
    return any(name == s or name.endswith("." + s) for s in UPDATERS)


class UpdaterJa3(AuditRule):
    """No TLS connection to anything but an update server shares the JA3 of a connection to one."""

    name = "ja3-updater"
    title = {"en": "a package manager's JA3 is not shared with other TLS connections",
             "ru": "отпечаток JA3 менеджера пакетов не совпадает с отпечатками других TLS-соединений"}
    messages = {"shared": {
        "en": "{client} -> {sni} has JA3 {ja3}, the same as the update connection to {updater} (frame {frame}): "
              "as an indicator it would fire on every update",
        "ru": "у {client} -> {sni} отпечаток JA3 {ja3}, как у соединения обновления с {updater} (кадр {frame}): "
              "как индикатор он срабатывал бы при каждом обновлении"}}

    def check(self, case):
        from forensics_kit.net import tls_sessions

        for entry in case.entries("pcap"):
            try:
                sessions = [s for s in tls_sessions(case.artefact(entry["id"])) if s.ja3_hash]
            except ForensicsKitError:
                continue
            updates = {s.ja3_hash: s for s in sessions if _updater(s.sni)}
            for s in sessions:
                update = updates.get(s.ja3_hash)
                if update is not None and not _updater(s.sni) and not _same_vendor(s.sni, update.sni):
                    yield self.finding(case, entry["id"], f"frame {s.frame}", "shared", client=s.client,
                                       sni=s.sni or "(no SNI)", ja3=s.ja3_hash, updater=update.sni, frame=update.frame)


class TlsBackground(AuditRule):
    """A capture from 2020 on in which LAN machines browse the Internet has HTTPS, not plain HTTP alone."""

    name = "tls-background"
    title = {"en": "captures from 2020 on carry HTTPS where machines browse the Internet",
             "ru": "в записях трафика с 2020 года есть HTTPS там, где машины выходят в интернет"}
    messages = {"plain": {
        "en": "{n} plain-HTTP connections from the LAN to the Internet and no TLS at all, in a {year} capture",
        "ru": "{n} соединений HTTP без шифрования из ЛВС в интернет и ни одного TLS в записи {year} года"}}

    def check(self, case):
        from datetime import UTC, datetime

        from forensics_kit.builder.world import is_lan_address

        for entry in case.entries("pcap"):
            packets = case.packets(entry["id"])
            if not packets:
                continue
            year = datetime.fromtimestamp(packets[0].ts_ns / 1e9, tz=UTC).year
            syns = {(p.src, p.sport, p.dst, p.dport) for p in packets
                    if p.proto == 6 and p.flags & 0x12 == 0x02}
            web = [s for s in syns if s[3] == 80 and is_lan_address(s[0]) and not is_lan_address(s[2])]
            tls = any(p.proto == 6 and p.payload[:3] in (b"\x16\x03\x01", b"\x16\x03\x03") for p in packets)
            if year >= 2020 and len(web) >= 3 and not tls:
                yield self.finding(case, entry["id"], "capture", "plain", n=len(web), year=year)


def client_hellos(case, evidence):
    """``(client ip, frame, sni, hello)`` of every ClientHello opening a TCP flow of a capture."""
    from forensics_kit.net.tls_wire import parse_client_hello

    for (proto, src, _sport, _dst, _dport), (first, data) in sorted(case.flows(evidence).items(),
                                                                  key=lambda kv: kv[1][0]):
        if proto != 6 or len(data) < 9 or data[0] != 22 or data[1] != 3 or data[5] != 1:
            continue
        size = int.from_bytes(data[6:9], "big")
        hello = parse_client_hello(data[9:9 + size])
        if hello is not None:
            yield src, first, hello.sni, hello


def profile(hello) -> str | None:
    """The client program a ClientHello is written by (chrome covers Edge), or None when unknown."""
    from forensics_kit.builder.traffic.tls import CLIENTS
    from forensics_kit.net.tls_wire import is_grease

    greased = any(is_grease(c) for c in hello.ciphers)
    ciphers = [c for c in hello.ciphers if not is_grease(c)]
    extensions = {e for e in hello.extensions if not is_grease(e)}
    if greased:  # BoringSSL: Chrome, Edge (the set, its order is shuffled per connection)
        chrome = CLIENTS["chrome"]
        known = ciphers == chrome[0] and extensions - {21} <= set(chrome[1])
        return "chrome" if known and 17513 in extensions else None
    for name in ("firefox", "schannel", "curl", "apt", "go"):
        wanted, order = CLIENTS[name][0], CLIENTS[name][1]
        if ciphers == wanted and extensions <= set(order):
            return name
    return None


_BROWSER_PROFILE = {"chrome": "chrome", "edge": "chrome", "firefox": "firefox"}
_PROGRAM_OS = {"apt": "linux", "schannel": "windows"}  # GnuTLS apt on Debian/Ubuntu, SChannel on Windows
_NAMES = {"chrome": "Chrome/Edge", "firefox": "Firefox", "schannel": "Windows SChannel", "curl": "curl (OpenSSL)",
          "apt": "apt (GnuTLS)", "go": "Go crypto/tls"}


class TlsClientFitsHost(AuditRule):
    """A host's ClientHellos are its declared browser's, the browser its User-Agent names, programs of its OS."""

    name = "tls-client-host"
    title = {"en": "a host's TLS ClientHellos fit its declared browser, its User-Agent and its OS",
             "ru": "TLS ClientHello узла соответствуют объявленному браузеру, его User-Agent и его ОС"}
    messages = {
        "browser": {"en": "{client} is declared to browse with {browser}, but its ClientHello to {sni} is {seen}'s",
                    "ru": "для {client} объявлен браузер {browser}, но его ClientHello к {sni} — от {seen}"},
        "agent": {"en": "{client} sends the User-Agent of {browser} (frame {agent_frame}), but its ClientHello "
                        "to {sni} is {seen}'s",
                  "ru": "{client} отправляет User-Agent браузера {browser} (кадр {agent_frame}), но его "
                        "ClientHello к {sni} — от {seen}"},
        "os": {"en": "{client} runs {os}, but its ClientHello to {sni} is {seen}'s, a program of another OS",
               "ru": "на {client} работает {os}, но его ClientHello к {sni} — от {seen}, программы другой ОС"},
    }

    def check(self, case):
        from forensics_kit.builder.audit.rules.http_clients import declared_os, http_requests
        from forensics_kit.builder.world import os_profile
        from forensics_kit.builder.world.http_clients import browser_of

        for entry in case.entries("pcap"):
            declared = self._declared_browsers(case, entry)
            agents: dict[str, tuple[str, int]] = {}
            for src, frame, headers in http_requests(case, entry["id"]):
                try:
                    agents.setdefault(src, (browser_of(headers.get("user-agent", "")), frame))
                except ValueError:
                    continue
            systems = declared_os(case, entry["id"])
            for src, frame, sni, hello in client_hellos(case, entry["id"]):
                seen = profile(hello)
                if seen is None:
                    continue
                where, values = f"frame {frame}", {"client": src, "sni": sni or "(no SNI)", "seen": _NAMES[seen]}
                kind = _PROGRAM_OS.get(seen)
                system = systems.get(src)
                if kind and system and os_profile(system).kind != kind:
                    yield self.finding(case, entry["id"], where, "os", os=system, **values)
                if seen not in ("chrome", "firefox"):
                    continue
                if src in declared and _BROWSER_PROFILE[declared[src]] != seen:
                    yield self.finding(case, entry["id"], where, "browser", browser=declared[src], **values)
                elif src not in declared and src in agents and _BROWSER_PROFILE[agents[src][0]] != seen:
                    yield self.finding(case, entry["id"], where, "agent", browser=agents[src][0],
                                       agent_frame=agents[src][1], **values)

    @staticmethod
    def _declared_browsers(case, entry) -> dict[str, str]:
        """``{ip: browser}`` of the capture's hosts that declare one (the world's too, with a timeline)."""
        from forensics_kit.builder.template import render
        from forensics_kit.builder.world.http_clients import browser_of

        hosts = dict(entry.get("hosts", {}))
        if case.recipe.data.get("timeline"):
            world = render(case.recipe.data.get("world", {}), case.truth["parameters"]).get("hosts", {})
            hosts = {**world, **hosts}
        out = {}
        for host in hosts.values():
            if host.get("browser"):
                try:
                    out[str(host["ip"])] = browser_of(str(host["browser"]))
                except ValueError:
                    continue
        return out
