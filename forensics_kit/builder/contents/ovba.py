"""The MS-OVBA compressor (section 2.4.1): how Office stores the dir stream and every module's source.

A CompressedContainer is a signature byte (0x01) and chunks, each holding up to
4096 bytes of the input: a 2-byte header (size - 3, signature 0b011, a flag
saying compressed) and token sequences, each a flag byte and eight tokens,
literal bytes or 2-byte copy tokens (offset, length) that refer back inside the
same chunk. The split of a copy token's 16 bits between offset and length grows
with the position in the chunk, as the specification's CopyToken Help says. The
greedy matcher is deterministic, so a build is byte-reproducible; a chunk that
would not shrink is stored raw (4096 bytes, flag 0), as the specification allows.
"""

from __future__ import annotations

import struct

_CHUNK = 4096


def _bit_count(difference: int) -> int:
    """Bits of a copy token that hold the offset, for ``difference`` bytes already decompressed in the chunk."""
    bits = 4
    while (1 << bits) < difference:
        bits += 1
    return bits


def _compress_chunk(chunk: bytes) -> bytes:
    """One chunk's token sequences (without its header)."""
    out = bytearray()
    position = 0
    while position < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for index in range(8):
            if position >= len(chunk):
                break
            bits = _bit_count(position)
            max_length = (0xFFFF >> bits) + 3
            best_length, best_offset = 0, 0
            limit = min(max_length, len(chunk) - position)
            for candidate in range(position - 1, max(-1, position - (1 << bits) - 1), -1):
                length = 0
                while length < limit and chunk[candidate + length] == chunk[position + length]:
                    length += 1
                if length > best_length:
                    best_length, best_offset = length, position - candidate
                    if length == limit:
                        break
            if best_length >= 3:
                token = ((best_offset - 1) << (16 - bits)) | (best_length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << index
                position += best_length
            else:
                out.append(chunk[position])
                position += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as an MS-OVBA CompressedContainer."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= _CHUNK:
            out += struct.pack("<H", (len(body) + 2 - 3) | 0x3000 | 0x8000) + body
        elif len(chunk) == _CHUNK:
            out += struct.pack("<H", (_CHUNK + 2 - 3) | 0x3000) + chunk
        else:  # a raw chunk always decompresses to 4096 bytes: a short one cannot be stored raw
            raise ValueError(f"OVBA: the last {len(chunk)} bytes do not compress (not a VBA source?)")
    return bytes(out)
