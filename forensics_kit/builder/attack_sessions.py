"""Recipe session types for incidents (scans, brute force, beacons, tunnels, exfiltration, ARP spoofing) and noise.

The attacker (scanner, implant, exfiltrating host) is the session's ``client``.
Registered on import (:mod:`forensics_kit.builder.artefacts.pcap` imports it).
"""

from __future__ import annotations

from forensics_kit.builder.parameters import parse_duration
from forensics_kit.builder.sessions import SessionType, _content, _ends, _optional, offset_seconds


class PortScanSession(SessionType):
    """A SYN scan of ``ports`` (list, or "20-25" ranges) on the server; ``open`` ports answer."""

    name = "port_scan"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        ports: list[int] = []
        for value in spec["ports"]:
            low, _, high = str(value).partition("-")
            try:
                ports.extend(range(int(low), int(high or low) + 1))
            except ValueError:
                raise context.fail((*where, "ports"), f"bad port or range {value!r}") from None
        return capture.port_scan(ends["client"], ends["server"], ports=ports, open_ports=list(spec.get("open", [])),
                                 at=ends["at"], id=ends["id"], **_optional(spec, "interval_ms"))


class BruteForceSession(SessionType):
    """Password guessing against ftp, telnet, http (POST /login) or ssh (banners only)."""

    name = "brute_force"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        return capture.brute_force(ends["client"], ends["server"], service=spec["service"], user=str(spec["user"]),
                                   passwords=[str(p) for p in spec["passwords"]], at=ends["at"], id=ends["id"],
                                   success=None if spec.get("success") is None else str(spec["success"]),
                                   dport=spec.get("port"), **_optional(spec, "interval_ms"))


class BeaconSession(SessionType):
    """Periodic C2 check-ins: HTTP GETs (``host``, ``uri``) or raw TCP ``payload`` every ``interval``."""

    name = "beacon"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        raw = str(spec["payload"]).encode("utf-8") if "payload" in spec else None
        return capture.beacons(ends["client"], ends["server"], count=int(spec["count"]),
                               interval_s=float(spec["interval"]), jitter_pct=float(spec.get("jitter_pct", 0)),
                               host=str(spec.get("host", "")), uri=str(spec.get("uri", "/")),
                               user_agent=str(spec.get("user_agent", "Mozilla/5.0")),
                               response=str(spec.get("response", "")).encode("utf-8"), raw=raw,
                               dport=spec.get("port", 80), at=ends["at"], id=ends["id"])


class DnsTunnelSession(SessionType):
    """Data leaving in DNS query names under one domain, to the server (a resolver)."""

    name = "dns_tunnel"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        return capture.dns_tunnel(ends["client"], ends["server"], domain=str(spec["domain"]),
                                  data=_content(spec["content"], context, spec["id"]), at=ends["at"], id=ends["id"],
                                  **_optional(spec, "encoding", "chunk", "answer", "interval_ms"))


class IcmpExfilSession(SessionType):
    """Data leaving in ICMP echo request payloads to the server."""

    name = "icmp_exfil"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        return capture.icmp_exfil(ends["client"], ends["server"], data=_content(spec["content"], context, spec["id"]),
                                  at=ends["at"], id=ends["id"], **_optional(spec, "chunk", "interval_ms"))


class ArpSpoofSession(SessionType):
    """The client (attacker) tells the server (victim) that ``gateway``'s IP is at the attacker's MAC."""

    name = "arp_spoof"

    def add(self, capture, hosts, spec, context, where):
        ends = _ends(capture, hosts, spec, context, where)
        if spec["gateway"] not in hosts:
            raise context.fail((*where, "gateway"), f"unknown host {spec['gateway']!r} (known: {', '.join(hosts)})")
        return capture.arp_spoof(ends["client"], ends["server"], hosts[spec["gateway"]], at=ends["at"], id=ends["id"],
                                 **_optional(spec, "count", "interval_s", "pings"))


class NoiseSession(SessionType):
    """Background LAN chatter (DNS, HTTP, NTP, ARP, NetBIOS, mDNS, SSDP) at ``rate`` exchanges a second."""

    name = "noise"

    def add(self, capture, hosts, spec, context, where):
        start = capture.start_us / 1e6
        at = offset_seconds(spec, context, where, start)
        try:
            duration = parse_duration(spec["duration"])
        except (TypeError, ValueError) as exc:
            raise context.fail((*where, "duration"), str(exc)) from None
        window = context.recipe.window
        if window and start + at + duration > window[1]:
            raise context.fail((*where, "duration"), "the noise runs past the end of the case window")
        return capture.noise([hosts[h] for h in spec["hosts"]] if "hosts" in spec else None, start=at,
                             duration=duration, rate_per_s=float(spec["rate"]), id=spec["id"],
                             resolver=hosts[spec["resolver"]] if "resolver" in spec else None,
                             gateway=hosts[spec["gateway"]] if "gateway" in spec else None,
                             upstream=hosts[spec["upstream"]] if "upstream" in spec else None,
                             **_optional(spec, "kinds", "extra_hosts"))
