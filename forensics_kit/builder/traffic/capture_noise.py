"""Capture method for background noise between the capture's hosts and a few generated LAN machines.

A mixin of :class:`~forensics_kit.builder.traffic.capture.Capture`. The noise is
built when the capture is written, after every other session has reserved its
ports, so it fits around them whatever the order of the calls.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
from typing import TYPE_CHECKING

from forensics_kit.builder.traffic.frames import Endpoint
from forensics_kit.builder.traffic.noise import (
    _LINUX_DOMAINS,
    _LINUX_PAGES,
    _LINUX_TLS_SITES,
    _PAGES,
    _WEIGHTS,
    DOMAINS,
    KINDS,
    LanHost,
    NoiseMaker,
    public_address,
)
from forensics_kit.builder.traffic.sessions import Session
from forensics_kit.errors import RecipeError

if TYPE_CHECKING:
    from forensics_kit.builder.traffic.capture import Host


def _mac(seed: int, tag: str) -> bytes:
    digest = bytearray(hashlib.sha256(f"{seed}/noise-mac/{tag}".encode()).digest()[:6])
    digest[0] = (digest[0] & 0xFC) | 0x02
    return bytes(digest)


class NoiseSessions:
    """Background noise; needs ``_host``, ``_new_sid``, ``_start``, ``_path``, ``_port``, ``_hosts``,
    ``ttl_of`` and ``set_ttl`` (generated machines get their OS's TTL like declared ones)."""

    def noise(self, hosts: list[Host | str] | None = None, *, start: float, duration: float, rate_per_s: float,
              kinds: tuple[str, ...] | list[str] = KINDS, seed: int | None = None, resolver: Host | str | None = None,
              extra_hosts: int = 3, id: str | None = None, gateway: Host | str | None = None,
              upstream: Host | str | None = None) -> str:
        """Everyday LAN traffic from ``start`` for ``duration`` seconds, ``rate_per_s`` exchanges a second.

        ``hosts`` are the LAN machines that take part (default: every private IPv4 host);
        ``extra_hosts`` more are generated in the same /24 (NetBIOS names ``DESKTOP-...``).
        Internet servers are reached through ``gateway`` (a LAN host), else through the
        ``resolver`` if it is on the LAN, else through a generated router; so lookups can go
        to a LAN DNS server while web and time traffic leaves through the router. A LAN
        resolver that is not the gateway forwards each name the first time it is asked,
        to ``upstream`` (default: a public resolver generated behind the gateway).
        Truth: ``kinds``, ``rate_per_s``, ``duration_s``, ``exchanges``, ``counts`` per kind,
        ``packets``, ``frames`` [first, last], ``time``, ``last_time``, ``generated_hosts``.
        """
        sid = self._new_sid("noise", id)
        item = f"session {sid}"
        unknown = [k for k in kinds if k not in KINDS]
        if unknown or not kinds:
            raise RecipeError("traffic", item, f"unknown noise kind {unknown[0] if unknown else None!r} "
                                               f"(known: {', '.join(KINDS)})")
        if duration <= 0 or rate_per_s <= 0:
            raise RecipeError("traffic", item, "noise needs a positive duration and rate")
        if not 0 <= extra_hosts <= 50:
            raise RecipeError("traffic", item, "extra_hosts must be between 0 and 50")
        t0 = self._start(sid, start)
        chosen = ([self._host(h, "noise", sid) for h in hosts] if hosts is not None
                  else [h for h in self._hosts.values() if h._address.version == 4 and h._address.is_private])
        if any(h._address.version != 4 for h in chosen):
            raise RecipeError("traffic", item, "noise hosts must have IPv4 addresses")
        dns_host = self._host(resolver, "resolver", sid) if resolver is not None else None
        router = self._host(gateway, "gateway", sid) if gateway is not None else None
        forward = self._host(upstream, "upstream", sid) if upstream is not None else None
        session_seed = f"{self.seed}/noise/{sid}/{seed}"
        count = max(1, round(rate_per_s * duration))
        facts = {"kinds": list(dict.fromkeys(kinds)), "rate_per_s": rate_per_s, "duration_s": duration}
        session = Session(sid, "noise", False)

        def build() -> None:
            maker = self._noise_maker(session_seed, sid, chosen, dns_host, extra_hosts, router, forward)
            facts["generated_hosts"] = {h.netbios: str(h.end.ip) for h in maker.lan if h.netbios}
            rng = random.Random(f"{session_seed}/times")
            times = sorted(t0 + int(rng.random() * duration * 1_000_000) for _ in range(count))
            weights = [_WEIGHTS[k] for k in facts["kinds"]]
            for n, t in enumerate(times, 1):
                maker.add(rng.choices(facts["kinds"], weights)[0], n, t)
            built = maker.session(sid, facts)
            session.packets, session.streams, session.describe = built.packets, built.streams, built.describe

        self._sessions.append(session)
        self._pending.append(build)
        return sid

    def _runs_windows(self, host: Host) -> bool:
        """The host's declared OS is Windows, or (none declared) its packets start at TTL 128."""
        from forensics_kit.builder.world import os_profile

        if host.os:
            return os_profile(host.os).kind == "windows"
        return self.ttl_of(host) > 64

    def _noise_maker(self, seed: str, sid: str, chosen: list[Host], dns_host: Host | None, extra: int,
                     router: Host | None = None, forward: Host | None = None) -> NoiseMaker:
        from forensics_kit.builder.traffic.capture import Host

        item = f"session {sid}"
        rng = random.Random(seed)
        taken = {h.ip for h in self._hosts.values()}
        base = chosen[0]._address if chosen else ipaddress.IPv4Address("192.168.1.23")
        network = ipaddress.IPv4Network(f"{base}/24", strict=False)

        def end(host: Host) -> Endpoint:
            return Endpoint(bytes.fromhex(host.mac.replace(":", "")), host._address, 0, self.ttl_of(host))

        def free(candidates) -> ipaddress.IPv4Address:
            for address in candidates:
                if str(address) not in taken and address in network and address not in (
                        network.network_address, network.broadcast_address):
                    taken.add(str(address))
                    return address
            raise RecipeError("traffic", item, f"no free address left for noise hosts in {network}")

        lan = [LanHost(end(h), windows=self._runs_windows(h), browser=h.browser or "firefox", user_agent=h.user_agent)
               for h in chosen]
        for k in range(extra):
            address = free([network.network_address + rng.randint(10, 250) for _ in range(20)] + list(network))
            name = "DESKTOP-" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(7))
            self.set_ttl(str(address), 128)  # the DESKTOP-... machines run Windows, on this LAN
            lan.append(LanHost(Endpoint(_mac(self.seed, f"{seed}/{k}"), address, 0, 128), name))
        if router is not None:
            if router._address not in network:
                raise RecipeError("traffic", item, f"the gateway {router._address} is not on the noise LAN {network}")
            gateway = end(router)
        elif dns_host is not None and dns_host._address in network:
            gateway = end(dns_host)
        else:
            candidates = [network.network_address + 1, network.broadcast_address - 1, *network.hosts()]
            address = free(candidates)
            self.set_ttl(str(address), 64)  # a Linux-based office router
            gateway = Endpoint(_mac(self.seed, f"{seed}/gateway"), address, 0, 64)
        if all(h.end.ip != gateway.ip for h in lan):
            lan.append(LanHost(gateway, windows=False))
        resolver = end(dns_host) if dns_host is not None else gateway
        servers = {}
        names = {*DOMAINS, *_LINUX_DOMAINS, *_LINUX_TLS_SITES, "pool.ntp.org", "time.windows.com",
                 *(page[0] for page in _PAGES + _LINUX_PAGES)}
        for domain in sorted(names):
            address = public_address(self.seed, domain, taken)
            taken.add(str(address))
            server = Host(str(address), str(address), gateway.mac.hex(":"), address)
            servers[domain] = Endpoint(gateway.mac, address, 0, self.ttl_of(server))

        def as_host(point: Endpoint) -> Host:
            return Host(str(point.ip), str(point.ip), point.mac.hex(":"), point.ip)

        def path(sub: str, client: Endpoint, server: Endpoint, proto: int, dport: int):
            return self._path(f"{sid}/{sub}", as_host(client), as_host(server), proto, None, dport)

        def port(point: Endpoint, proto: int, wanted: int | None) -> int:
            host = as_host(point)
            if wanted is not None and (host.ip, proto, wanted) not in self._used_ports:
                return self._port(item, host, proto, wanted, rng)
            return self._port(item, host, proto, None, rng)

        upstream = None
        if dns_host is not None and resolver.ip != gateway.ip and dns_host._address in network:
            # a LAN DNS server forwards what it does not own to a public resolver, through the gateway
            if forward is not None:
                upstream = end(forward)
            else:
                address = next(a for a in ("1.1.1.1", "1.0.0.1", "9.9.9.9") if a not in taken)
                taken.add(address)
                point = Host(address, address, gateway.mac.hex(":"), ipaddress.IPv4Address(address))
                upstream = Endpoint(gateway.mac, point._address, 0, self.ttl_of(point))
        return NoiseMaker(rng=rng, lan=lan, resolver=resolver, gateway=gateway, servers=servers,
                          path=path, port=port, upstream=upstream)
