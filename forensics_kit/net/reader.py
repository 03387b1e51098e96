"""Streaming reader for pcap and pcapng captures.

Records are read in large blocks and unpacked with :mod:`struct`, so memory
stays flat however many packets a capture holds and the per-packet cost is a
few microseconds (scapy's ``rdpcap`` is two orders of magnitude slower and
keeps every packet). Supported: classic pcap in micro- and nanosecond
resolution and both byte orders; pcapng with several sections and interfaces
(EPB, SPB, the obsolete packet block, ``if_tsresol`` and ``if_tsoffset``).

A damaged record at the end of a capture stops the reading there and is
reported in :attr:`CaptureReader.warnings`, naming the frame; a file that is
not a capture at all raises :class:`~forensics_kit.errors.EvidenceError`.
Headers are checked as tshark checks them: a pcap major version below 2 or a
pcapng section version other than 1.0 is refused (one-line EvidenceError), an
unusual pcap version is read with a warning, and a block option that runs past
its block is reported and the rest of that block's options ignored. Time stamps
outside 1970-2262 (a damaged ``if_tsresol``/``if_tsoffset``; tshark shows them
raw) are read as 0, "no time", and reported, so no analysis fails on them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from forensics_kit.errors import EvidenceError
from forensics_kit.timefmt import iso_utc

BLOCK_SIZE = 1 << 20
# Time stamps kept as read: 1970 .. 2262 (what a signed 64-bit nanosecond count holds).
MIN_TS_NS = 0
MAX_TS_NS = (1 << 63) - 1
MAX_RECORD = 1 << 26  # 64 MiB: larger "records" are corruption, not packets

_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1000),
    b"\xa1\xb2\xc3\xd4": (">", 1000),
    b"\x4d\x3c\xb2\xa1": ("<", 1),
    b"\xa1\xb2\x3c\x4d": (">", 1),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"
_SHB_TYPE = 0x0A0D0D0A
_BYTE_ORDER_MAGIC = 0x1A2B3C4D

LINKTYPE_NAMES = {
    0: "null",
    1: "ethernet",
    9: "ppp",
    10: "fddi",
    12: "raw",
    14: "raw",
    50: "ppp-hdlc",
    101: "raw",
    105: "ieee802.11",
    106: "linux-atm-clip",
    108: "loop",
    113: "linux-sll",
    127: "radiotap",
    192: "ppi",
    228: "ipv4",
    229: "ipv6",
    276: "linux-sll2",
}


def iso_ns(ts_ns: int | None) -> str | None:
    """A capture time stamp (POSIX nanoseconds) as ISO 8601 UTC; None when unset or out of range.

    The reader already turns impossible stamps into 0 (with a warning); the
    range check keeps formatting safe for stamps made elsewhere.
    """
    if ts_ns is None or not MIN_TS_NS <= ts_ns <= MAX_TS_NS:
        return None
    return iso_utc(ts_ns // 1_000_000_000, ts_ns % 1_000_000_000)


def check_options(options: bytes, endian: str) -> str | None:
    """The first problem of a pcapng option list (an option running past the block), or None."""
    pos, end = 0, len(options)
    while pos + 4 <= end:
        code, length = struct.unpack_from(endian + "HH", options, pos)
        if code == 0:
            return None
        if pos + 4 + length > end:
            return f"option {code} of length {length} runs past the block ({end - pos - 4} bytes left)"
        pos += 4 + length + (-length % 4)
    return None


def linktype_name(linktype: int) -> str:
    """Short name of a LINKTYPE_ value, e.g. ``ethernet``; unknown ones as ``linktype-N``."""
    return LINKTYPE_NAMES.get(linktype, f"linktype-{linktype}")


@dataclass(slots=True)
class Frame:
    """One captured packet: its place in the file, time, lengths and raw bytes.

    ``number`` counts from 1 like Wireshark; ``ts_ns`` is exact, ``ts`` a float
    for convenience; ``length`` is the original length on the wire and
    ``caplen`` how much of it was captured (``len(data)``).
    """

    number: int
    ts: float
    ts_ns: int
    length: int
    caplen: int
    linktype: int
    data: bytes
    interface: int = 0

    @property
    def time(self) -> str | None:
        """The frame time as ISO 8601 UTC."""
        return iso_ns(self.ts_ns)

    def to_dict(self) -> dict:
        """JSON-ready values; the raw bytes are given as hex."""
        return {
            "number": self.number,
            "time": self.time,
            "ts": self.ts,
            "ts_ns": self.ts_ns,
            "length": self.length,
            "caplen": self.caplen,
            "linktype": self.linktype,
            "linktype_name": linktype_name(self.linktype),
            "interface": self.interface,
            "data": self.data.hex(),
        }


class CaptureReader:
    """A pcap or pcapng file, checked on creation and read lazily.

    Creating the reader opens the file only to check its header, so a file
    that is not a capture fails at once with an EvidenceError. Iterating
    (:meth:`frames` or :meth:`records`) reopens it read-only and streams.
    Problems met while reading (a truncated last record, a bad block length)
    are appended to :attr:`warnings` and end the iteration; after an
    iteration :attr:`link_counts` gives the packets read per link type, from
    which :func:`~forensics_kit.net.decode.link_warnings` says how many an
    analysis had to skip.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.warnings: list[str] = []
        self.link_counts: dict[int, int] = {}
        try:
            with open(self.path, "rb") as stream:
                head = stream.read(24)
        except FileNotFoundError as exc:
            raise EvidenceError(self.path, "no such file") from exc
        except IsADirectoryError as exc:
            raise EvidenceError(self.path, "is a directory, not a capture file") from exc
        except OSError as exc:
            raise EvidenceError(self.path, f"cannot read: {exc.strerror or exc}") from exc
        if not head:
            raise EvidenceError(self.path, "empty file, not a capture")
        magic = head[:4]
        if magic in _PCAP_MAGICS:
            if len(head) < 24:
                raise EvidenceError(self.path, "pcap file header is truncated")
            self.format = "pcap"
            self._endian, self._ns_per_tick = _PCAP_MAGICS[magic]
            major, minor, _, _, self.snaplen, network = struct.unpack(self._endian + "HHiIII", head[4:24])
            self.linktype = network & 0xFFFF
            if major < 2:  # as tshark: pcap before 2.x had another record layout
                raise EvidenceError(self.path, f"pcap version {major}.{minor} is not supported (only 2.x)")
            if (major, minor) != (2, 4):
                self.warnings.append(f"pcap header gives version {major}.{minor} (2.4 expected);"
                                     " records read as 2.4")
        elif magic == _PCAPNG_SHB:
            if len(head) < 12:
                raise EvidenceError(self.path, "pcapng section header is truncated")
            if struct.unpack("<I", head[8:12])[0] == _BYTE_ORDER_MAGIC:
                self._endian = "<"
            elif struct.unpack(">I", head[8:12])[0] == _BYTE_ORDER_MAGIC:
                self._endian = ">"
            else:
                raise EvidenceError(self.path, "pcapng section header has no byte-order magic")
            if len(head) >= 16:
                problem = _shb_version_problem(head[12:16], self._endian)
                if problem:
                    raise EvidenceError(self.path, problem)
            self.format = "pcapng"
            self.snaplen = 0
            self.linktype = None
        else:
            raise EvidenceError(
                self.path, f"not a pcap or pcapng capture (starts with {magic.hex()})"
            )

    def frames(self) -> Iterator[Frame]:
        """Yield every packet as a :class:`Frame`, in file order."""
        for number, ts_ns, length, linktype, data, interface in self.records():
            yield Frame(number, ts_ns / 1e9, ts_ns, length, len(data), linktype, data, interface)

    __iter__ = frames

    def records(self) -> Iterator[tuple[int, int, int, int, bytes, int]]:
        """Yield ``(number, ts_ns, orig_len, linktype, data, interface)`` tuples.

        The fast path for analyses that do not need Frame objects.
        """
        try:
            stream = open(self.path, "rb")  # noqa: SIM115 - closed in finally
        except OSError as exc:
            raise EvidenceError(self.path, f"cannot read: {exc.strerror or exc}") from exc
        try:
            if self.format == "pcap":
                yield from self._pcap_records(stream)
            else:
                yield from self._pcapng_records(stream)
        except OSError as exc:
            self.warnings.append(f"read error, stopped: {exc.strerror or exc}")
        finally:
            stream.close()

    def _pcap_records(self, stream) -> Iterator[tuple[int, int, int, int, bytes, int]]:
        header = struct.Struct(self._endian + "IIII")
        unpack_from = header.unpack_from
        tick = self._ns_per_tick
        limit = 1_000_000_000 // tick
        linktype = self.linktype
        stream.seek(24)
        buf = stream.read(BLOCK_SIZE)
        size = len(buf)  # of buf, kept in step with it: the loop runs once per packet
        pos = 0
        number = 0
        bad_fraction = 0
        while True:
            if size - pos < 16:
                more = stream.read(BLOCK_SIZE)
                if not more:
                    if size > pos:
                        self.warnings.append(
                            f"frame {number + 1}: truncated record header"
                            f" ({size - pos} of 16 bytes), stopped"
                        )
                    break
                buf = buf[pos:] + more
                size = len(buf)
                pos = 0
                continue
            sec, frac, incl, orig = unpack_from(buf, pos)
            if incl > MAX_RECORD:
                self.warnings.append(
                    f"frame {number + 1}: captured length {incl} is not plausible, stopped"
                )
                break
            end = pos + 16 + incl
            if end > size:
                more = stream.read(max(BLOCK_SIZE, incl + 16))
                if not more:
                    self.warnings.append(
                        f"frame {number + 1}: truncated record"
                        f" ({size - pos - 16} of {incl} bytes), stopped"
                    )
                    break
                buf = buf[pos:] + more
                size = len(buf)
                pos = 0
                continue
            number += 1
            if frac >= limit:
                bad_fraction += 1
            yield number, sec * 1_000_000_000 + frac * tick, orig, linktype, buf[pos + 16 : end], 0
            pos = end
        if number:
            self.link_counts[linktype] = self.link_counts.get(linktype, 0) + number
        if bad_fraction:
            self.warnings.append(
                f"{bad_fraction} frame(s) have a sub-second field of one second or more"
            )

    def _pcapng_records(self, stream) -> Iterator[tuple[int, int, int, int, bytes, int]]:
        endian = self._endian
        u32 = struct.Struct(endian + "I").unpack_from
        epb = struct.Struct(endian + "IIIII").unpack_from
        interfaces: list[tuple[int, int, int, int, int]] = []  # linktype, snaplen, num, den, offset
        counts: list[int] = []  # packets per interface of the current section
        buf = stream.read(BLOCK_SIZE)
        pos = 0
        number = 0
        out_of_range = 0
        bad_options: list[str] = []
        try:
            while True:
                if len(buf) - pos < 12:
                    more = stream.read(BLOCK_SIZE)
                    if not more:
                        if len(buf) > pos:
                            self.warnings.append(
                                f"after frame {number}: truncated pcapng block header, stopped"
                            )
                        break
                    buf = buf[pos:] + more
                    pos = 0
                    continue
                if buf[pos : pos + 4] == _PCAPNG_SHB:
                    magic = buf[pos + 8 : pos + 12]
                    if magic == b"\x4d\x3c\x2b\x1a":
                        endian = "<"
                    elif magic == b"\x1a\x2b\x3c\x4d":
                        endian = ">"
                    else:
                        self.warnings.append(f"after frame {number}: bad section byte-order magic")
                        break
                    u32 = struct.Struct(endian + "I").unpack_from
                    epb = struct.Struct(endian + "IIIII").unpack_from
                    self._count_links(interfaces, counts)
                    interfaces, counts = [], []
                btype = u32(buf, pos)[0]
                blen = u32(buf, pos + 4)[0]
                if blen < 12 or blen % 4 or blen > MAX_RECORD:
                    self.warnings.append(
                        f"after frame {number}: pcapng block of type 0x{btype:x} has bad length {blen},"
                        " stopped"
                    )
                    break
                end = pos + blen
                if end > len(buf):
                    more = stream.read(max(BLOCK_SIZE, blen))
                    if not more:
                        self.warnings.append(
                            f"frame {number + 1}: truncated pcapng block (type 0x{btype:x},"
                            f" {len(buf) - pos} of {blen} bytes), stopped"
                        )
                        break
                    buf = buf[pos:] + more
                    pos = 0
                    continue
                if u32(buf, end - 4)[0] != blen:
                    self.warnings.append(
                        f"after frame {number}: pcapng block trailing length differs from {blen},"
                        " stopped"
                    )
                    break
                if btype == 6 or btype == 2:  # enhanced / obsolete packet block
                    if blen < 32:
                        self.warnings.append(f"frame {number + 1}: packet block too short, skipped")
                        pos = end
                        continue
                    if btype == 6:
                        iface, ts_hi, ts_lo, incl, orig = epb(buf, pos + 8)
                    else:
                        iface = struct.unpack_from(endian + "H", buf, pos + 8)[0]
                        ts_hi, ts_lo, incl, orig = struct.unpack_from(endian + "IIII", buf, pos + 12)
                    if iface >= len(interfaces):
                        self.warnings.append(f"frame {number + 1}: unknown interface {iface}, skipped")
                        pos = end
                        continue
                    incl = min(incl, blen - 32)
                    linktype, _, num, den, offset = interfaces[iface]
                    number += 1
                    counts[iface] += 1
                    ts_ns = ((ts_hi << 32) | ts_lo) * num // den + offset
                    if not MIN_TS_NS <= ts_ns <= MAX_TS_NS:
                        out_of_range += 1
                        ts_ns = 0
                    options_at = pos + 28 + incl + (-incl % 4)
                    if options_at < end - 4 and len(bad_options) < 3:
                        problem = check_options(buf[options_at : end - 4], endian)
                        if problem:
                            bad_options.append(f"frame {number}: {problem}")
                    yield number, ts_ns, orig, linktype, buf[pos + 28 : pos + 28 + incl], iface
                elif btype == 3:  # simple packet block: no time stamp
                    if not interfaces:
                        self.warnings.append(f"frame {number + 1}: packet before any interface")
                        pos = end
                        continue
                    orig = u32(buf, pos + 8)[0]
                    linktype, snaplen = interfaces[0][:2]
                    incl = min(orig, blen - 16, snaplen or orig)
                    number += 1
                    counts[0] += 1
                    yield number, 0, orig, linktype, buf[pos + 12 : pos + 12 + incl], 0
                elif btype == 1:  # interface description
                    if blen < 20:
                        self.warnings.append(f"after frame {number}: interface block too short")
                        break
                    linktype, _, snaplen = struct.unpack_from(endian + "HHI", buf, pos + 8)
                    options = buf[pos + 16 : end - 4]
                    problem = check_options(options, endian)
                    if problem:
                        self.warnings.append(
                            f"interface {len(interfaces)}: {problem}; its options are ignored from there"
                        )
                    num, den, offset = _interface_options(options, endian)
                    if self.linktype is None:
                        self.linktype = linktype
                    interfaces.append((linktype, snaplen, num, den, offset))
                    counts.append(0)
                elif btype == _SHB_TYPE:
                    problem = _shb_version_problem(buf[pos + 12 : pos + 16], endian)
                    if problem:
                        self.warnings.append(f"after frame {number}: {problem}, stopped")
                        break
                    problem = check_options(buf[pos + 24 : end - 4], endian)
                    if problem:
                        self.warnings.append(f"section header after frame {number}: {problem}")
                pos = end
        finally:
            self._count_links(interfaces, counts)
        self.warnings.extend(bad_options)
        if out_of_range:
            self.warnings.append(
                f"{out_of_range} frame(s) have a time stamp outside the years 1970-2262"
                " (damaged if_tsresol or if_tsoffset?): read as 0, shown without a time"
            )

    def _count_links(self, interfaces: list[tuple], counts: list[int]) -> None:
        """Add one section's packets per interface to :attr:`link_counts` by link type."""
        for (linktype, *_), count in zip(interfaces, counts, strict=False):
            if count:
                self.link_counts[linktype] = self.link_counts.get(linktype, 0) + count


def _shb_version_problem(version: bytes, endian: str) -> str | None:
    """Why a section header's version cannot be read (tshark reads only 1.0), or None."""
    major, minor = struct.unpack(endian + "HH", version)
    if (major, minor) != (1, 0):
        return f"pcapng section version {major}.{minor} is not supported (only 1.0)"
    return None


def _interface_options(options: bytes, endian: str) -> tuple[int, int, int]:
    """Return (numerator, denominator, offset_ns) converting an IDB's ticks to nanoseconds."""
    num, den, offset = 1000, 1, 0  # default resolution: microseconds
    pos = 0
    while pos + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, pos)
        if code == 0 or pos + 4 + length > len(options):  # end, or damaged (reported by check_options)
            break
        value = options[pos + 4 : pos + 4 + length]
        if code == 9 and length >= 1:  # if_tsresol
            res = value[0]
            if res & 0x80:
                num, den = 1_000_000_000, 1 << (res & 0x7F)
            elif res <= 9:
                num, den = 10 ** (9 - res), 1
            else:
                num, den = 1, 10 ** (res - 9)
        elif code == 14 and length >= 8:  # if_tsoffset, seconds
            offset = struct.unpack_from(endian + "q", value)[0] * 1_000_000_000
        pos += 4 + length + (-length % 4)
    return num, den, offset


def read_frames(path: str | Path) -> Iterator[Frame]:
    """Stream the frames of a pcap or pcapng file.

    Raises EvidenceError at once (not at the first ``next``) when the file is
    missing or not a capture. Use :class:`CaptureReader` to see the warnings
    about damaged records.
    """
    return CaptureReader(path).frames()
