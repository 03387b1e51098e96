"""Operating-system profiles: what a host's OS fixes in its evidence (initial TTL, banners, agents).

A recipe names a host's OS (``os: windows-10``, ``os: ubuntu-22.04``); the profile
is looked up by its family, the part before the first ``-`` (``ubuntu``), so any
version of a known family works. Values are the systems' own defaults:
Linux, macOS and the BSDs start IP packets at TTL 64, Windows at 128, Cisco IOS
and Solaris at 255.
"""

from __future__ import annotations

from dataclasses import dataclass

INITIAL_TTLS = (64, 128, 255)


@dataclass(frozen=True)
class OsProfile:
    """Defaults of one OS family.

    Attributes:
        family: the family name recipes use before the version (``ubuntu``).
        kind: ``linux``, ``windows``, ``macos``, ``bsd`` or ``network`` (routers, switches).
        initial_ttl: the TTL (IPv6 hop limit) the stack puts on a packet it sends.
        user_agent: the browser User-Agent a person on this OS sends by default.
        ssh: the OpenSSH version string of the family's current release ("" when none ships).
    """

    family: str
    kind: str
    initial_ttl: int
    user_agent: str
    ssh: str = ""


_FIREFOX_LINUX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0"
_CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/123.0.0.0 Safari/537.36"
)
_SAFARI_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4 Safari/605.1.15"
)

_PROFILES = {
    p.family: p
    for p in (
        OsProfile("linux", "linux", 64, _FIREFOX_LINUX, "OpenSSH_9.2p1"),
        OsProfile("ubuntu", "linux", 64, _FIREFOX_LINUX, "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6"),
        OsProfile("debian", "linux", 64, _FIREFOX_LINUX, "OpenSSH_9.2p1 Debian-2+deb12u2"),
        OsProfile("kali", "linux", 64, "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
                  "OpenSSH_9.6p1 Debian-4"),
        OsProfile("centos", "linux", 64, _FIREFOX_LINUX, "OpenSSH_8.0"),
        OsProfile("android", "linux", 64,
                  "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/123.0.0.0 Mobile Safari/537.36"),
        OsProfile("windows", "windows", 128, _CHROME_WINDOWS, "OpenSSH_for_Windows_9.5"),
        OsProfile("macos", "macos", 64, _SAFARI_MAC, "OpenSSH_9.6"),
        OsProfile("ios", "macos", 64,
                  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
                  "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"),
        OsProfile("freebsd", "bsd", 64, _FIREFOX_LINUX, "OpenSSH_9.6 FreeBSD-20240104"),
        OsProfile("cisco", "network", 255, ""),
        OsProfile("solaris", "network", 255, ""),
    )
}


def os_profile(name: str) -> OsProfile:
    """The profile of ``name`` (``windows-10``, ``ubuntu-22.04``, ``kali``).

    Raises:
        KeyError: with the known families, when the family is unknown.
    """
    family = str(name).split("-", 1)[0].lower()
    try:
        return _PROFILES[family]
    except KeyError:
        raise KeyError(f"unknown os {name!r} (known families: {', '.join(sorted(_PROFILES))})") from None


# OpenSSH as each release ships it, where it differs from the family's current one.
_SSH_BY_RELEASE = {
    "ubuntu-20.04": "OpenSSH_8.2p1 Ubuntu-4ubuntu0.11",
    "ubuntu-22.04": "OpenSSH_8.9p1 Ubuntu-3ubuntu0.6",
    "ubuntu-24.04": "OpenSSH_9.6p1 Ubuntu-3ubuntu13",
    "debian-11": "OpenSSH_8.4p1 Debian-5+deb11u3",
    "debian-12": "OpenSSH_9.2p1 Debian-2+deb12u2",
}


def ssh_banner(os: str) -> str:
    """The SSH identification string (``SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6``) of a host's OS."""
    version = _SSH_BY_RELEASE.get(str(os).lower()) or os_profile(os).ssh or "OpenSSH_9.2p1"
    return f"SSH-2.0-{version}"


def os_families() -> list[str]:
    """Every known OS family, sorted (for the schema and error messages)."""
    return sorted(_PROFILES)


# Web and FTP server software as each release's packages answer (nginx's server_tokens on, as shipped).
_WEB_BY_RELEASE = {
    "ubuntu-20.04": "nginx/1.18.0 (Ubuntu)",
    "ubuntu-22.04": "nginx/1.18.0 (Ubuntu)",
    "ubuntu-24.04": "nginx/1.24.0 (Ubuntu)",
    "debian-11": "nginx/1.18.0",
    "debian-12": "nginx/1.22.1",
}
_FTP_BY_RELEASE = {
    "ubuntu-20.04": "3.0.3", "ubuntu-22.04": "3.0.5", "ubuntu-24.04": "3.0.5",
    "debian-11": "3.0.3", "debian-12": "3.0.3",
}
_WEB_BY_FAMILY = {"ubuntu": "nginx/1.24.0 (Ubuntu)", "debian": "nginx/1.22.1"}


def web_server_software(os: str | None) -> str:
    """The ``Server:`` header a host's web server sends: IIS on Windows, the release's nginx elsewhere."""
    if not os:
        return "nginx/1.24.0"
    name = str(os).lower()
    if os_profile(name).kind == "windows":
        return "Microsoft-IIS/10.0"
    return _WEB_BY_RELEASE.get(name) or _WEB_BY_FAMILY.get(name.split("-", 1)[0], "nginx/1.24.0")


def ftp_greeting(os: str | None) -> bytes:
    """vsftpd's greeting on a host of ``os`` (``220 (vsFTPd 3.0.5)`` on Ubuntu 22.04)."""
    version = _FTP_BY_RELEASE.get(str(os or "").lower(), "3.0.3")
    return f"220 (vsFTPd {version})\r\n".encode()
