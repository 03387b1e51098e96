"""Capture methods for incidents: scans, brute force, beacons, tunnels, exfiltration, ARP spoofing.

A mixin of :class:`~forensics_kit.builder.traffic.capture.Capture`, like
:mod:`capture_services`; the attacker is the ``client`` of each session.
"""

from __future__ import annotations

import random
from functools import partial
from typing import TYPE_CHECKING

from forensics_kit.builder.traffic.attacks import beacon_session, brute_force_session, port_scan_session
from forensics_kit.builder.traffic.covert import arp_spoof_session, dns_tunnel_session, icmp_exfil_session
from forensics_kit.builder.traffic.frames import Endpoint

if TYPE_CHECKING:
    from forensics_kit.builder.traffic.capture import Host

BRUTE_PORTS = {"ftp": 21, "ssh": 22, "telnet": 23, "http": 80}


class IncidentSessions:
    """Attack sessions; needs ``_add``, ``_host``, ``_new_sid``, ``_start`` from :class:`Capture`."""

    def port_scan(self, scanner: Host | str, target: Host | str, *, ports: list[int], open_ports: list[int],
                  at: float, interval_ms: float = 2.0, id: str | None = None) -> str:
        """A SYN scan of ``ports`` on one target. Truth: ``ports_scanned``, ``open_ports``,
        ``closed_ports``, ``frames``, ``time``, ``last_time``, ``tcp_streams`` [first, last]."""
        return self._add("port_scan", scanner, target, at=at, sid=id, dport=ports[0] if ports else 1,
                         build=partial(port_scan_session, ports=list(ports), open_ports=list(open_ports),
                                       interval_ms=interval_ms))

    def brute_force(self, attacker: Host | str, server: Host | str, *, service: str, user: str,
                    passwords: list[str], at: float, success: str | None = None, dport: int | None = None,
                    interval_ms: float = 300.0, id: str | None = None) -> str:
        """Logins to ``service`` (ftp, ssh, telnet, http) trying ``passwords`` in order, one connection each.

        Truth: ``service``, ``user``, ``attempts``, ``passwords_tried``, ``success``, ``password``,
        ``success_frame``, ``tcp_streams`` [first, last], ``attempt_list`` (``password``,
        ``client_port``, ``password_frame``, ``reply_frame``, ``tcp_stream``).
        """
        return self._add("brute_force", attacker, server, at=at, sid=id,
                         dport=dport or BRUTE_PORTS.get(service, 1),
                         build=partial(brute_force_session, service=service, user=user, passwords=list(passwords),
                                       success=success, interval_ms=interval_ms))

    def beacons(self, implant: Host | str, c2: Host | str, *, count: int, interval_s: float, at: float,
                jitter_pct: float = 0.0, host: str = "", uri: str = "/", user_agent: str = "Mozilla/5.0",
                response: bytes = b"", raw: bytes | None = None, dport: int = 80, id: str | None = None) -> str:
        """``count`` HTTP GETs (or ``raw`` TCP payloads) to one C2 every ``interval_s`` ± ``jitter_pct`` %.

        Truth: ``count``, ``interval_s``, ``jitter_pct``, ``mean_interval_s``, ``host``, ``uri``,
        ``request_frames``, ``tcp_streams``, ``response_sha256``.
        """
        return self._add("beacon", implant, c2, at=at, sid=id, dport=dport,
                         build=partial(beacon_session, count=count, interval_s=interval_s, jitter_pct=jitter_pct,
                                       host=host, uri=uri, user_agent=user_agent, response=response, raw=raw))

    def dns_tunnel(self, client: Host | str, resolver: Host | str, *, domain: str, data: bytes, at: float,
                   encoding: str = "base32", chunk: int = 30, answer: str = "TXT", interval_ms: float = 150.0,
                   id: str | None = None) -> str:
        """``data`` leaving in query names under ``domain``. Truth: ``domain``, ``encoding``,
        ``answer_type``, ``queries``, ``first_qname``, ``encoded_bytes``, ``data_size``, ``data_sha256``."""
        return self._add("dns_tunnel", client, resolver, at=at, sid=id, dport=53, proto=17,
                         build=partial(dns_tunnel_session, domain=domain, data=data, encoding=encoding,
                                       chunk=chunk, answer=answer, interval_ms=interval_ms))

    def icmp_exfil(self, client: Host | str, receiver: Host | str, *, data: bytes, at: float, chunk: int = 48,
                   interval_ms: float = 1000.0, id: str | None = None) -> str:
        """``data`` in ICMP echo payloads. Truth: ``icmp_id``, ``requests``, ``chunk``, ``data_size``,
        ``data_sha256``, ``data_text`` (if ASCII)."""
        return self._add("icmp_exfil", client, receiver, at=at, sid=id, dport=1, proto=1,
                         build=partial(icmp_exfil_session, data=data, chunk=chunk, interval_ms=interval_ms))

    def arp_spoof(self, attacker: Host | str, victim: Host | str, gateway: Host | str, *, at: float,
                  count: int = 10, interval_s: float = 2.0, pings: int = 3, id: str | None = None) -> str:
        """Forged ARP replies telling ``victim`` that ``gateway``'s IP is at ``attacker``'s MAC.

        Truth: ``attacker_mac``, ``victim``, ``gateway``, ``gateway_mac``, ``forged_replies``,
        ``forwarded_pings``, ``first_forged_frame``, ``spoof_time``.
        """
        sid = self._new_sid("arp_spoof", id)
        ends = []
        for role, host in (("attacker", attacker), ("victim", victim), ("gateway", gateway)):
            known = self._host(host, role, sid)
            ends.append(Endpoint(bytes.fromhex(known.mac.replace(":", "")), known._address, 0, self.ttl_of(known)))
        session = arp_spoof_session(sid, *ends, self._start(sid, at), rng=random.Random(f"{self.seed}/session/{sid}"),
                                    count=count, interval_s=interval_s, pings=pings)
        self._sessions.append(session)
        return sid
