"""Detectors of attacks and covert channels in a capture: scans, brute force, beacons, tunnels.

Each detector is a small class registered by subclassing
:class:`~.detector.Detector`, with its thresholds as options
(``beacon.min_count`` ...). :func:`detect` streams the capture once, with IPv4
fragments reassembled, and returns :class:`~.detector.Finding` records that
carry the numbers that triggered them and the evidence frames.
"""

from __future__ import annotations

from forensics_kit.net.detect import arpspoof, beacon, bruteforce, dnstunnel, icmpexfil, scan  # noqa: F401
from forensics_kit.net.detect.detector import DetectError, Detector, Finding, Packet
from forensics_kit.net.detect.runner import detect, make_detectors


def detectors() -> dict[str, str]:
    """Name -> first docstring line of every registered detector, with its options."""
    return {name: (cls.__doc__ or "").strip().splitlines()[0] for name, cls in sorted(Detector.registry.items())}


__all__ = ["DetectError", "Detector", "Finding", "Packet", "detect", "detectors", "make_detectors"]
