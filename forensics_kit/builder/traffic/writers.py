"""Capture file writers: classic pcap (microseconds) and pcapng, both Ethernet.

Written with ``struct`` so the bytes depend only on the packets: no
application name, host OS or creation time goes into the file.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import BinaryIO

from forensics_kit.errors import RecipeError

LINKTYPE_ETHERNET = 1
FORMATS = ("pcap", "pcapng")


class _PcapWriter:
    """libpcap format, little-endian, microsecond timestamps."""

    def __init__(self, stream: BinaryIO, snaplen: int) -> None:
        self.stream, self.snaplen = stream, snaplen
        stream.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, LINKTYPE_ETHERNET))

    def write(self, time_us: int, frame: bytes) -> None:
        data = frame[: self.snaplen]
        seconds, micros = divmod(time_us, 1_000_000)
        self.stream.write(struct.pack("<IIII", seconds, micros, len(data), len(frame)) + data)


class _PcapngWriter:
    """pcapng with one section, one Ethernet interface (default microsecond resolution)."""

    def __init__(self, stream: BinaryIO, snaplen: int) -> None:
        self.stream, self.snaplen = stream, snaplen
        shb_body = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)
        stream.write(self._block(0x0A0D0D0A, shb_body))
        idb_body = struct.pack("<HHI", LINKTYPE_ETHERNET, 0, snaplen)
        stream.write(self._block(0x00000001, idb_body))

    @staticmethod
    def _block(block_type: int, body: bytes) -> bytes:
        body += b"\x00" * (-len(body) % 4)
        total = 12 + len(body)
        return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)

    def write(self, time_us: int, frame: bytes) -> None:
        data = frame[: self.snaplen]
        body = struct.pack("<IIIII", 0, time_us >> 32, time_us & 0xFFFFFFFF, len(data), len(frame))
        self.stream.write(self._block(0x00000006, body + data))


def write_capture(
    stream: BinaryIO, packets: Iterable[tuple[int, bytes]], *, fmt: str, snaplen: int,
) -> None:
    """Write ``(time_us, frame)`` pairs, already in file order, as ``fmt``."""
    if fmt not in FORMATS:
        known = ", ".join(FORMATS)
        raise RecipeError("traffic", None, f"unknown capture format {fmt!r} (known: {known})")
    writer = _PcapWriter(stream, snaplen) if fmt == "pcap" else _PcapngWriter(stream, snaplen)
    for time_us, frame in packets:
        writer.write(time_us, frame)
