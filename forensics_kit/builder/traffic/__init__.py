"""Deterministic synthetic network traffic for case datasets.

Recipes describe sessions (a DNS lookup, an HTTP download); the builder calls
:class:`Capture` once per session and writes a pcap whose bytes depend only on
the calls and the seed, together with the truth (frame numbers, hashes) that
answer keys are checked against.

What tshark (4.0) makes of it, checked by the tests: no malformed packets and no
expert warnings; TCP analysis flags only the retransmission a session asks for;
``--export-objects http`` de-chunks and gunzips, so the exported files are the
bodies given here byte for byte (a POST exports its request body too).
Truth hashes (``body_sha256`` ...) are of those given bodies, not the wire bytes.
"""

from __future__ import annotations

from forensics_kit.builder.traffic.capture import Capture, Host

__all__ = ["Capture", "Host"]
