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
                if update is not None and not _updater(s.sni):
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
