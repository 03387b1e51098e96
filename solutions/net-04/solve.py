"""Reference solver for net-04: answers every question from the capture alone.

The order follows the intrusion: the scan, the password guessing, the implant's
beacons and its TLS download from the same C2, then the ARP spoofing inside the DMZ.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.net import credentials, detect, read_frames, tcp_streams, tls_sessions


def _ip_sources_of_mac(capture: Path, mac: str) -> Counter:
    """IPv4 source addresses of Ethernet frames sent from ``mac`` (like eth.src == mac && ip)."""
    wanted = bytes.fromhex(mac.replace(":", ""))
    sources: Counter = Counter()
    for frame in read_frames(capture):
        data = frame.data
        if frame.linktype == 1 and data[6:12] == wanted and data[12:14] == b"\x08\x00":
            sources[str(ipaddress.IPv4Address(data[26:30]))] += 1
    return sources


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    capture = evidence["capture"]
    answers: dict[str, Any] = {}
    # the implant's jitter is high: the default threshold (± 20 %) would miss it
    findings = detect(capture, options={"beacon.max_jitter": 0.5})

    scan = next(f for f in findings if f.kind == "port-scan")
    scanner, target = scan.source, scan.targets[0]
    answers["scanner_ip"] = scanner
    log(f"net detect: {scan.summary}")
    # A probe of an open port is SYN, SYN/ACK, RST and carries no data; the detector's list
    # also counts the scanner's later FTP data connections (passive mode), which carry bytes.
    probes = [s for s in tcp_streams(capture) if s.client == scanner and s.server == target]
    open_ports = sorted({s.sport for s in probes if s.packets >= 3 and s.bytes_c2s == s.bytes_s2c == 0})
    answers["open_ports"] = open_ports
    log(f"net stream: SYN/ACK answered, no data exchanged, on ports {open_ports} of {target}; "
        "the other 'open' ports were FTP data connections after the login")

    brute = next(f for f in findings if f.kind == "brute-force" and f.source == scanner)
    log(f"net detect: {brute.summary}")
    fell = [c for c in credentials(capture)
            if c.client == scanner and c.server == target and c.success and c.frame >= min(brute.frames)]
    answers["account"] = fell[0].username
    answers["password"] = fell[0].password
    log(f"net creds: {fell[0].protocol.upper()} login accepted for {fell[0].username!r} with "
        f"{fell[0].password!r} (frame {fell[0].frame}); the same pair logs in again in stream {fell[-1].stream}")

    # Background lookups and checks that happen to repeat can pass the raised threshold too;
    # the implant's series is the file server's longest and steadiest one.
    beacon = max((f for f in findings if f.kind == "beaconing" and f.source == target),
                 key=lambda f: (f.numbers["count"], -f.numbers["jitter_pct"]))
    n = beacon.numbers
    # the detector's interval is the mean (first to last over the intervals) and its jitter the
    # question's: half the spread between the longest and shortest interval over that mean
    mean, jitter = n["interval_s"], n["jitter_pct"]
    answers["beacon_interval"] = round(mean, 1)
    answers["beacon_jitter"] = round(jitter)
    answers["first_beacon"] = beacon.first
    log(f"net detect --set beacon.max_jitter=0.5: {beacon.summary}; {n['count']} requests from {beacon.first} "
        f"to {beacon.last}: mean {mean:.1f} s, intervals {n['min_interval_s']}-{n['max_interval_s']} s "
        f"= ±{jitter:.0f} %")

    c2 = beacon.targets[0]
    tls = [s for s in tls_sessions(capture) if s.client == target and s.server == c2]
    answers["c2_sni"] = tls[0].sni
    answers["c2_ja3"] = tls[0].ja3_hash
    log(f"net tls: {target} -> {c2}:{tls[0].sport} (the beacons' C2) asked for {tls[0].sni}, "
        f"JA3 {tls[0].ja3_hash}, self-signed certificate {tls[0].cert_subject}")

    spoof = next(f for f in findings if f.kind == "arp-spoof")
    answers["spoofed_ip"] = spoof.targets[0]
    answers["spoofer_mac"] = spoof.source
    log(f"net detect: {spoof.summary}")
    sources = _ip_sources_of_mac(capture, spoof.source)
    owner, count = sources.most_common(1)[0]
    answers["spoofer_ip"] = owner
    log(f"eth.src == {spoof.source} && ip: {count} packets from {owner} (the compromised file server), "
        f"the rest forwarded for others: {dict(sources)}")
    return answers
