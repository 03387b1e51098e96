"""Partition tables written byte-exactly: MBR (four primary entries) and GPT (with backup).

The builder plans where each partition goes (checking it fits and overlaps
nothing), writes the table itself (no sfdisk: every byte, CHS value, GUID and
CRC32 comes from the recipe and the seed) and reports the free ranges between
partitions where ``gap_data`` can hide. A partition marked ``deleted`` keeps its
file system on the disk but has its table entry zeroed, as after a careless
``delete partition``: mmls shows the space as unallocated and a trainee finds the
volume by its boot sector. ``hidden`` sets an MBR type Windows does not mount
(0x07 -> 0x17, 0x0C -> 0x1C).
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass

SECTOR = 512
ALIGN = 1 << 20
GPT_ENTRIES = 128
GPT_ENTRY_SIZE = 128
_GPT_TABLE_SECTORS = GPT_ENTRIES * GPT_ENTRY_SIZE // SECTOR  # 32
_HIDEABLE = {0x01, 0x04, 0x06, 0x07, 0x0B, 0x0C, 0x0E}
_GPT_NAMES = {
    "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7": "Basic data partition",
    "0FC63DAF-8483-4772-8E79-3D69D8477DE4": "Linux filesystem",
}


@dataclass
class PartitionPlan:
    """Where one partition goes and what its table entry says.

    Attributes:
        slot: its entry number in the table (0-based), whether written or zeroed.
        start, length: in sectors.
        mbr_type: the MBR type byte; gpt_type, guid: the GPT type and unique GUIDs.
        deleted: the entry is zeroed; the file system stays at ``start``.
    """

    id: str
    slot: int
    start: int
    length: int
    fs_type: str | None
    mbr_type: int
    gpt_type: str
    guid: str
    name: str
    deleted: bool
    hidden: bool

    @property
    def offset(self) -> int:
        return self.start * SECTOR

    @property
    def size(self) -> int:
        return self.length * SECTOR


def usable_range(scheme: str, disk_size: int) -> tuple[int, int]:
    """First and last-plus-one byte a partition may use under ``scheme``."""
    if scheme == "gpt":
        return (2 + _GPT_TABLE_SECTORS) * SECTOR, disk_size - (1 + _GPT_TABLE_SECTORS) * SECTOR
    if scheme == "mbr":
        return SECTOR, disk_size
    return 0, disk_size


def default_start(previous_end: int) -> int:
    """The next 1 MiB boundary at or after ``previous_end`` (bytes), like modern partitioners."""
    return max(ALIGN, -(-previous_end // ALIGN) * ALIGN)


def mbr_type_for(base: int, hidden: bool) -> int:
    """The MBR type byte, with Windows' 'hidden' bit set when asked and meaningful."""
    return base | 0x10 if hidden and base in _HIDEABLE else base


def gpt_name_for(type_guid: str) -> str:
    return _GPT_NAMES.get(type_guid.upper(), "Partition")


def overlaps(plans: list[PartitionPlan]) -> tuple[PartitionPlan, PartitionPlan] | None:
    """The first pair of partitions that share a sector, or None."""
    ordered = sorted(plans, key=lambda p: p.start)
    for first, second in zip(ordered, ordered[1:], strict=False):
        if second.start < first.start + first.length:
            return first, second
    return None


def free_ranges(scheme: str, disk_size: int, plans: list[PartitionPlan]) -> list[tuple[int, int]]:
    """Byte ranges (start, end) inside the usable area that no partition (deleted ones too) covers."""
    low, high = usable_range(scheme, disk_size)
    out, cursor = [], low
    for plan in sorted(plans, key=lambda p: p.start):
        if plan.offset > cursor:
            out.append((cursor, plan.offset))
        cursor = max(cursor, plan.offset + plan.size)
    if high > cursor:
        out.append((cursor, high))
    return out


def write_table(image, scheme: str, disk_size: int, plans: list[PartitionPlan], disk_guid: str) -> None:
    """Write the MBR or GPT of ``plans`` into the open image (``r+b``)."""
    if scheme == "mbr":
        image.seek(0)
        image.write(_mbr([(p.mbr_type, p.start, p.length) if not p.deleted else None for p in plans], 0))
    elif scheme == "gpt":
        _write_gpt(image, disk_size, plans, disk_guid)


def _chs(lba: int) -> bytes:
    """CHS address with 255 heads and 63 sectors, capped as tools do past cylinder 1023."""
    cylinder, rest = divmod(lba, 255 * 63)
    if cylinder > 1023:
        return b"\xfe\xff\xff"
    head, sector = divmod(rest, 63)
    return bytes([head, (sector + 1) | ((cylinder >> 2) & 0xC0), cylinder & 0xFF])


def _mbr(entries: list[tuple[int, int, int] | None], signature: int) -> bytes:
    sector = bytearray(SECTOR)
    struct.pack_into("<I", sector, 440, signature)
    for index, entry in enumerate(entries[:4]):
        if entry is None:
            continue
        kind, start, length = entry
        record = b"\x00" + _chs(start) + bytes([kind]) + _chs(start + length - 1) + struct.pack("<II", start, length)
        sector[446 + 16 * index : 462 + 16 * index] = record
    sector[510:512] = b"\x55\xaa"
    return bytes(sector)


def _write_gpt(image, disk_size: int, plans: list[PartitionPlan], disk_guid: str) -> None:
    sectors = disk_size // SECTOR
    table = bytearray(GPT_ENTRIES * GPT_ENTRY_SIZE)
    for plan in plans:
        if plan.deleted:
            continue
        at = plan.slot * GPT_ENTRY_SIZE
        table[at : at + 16] = uuid.UUID(plan.gpt_type).bytes_le
        table[at + 16 : at + 32] = uuid.UUID(plan.guid).bytes_le
        struct.pack_into("<QQQ", table, at + 32, plan.start, plan.start + plan.length - 1, 0)
        name = plan.name.encode("utf-16-le")[:72]
        table[at + 56 : at + 56 + len(name)] = name
    table_crc = zlib.crc32(table)
    protective = _mbr([(0xEE, 1, min(sectors - 1, 0xFFFFFFFF))], 0)
    first, last = 2 + _GPT_TABLE_SECTORS, sectors - 2 - _GPT_TABLE_SECTORS
    for current, backup, entries_at in ((1, sectors - 1, 2), (sectors - 1, 1, sectors - 1 - _GPT_TABLE_SECTORS)):
        header = bytearray(SECTOR)
        struct.pack_into(
            "<8sIIIIQQQQ16sQIII", header, 0, b"EFI PART", 0x00010000, 92, 0, 0,
            current, backup, first, last, uuid.UUID(disk_guid).bytes_le, entries_at,
            GPT_ENTRIES, GPT_ENTRY_SIZE, table_crc,
        )  # fmt: skip
        struct.pack_into("<I", header, 16, zlib.crc32(header[:92]))
        image.seek(current * SECTOR)
        image.write(header)
        image.seek(entries_at * SECTOR)
        image.write(table)
    image.seek(0)
    image.write(protective)
