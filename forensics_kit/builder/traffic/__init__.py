"""Deterministic synthetic network traffic for case datasets.

Recipes describe sessions (a DNS lookup, an HTTP download); the builder calls
:class:`Capture` once per session and writes a pcap whose bytes depend only on
the calls and the seed, together with the truth (frame numbers, hashes) that
answer keys are checked against.
"""

from __future__ import annotations

from forensics_kit.builder.traffic.capture import Capture, Host

__all__ = ["Capture", "Host"]
