"""Where a host sits relative to the capture point, and the TTL its packets carry there.

A host on the capture's own LAN (an RFC 1918, link-local or unique-local
address) is 0 hops away unless the recipe says otherwise; any other address is
on the Internet (documentation ranges such as 192.0.2.0/24 included, which
Python's ``is_private`` would call private) and a seeded 6-20 hops away. A host
whose OS the recipe does not name gets a seeded common one (Linux or Windows).
Both choices are made from the host's address, never from the pair it talks
to, so one host keeps one TTL in every connection.
"""

from __future__ import annotations

import hashlib
import ipaddress

from forensics_kit.builder.world.os_profile import os_profile

_LAN_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7", "fe80::/10")
)


def is_lan_address(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for addresses only a local network uses (RFC 1918, link-local, unique-local)."""
    ip = ipaddress.ip_address(address)
    return any(ip.version == net.version and ip in net for net in _LAN_NETWORKS)


def _draw(seed: int | str, address: object, what: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}/world/{what}/{address}".encode()).digest()[:4], "big")


def hops_of(address: object, declared: int | None = None, seed: int | str = 0) -> int:
    """Routers between the host and the capture point: ``declared``, else 0 on the LAN, else 6-20."""
    if declared is not None:
        return int(declared)
    return 0 if is_lan_address(str(address)) else 6 + _draw(seed, address, "hops") % 15


def initial_ttl(address: object, os: str | None = None, seed: int | str = 0) -> int:
    """The host's OS initial TTL: its declared ``os``, else a seeded Linux (64) or Windows (128)."""
    if os:
        return os_profile(os).initial_ttl
    return (64, 64, 128)[_draw(seed, address, "os") % 3]


def ttl_at_capture(address: object, os: str | None = None, hops: int | None = None,
                   seed: int | str = 0) -> int:
    """The TTL the host's packets carry when they pass the capture point."""
    return initial_ttl(address, os, seed) - hops_of(address, hops, seed)
