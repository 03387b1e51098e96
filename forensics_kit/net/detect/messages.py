"""The words of a finding's summary, as templates a front end can show in another language.

A detector describes a finding as a list of parts, each a template key and its values
(``[("beaconing", {...})]``, or several parts for optional phrases). :func:`render`
joins them with the English templates below into ``Finding.summary``; the CLI renders
the same parts with the Russian templates of its gettext catalogue (``cli.detect.<key>``,
the English text being the msgid). Values are addresses, names and numbers, never words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Parts = list[tuple[str, dict[str, Any]]]

TEMPLATES: dict[str, str] = {
    "beaconing": "{source} beacons to {label} every {interval:.1f} s (jitter {jitter:.0f}%, {count} times)",
    "brute-force": "{service} brute force from {client} on {server}: {failures} failed logins",
    "brute-force.ssh": "{service} brute force from {client} on {server}: {failures} short connections",
    "brute-force.success": ", then success at frame {frame}",
    "brute-force.account": " as '{account}'",
    "port-scan.vertical": "{scan_type} scan from {source}: {ports} ports on {host}",
    "port-scan.more-hosts": " (+{more} hosts)",
    "port-scan.horizontal": "{scan_type} scan from {source}: port {port} on {hosts} hosts",
    "port-scan.open": ", {open} open",
    "port-scan.open-list": " ({items})",
    "dns-tunnel": "DNS tunnel? {client} sent {unique} unique names under {domain} "
                  "({bytes} bytes, entropy {bits:.2f} bits/char)",
    "dns-tunnel.txt": "DNS tunnel? {client} sent {unique} unique names under {domain} "
                      "({bytes} bytes, entropy {bits:.2f} bits/char, {txt} TXT/NULL)",
    "icmp-exfil": "ICMP exfiltration? {source} -> {target}: {odd} echo requests with non-ping payloads, "
                  "{bytes} bytes",
    "arp-spoof": "ARP spoofing: {ip} moved from {old_mac} to {new_mac} ({claims} claims)",
    "arp-flood": "gratuitous ARP flood: {mac} sent {count} for {ips}",
}


def render(parts: Sequence[tuple[str, dict[str, Any]]], template: Callable[[str], str] | None = None) -> str:
    """Join the parts of a summary; ``template(key)`` gives another language's text (English by default)."""
    pick = template or TEMPLATES.__getitem__
    return "".join(pick(key).format(**values) for key, values in parts)
