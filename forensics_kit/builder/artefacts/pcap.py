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
                    host_id, str(host["ip"]), host.get("mac"), os=host.get("os"), hops=host.get("hops")
                )
                truth.hosts[host_id] = {
                    "ip": hosts[host_id].ip,
                    "mac": hosts[host_id].mac,
                    "name": host.get("name"),
                    "os": host.get("os"),
                    "ttl": capture.ttl_of(hosts[host_id]),
                }
            for index, spec in enumerate(entry["sessions"]):
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
        truth.summary = {
            "packets": written["packets"],
            "dns_qnames": sorted(qnames),
            "first_time": written["first_time"],
            "last_time": written["last_time"],
        }
        return truth

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
