"""The ``pcap`` evidence type: a capture of synthetic traffic between declared hosts.

Hosts and sessions come from the recipe; packets, frame numbers and hashes come
from the traffic generator's record of what it wrote.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import forensics_kit.builder.attack_sessions  # noqa: F401 - registers the incident session types
from forensics_kit.builder.artefact import ArtefactTruth, BuildContext, EvidenceType
from forensics_kit.builder.sessions import SessionType
from forensics_kit.errors import RecipeError

_MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$", re.IGNORECASE)


def _lan(address: str) -> bool:
    from forensics_kit.builder.world import is_lan_address

    try:
        return is_lan_address(ipaddress.ip_address(address))
    except ValueError:
        return False


class PcapEvidence(EvidenceType):
    """A pcap (or, with ``format: pcapng``, pcapng) file built from the recipe's sessions in time order."""

    name = "pcap"

    def build(self, entry: dict[str, Any], context: BuildContext, output: Path) -> ArtefactTruth:
        from forensics_kit.builder.traffic import (
            Capture,  # lazy: the generator is a sibling package
        )

        start = context.time(("start",), entry["start"])
        capture = Capture(start=start, seed=context.rng(entry["id"], "capture").getrandbits(63))
        truth = ArtefactTruth()
        hosts = {}
        try:
            for host_id, host in entry["hosts"].items():
                self._check_host(host_id, host, context)
                hosts[host_id] = capture.add_host(
                    host_id, str(host["ip"]), host.get("mac"), os=host.get("os"), hops=host.get("hops"),
                    browser=host.get("browser"),
                )
                truth.hosts[host_id] = {
                    "ip": hosts[host_id].ip,
                    "mac": hosts[host_id].mac,
                    "name": host.get("name"),
                    "os": host.get("os"),
                    "ttl": capture.ttl_of(hosts[host_id]),
                }
                if hosts[host_id].browser:
                    truth.hosts[host_id]["browser"] = hosts[host_id].browser
                if host.get("forwards_dns_to"):
                    truth.hosts[host_id]["forwards_dns_to"] = str(host["forwards_dns_to"])
            forwarders = self._forwarders(entry, context)
            for index, spec in enumerate(entry["sessions"]):
                spec = self._with_upstream(spec, forwarders, context, ("sessions", index))
                SessionType.lookup(spec["type"])().add(
                    capture, hosts, spec, context, ("sessions", index)
                )
            written = capture.write(output, fmt=entry.get("format", "pcap"))
        except RecipeError as exc:
            if exc.recipe != "traffic":
                raise
            raise context.fail(
                (), f"{exc.item}: {exc.problem}" if exc.item else exc.problem
            ) from exc
        truth.sessions = written["sessions"]
        qnames = {s["qname"] for s in written["sessions"].values() if s.get("type") == "dns"}
        qnames |= {q for s in written["sessions"].values() if s.get("type") == "noise" for q in s.get("qnames", [])}
        truth.summary = {
            "packets": written["packets"],
            "dns_qnames": sorted(qnames),
            "first_time": written["first_time"],
            "last_time": written["last_time"],
        }
        return truth

    @staticmethod
    def _forwarders(entry: dict[str, Any], context: BuildContext) -> dict[str, str]:
        """``{resolver host: upstream host}`` of the hosts declared forwarding DNS resolvers."""
        out = {}
        for host_id, host in entry["hosts"].items():
            upstream = host.get("forwards_dns_to")
            if upstream is None:
                continue
            if str(upstream) not in entry["hosts"] or str(upstream) == host_id:
                raise context.fail(("hosts", host_id, "forwards_dns_to"),
                                   f"forwards_dns_to names {upstream!r}, not another host of the capture")
            out[host_id] = str(upstream)
        return out

    @staticmethod
    def _with_upstream(spec: dict[str, Any], forwarders: dict[str, str], context: BuildContext,
                       where: tuple) -> dict[str, Any]:
        """A DNS (or noise) session to a declared forwarder asks its upstream; no other server forwards.

        A resolver asks another server only when the recipe says it is one
        (``forwards_dns_to`` on the host), so the capture never shows a forwarding
        nobody declared, nor a declared forwarder that answers public names alone;
        names answered with LAN addresses are its own zone's.
        """
        server = spec.get("server") if spec["type"] == "dns" else spec.get("resolver") if spec["type"] == "noise" \
            else None
        if server is None:
            return spec
        declared = forwarders.get(str(server))
        if "upstream" in spec and spec["upstream"] != declared:
            problem = (f"{server} forwards to {declared}, not {spec['upstream']}" if declared else
                       f"{server} asks {spec['upstream']} only as a forwarding resolver: declare "
                       f"hosts.{server}.forwards_dns_to: {spec['upstream']}")
            raise context.fail((*where, "upstream"), problem)
        if not declared or "upstream" in spec:
            return spec
        if spec["type"] == "dns" and all(_lan(str(a)) for a in spec.get("answers", [])):
            return spec  # a name of its own zone (a LAN address): answered without asking
        return {**spec, "upstream": declared}

    @staticmethod
    def _check_host(host_id: str, host: dict[str, Any], context: BuildContext) -> None:
        try:
            ipaddress.IPv4Address(str(host["ip"]))
        except ValueError:
            raise context.fail(
                ("hosts", host_id, "ip"), f"bad IPv4 address {host['ip']!r}"
            ) from None
        if "mac" in host and not _MAC.match(str(host["mac"])):
            raise context.fail(
                ("hosts", host_id, "mac"),
                f"bad MAC address {host['mac']!r} (use aa:bb:cc:dd:ee:ff)",
            )
