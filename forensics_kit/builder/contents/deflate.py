"""A small deflate encoder and zip writer of our own, so compressed files are identical on every machine.

zlib's output may change between releases (and zlib-ng's differs from zlib's),
which would change the bytes of every built document; this encoder depends on
nothing but its input. It writes one final block with the fixed Huffman codes of
RFC 1951 after a greedy LZ77 pass (32 KiB window, matches of 3-258 bytes): real
deflate, read by unzip, Office and every zip library, and small enough for the
documents a case plants (XML compresses to a third or less).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

_LENGTH_BASE = (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                131, 163, 195, 227, 258)
_LENGTH_EXTRA = (0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0)
_DIST_BASE = (1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
              2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577)
_DIST_EXTRA = (0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13)
_WINDOW, _MAX_MATCH, _CHAIN = 32768, 258, 32


def _reverse(code: int, length: int) -> int:
    out = 0
    for _ in range(length):
        out, code = (out << 1) | (code & 1), code >> 1
    return out


def _fixed_literal(symbol: int) -> tuple[int, int]:
    """(bit-reversed code, length) of a literal/length symbol in the fixed Huffman table."""
    if symbol < 144:
        return _reverse(0x30 + symbol, 8), 8
    if symbol < 256:
        return _reverse(0x190 + symbol - 144, 9), 9
    if symbol < 280:
        return _reverse(symbol - 256, 7), 7
    return _reverse(0xC0 + symbol - 280, 8), 8


_LITERALS = [_fixed_literal(s) for s in range(288)]
_DISTANCES = [(_reverse(d, 5), 5) for d in range(30)]


def _code_of(value: int, bases: tuple[int, ...]) -> int:
    low, high = 0, len(bases) - 1
    while low < high:
        mid = (low + high + 1) // 2
        if bases[mid] <= value:
            low = mid
        else:
            high = mid - 1
    return low


def deflate(data: bytes) -> bytes:
    """Raw deflate (no zlib header) of ``data``, the same bytes on every machine."""
    bits = 0b011  # BFINAL=1, BTYPE=01 (fixed Huffman), LSB first
    count = 3
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    n, i = len(data), 0

    def put(value: int, length: int) -> None:
        nonlocal bits, count
        bits |= value << count
        count += length
        while count >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            count -= 8

    while i < n:
        best_len, best_dist = 0, 0
        if i + 3 <= n:
            key = data[i:i + 3]
            chain = heads.get(key)
            if chain:
                limit = min(_MAX_MATCH, n - i)
                for start in reversed(chain[-_CHAIN:]):
                    if i - start > _WINDOW:
                        break
                    length = 3
                    while length < limit and data[start + length] == data[i + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_dist = length, i - start
                        if length == limit:
                            break
            heads.setdefault(key, []).append(i)
        if best_len >= 3:
            code = _code_of(best_len, _LENGTH_BASE)
            put(*_LITERALS[257 + code])
            if _LENGTH_EXTRA[code]:
                put(best_len - _LENGTH_BASE[code], _LENGTH_EXTRA[code])
            dcode = _code_of(best_dist, _DIST_BASE)
            put(*_DISTANCES[dcode])
            if _DIST_EXTRA[dcode]:
                put(best_dist - _DIST_BASE[dcode], _DIST_EXTRA[dcode])
            for k in range(i + 1, min(i + best_len, n - 2)):
                heads.setdefault(data[k:k + 3], []).append(k)
            i += best_len
        else:
            put(*_LITERALS[data[i]])
            i += 1
    put(*_LITERALS[256])
    if count:
        out.append(bits & 0xFF)
    return bytes(out)


@dataclass(frozen=True)
class ZipMember:
    """One file of an archive: name, content, DOS time, whether to deflate it, and its attributes."""

    name: str
    data: bytes
    date_time: tuple[int, int, int, int, int, int]
    compress: bool = True
    external_attr: int = 0


def _dos(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def write_zip(members: Iterable[ZipMember]) -> bytes:
    """A zip archive of ``members`` in order, deflated with :func:`deflate` where asked and smaller (else stored)."""
    body, central = bytearray(), bytearray()
    entries = 0
    for member in members:
        name = member.name.encode("utf-8")
        flags = 0x800 if not member.name.isascii() else 0  # bit 11: the name is UTF-8
        packed = deflate(member.data) if member.compress and member.data else member.data
        if len(packed) >= len(member.data):  # incompressible: stored, as zip writers do
            packed = member.data
        method = 8 if packed is not member.data else 0
        crc = zlib.crc32(member.data) & 0xFFFFFFFF
        dos_time, dos_date = _dos(member.date_time)
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, dos_time, dos_date, crc,
                            len(packed), len(member.data), len(name), 0) + name + packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, dos_time, dos_date,
                               crc, len(packed), len(member.data), len(name), 0, 0, 0, 0,
                               member.external_attr, offset) + name
        entries += 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, len(central), len(body), 0)
    return bytes(body + central + end)
