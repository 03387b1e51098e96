"""Who really owns the names a capture resolves, and the address ranges they answer from.

A trainee who checks ``www.google.com -> 13.107.x.x`` with whois finds Microsoft
and rightly stops trusting the capture. Background lookups therefore draw their
answers from the owner's own networks (as published in RIR allocations), and the
audit checks every answer in every capture against the same table. Names a
recipe invents live under the reserved ``example``/``test`` names (RFC 2606) and
answer from the documentation ranges (RFC 5737, RFC 3849) or a private network.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

DOCUMENTATION = tuple(ipaddress.ip_network(n) for n in (
    "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"))
_RESERVED_SUFFIXES = ("example", "example.com", "example.net", "example.org", "test", "invalid")


@dataclass(frozen=True)
class Owner:
    """An organisation, the DNS suffixes it answers for, and networks its answers come from."""

    name: str
    suffixes: tuple[str, ...]
    networks: tuple[Network, ...]


def _owner(name: str, suffixes: str, networks: str) -> Owner:
    return Owner(name, tuple(suffixes.split()), tuple(ipaddress.ip_network(n) for n in networks.split()))


OWNERS = (
    _owner("Google", "google.com youtube.com googleapis.com gstatic.com googlevideo.com ytimg.com dns.google",
           "142.250.0.0/15 172.217.0.0/16 216.58.192.0/19 74.125.0.0/16 173.194.0.0/16 8.8.8.0/24 8.8.4.0/24"),
    _owner("Mozilla (Google Cloud)", "firefox.com mozilla.org mozilla.net", "34.64.0.0/10 35.184.0.0/13"),
    _owner("Microsoft", "microsoft.com msftconnecttest.com microsoftonline.com office365.com office.com "
           "bing.com windowsupdate.com live.com windows.com msn.com",
           "13.64.0.0/11 13.104.0.0/14 20.33.0.0/16 20.184.0.0/13 40.64.0.0/10 52.96.0.0/12 204.79.197.0/24"),
    _owner("GitHub", "github.com githubusercontent.com", "140.82.112.0/20 192.30.252.0/22 185.199.108.0/22"),
    _owner("Wikimedia", "wikipedia.org wikimedia.org", "185.15.56.0/22 208.80.152.0/22 91.198.174.0/24"),
    _owner("DigiCert (Edgio)", "digicert.com", "192.229.128.0/17 72.21.80.0/20"),
    _owner("Canonical", "ubuntu.com canonical.com launchpad.net snapcraft.io", "185.125.188.0/22 91.189.88.0/21"),
    _owner("Debian (Fastly)", "debian.org", "151.101.0.0/16 146.75.0.0/16"),
    _owner("NTP Pool", "pool.ntp.org", "162.159.200.0/24 185.125.190.0/24 91.189.91.0/24"),
    _owner("Cloudflare", "cloudflare.com one.one.one.one cloudflare-dns.com", "1.1.1.0/24 1.0.0.0/24 104.16.0.0/13"),
    _owner("IANA (Edgio)", "=example.com =www.example.com =example.net =example.org",
           "93.184.215.0/24 93.184.216.0/24"),
    _owner("Yandex", "yandex.ru yandex.net ya.ru", "77.88.0.0/18 5.255.255.0/24 87.250.224.0/19"),
    _owner("VK", "vk.com mail.ru", "87.240.128.0/18 93.186.224.0/20 94.100.176.0/20 217.69.128.0/20"),
)


def owner_of(name: str) -> Owner | None:
    """The owner of a DNS name by its longest known suffix (``=name``: that name only), or None."""
    name = name.rstrip(".").lower()
    best: tuple[int, Owner] | None = None
    for owner in OWNERS:
        for suffix in owner.suffixes:
            exact = suffix.startswith("=")  # the name itself, not the names under it
            suffix = suffix.lstrip("=")
            matches = name == suffix or (not exact and name.endswith("." + suffix))
            if matches and (best is None or len(suffix) > best[0]):
                best = (len(suffix), owner)
    return best[1] if best else None


def is_reserved_name(name: str) -> bool:
    """A name RFC 2606 keeps for examples and tests (``files.example.net``, ``c2.test``)."""
    name = name.rstrip(".").lower()
    return any(name == s or name.endswith("." + s) for s in _RESERVED_SUFFIXES)


def is_documentation(address: str) -> bool:
    """True for an address of the documentation ranges (RFC 5737 and RFC 3849)."""
    ip = ipaddress.ip_address(address)
    return any(ip.version == n.version and ip in n for n in DOCUMENTATION)


def owner_address(seed: int | str, name: str, taken: set[str]) -> ipaddress.IPv4Address | None:
    """A stable IPv4 address of the name's real owner for this capture, none of ``taken``; None for unknown names."""
    owner = owner_of(name)
    if owner is None:
        return None
    networks = [n for n in owner.networks if n.version == 4]
    digest = hashlib.sha256(f"{seed}/owner-ip/{name}".encode()).digest()
    network = networks[digest[0] % len(networks)]
    offset = int.from_bytes(digest[1:5], "big")
    for step in range(network.num_addresses):
        value = (offset + step) % network.num_addresses
        address = network.network_address + value
        if value % 256 not in (0, 255) and str(address) not in taken:
            return address
    return None
