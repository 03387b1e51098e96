"""TCP stack fingerprints: what each OS puts in its SYN and how it sizes windows and ports.

An examiner (or p0f) tells Windows from Linux from macOS by the SYN alone: the
option layout, the window scale, the initial window and whether timestamps are
offered. The values are each system's defaults as captures of them show:

- Linux 4.x-6.x: ``MSS, SACK_PERM, TS, NOP, WS 7``, window 64240 (65160 in a
  SYN/ACK with timestamps), timestamps on every segment once both sides
  offered them, ephemeral ports 32768-60999 (``ip_local_port_range``).
- Windows 10/11 and Server 2016+: ``MSS, NOP, WS 8, NOP, NOP, SACK_PERM``,
  window 64240 (65535 in a SYN/ACK), RFC 1323 timestamps disabled
  (``netsh int tcp show global``), ephemeral ports 49152-65535.
- macOS/iOS and FreeBSD: ``MSS, NOP, WS 6, NOP, NOP, TS, SACK_PERM, EOL, EOL``,
  window 65535, timestamps, ephemeral ports 49152-65535.
- Network gear (Cisco IOS): ``MSS`` alone, window 4128.

A SYN/ACK answers with the options the SYN offered and its own stack supports;
Linux lays a SYN/ACK without timestamps out as ``MSS, NOP, NOP, SACK_PERM, NOP, WS``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from forensics_kit.builder.world.os_profile import os_profile

_NOP, _EOL, _SACK_PERM = b"\x01", b"\x00", b"\x04\x02"


def _mss(value: int) -> bytes:
    return struct.pack("!BBH", 2, 4, value)


def _ws(shift: int) -> bytes:
    return struct.pack("!BBB", 3, 3, shift)


def timestamp_option(tsval: int, tsecr: int) -> bytes:
    """The 10-byte TCP timestamps option."""
    return struct.pack("!BBII", 8, 10, tsval & 0xFFFFFFFF, tsecr & 0xFFFFFFFF)


@dataclass(frozen=True)
class TcpStack:
    """One OS family's TCP defaults.

    Attributes:
        kind: the OS kind (``linux``, ``windows``, ``macos``, ``bsd``, ``network``).
        wscale: the window-scale shift its SYN offers (0 = no WS option).
        syn_window: the window of its SYN.
        synack_window: the window of its SYN/ACK (with timestamps where it uses them).
        window: the scaled window field of its later segments.
        timestamps: whether it offers RFC 7323 timestamps.
        ephemeral: its range of ephemeral client ports.
    """

    kind: str
    wscale: int
    syn_window: int
    synack_window: int
    window: int
    timestamps: bool
    ephemeral: tuple[int, int]

    @property
    def offers(self) -> frozenset[str]:
        """What this stack's SYN offers besides MSS (``SACK``, ``TS``, ``WS``)."""
        if self.kind == "network":
            return frozenset()
        return frozenset({"SACK", "WS"} | ({"TS"} if self.timestamps else set()))

    def syn_options(self, mss: int, tsval: int = 0) -> bytes:
        """The options of a SYN this stack sends."""
        if self.kind == "windows":
            return _mss(mss) + _NOP + _ws(self.wscale) + _NOP + _NOP + _SACK_PERM
        if self.kind in ("macos", "bsd"):
            return (_mss(mss) + _NOP + _ws(self.wscale) + _NOP + _NOP + timestamp_option(tsval, 0)
                    + _SACK_PERM + _EOL + _EOL)
        if self.kind == "network":
            return _mss(mss)
        return _mss(mss) + _SACK_PERM + timestamp_option(tsval, 0) + _NOP + _ws(self.wscale)

    def synack_options(self, mss: int, offered: frozenset[str] = frozenset({"SACK", "TS", "WS"}), *,
                       tsval: int = 0, tsecr: int = 0) -> bytes:
        """The options of this stack's SYN/ACK to a SYN that offered the ``offered`` options.

        A stack answers only what the SYN offered (``SACK``, ``TS``, ``WS``) and it supports,
        in its own order: Linux writes MSS, then SACK_PERM with TS (or NOP NOP TS, or
        NOP NOP SACK_PERM), then NOP WS; an nmap SYN offering MSS alone gets MSS alone.
        """
        if self.kind == "network":
            return _mss(mss)
        sack, ws = "SACK" in offered, "WS" in offered and self.wscale
        ts = "TS" in offered and self.timestamps
        out = _mss(mss)
        if self.kind == "linux":
            if ts:
                out += (_SACK_PERM if sack else _NOP + _NOP) + timestamp_option(tsval, tsecr)
            elif sack:
                out += _NOP + _NOP + _SACK_PERM
            return out + (_NOP + _ws(self.wscale) if ws else b"")
        if ws:
            out += _NOP + _ws(self.wscale)
        if self.kind == "windows":
            return out + (_NOP + _NOP + _SACK_PERM if sack else b"")
        out += _SACK_PERM if sack else b""
        return out + (timestamp_option(tsval, tsecr) + _EOL + _EOL if ts else b"")

    def answers_timestamps(self, offered: frozenset[str]) -> bool:
        """Whether a connection this stack accepts runs with timestamps."""
        return "TS" in offered and self.timestamps and self.kind != "network"


def offered_options(options: bytes) -> frozenset[str]:
    """Which of SACK, TS and WS a SYN's options offer."""
    kinds = set(options_layout(options).split(","))
    return frozenset(name for name, kind in (("SACK", "SACK_PERM"), ("TS", "TS")) if kind in kinds) | (
        {"WS"} if any(k.startswith("WS") for k in kinds) else set())


def options_layout(options: bytes) -> str:
    """TCP options as comma-separated kinds (``MSS,SACK_PERM,TS,NOP,WS=7``); EOL padding dropped."""
    names = {0: "EOL", 1: "NOP", 2: "MSS", 3: "WS", 4: "SACK_PERM", 8: "TS"}
    out, i = [], 0
    while i < len(options):
        kind = options[i]
        if kind == 0:
            break
        if kind == 1:
            out.append("NOP")
            i += 1
            continue
        if i + 1 >= len(options) or options[i + 1] < 2:
            out.append("?")
            break
        name = names.get(kind, str(kind))
        if kind == 3 and options[i + 1] == 3 and i + 2 < len(options):
            name = f"WS={options[i + 2]}"  # the shift is part of the fingerprint
        out.append(name)
        i += options[i + 1]
    return ",".join(out)


_STACKS = {
    "linux": TcpStack("linux", 7, 64240, 65160, 502, True, (32768, 60999)),
    "windows": TcpStack("windows", 8, 64240, 65535, 1026, False, (49152, 65535)),
    "macos": TcpStack("macos", 6, 65535, 65535, 2058, True, (49152, 65535)),
    "bsd": TcpStack("bsd", 6, 65535, 65535, 1027, True, (49152, 65535)),
    "network": TcpStack("network", 0, 4128, 4128, 4128, False, (11000, 65535)),
}


def tcp_stack(os: str | None = None, ttl: int | None = None) -> TcpStack:
    """The stack of a host's declared ``os``; without one, the family its initial TTL suggests."""
    if os:
        return _STACKS.get(os_profile(os).kind, _STACKS["linux"])
    if ttl is not None and ttl > 128:
        return _STACKS["network"]
    if ttl is not None and ttl > 64:
        return _STACKS["windows"]
    return _STACKS["linux"]
