"""Partition tables written byte-exactly: MBR (primary entries, extended + EBR chain) and GPT (with backup).

The builder plans where each partition goes (checking it fits and overlaps
nothing), writes the table itself (no sfdisk: every byte, CHS value, GUID and
CRC32 comes from the recipe and the seed) and reports the free ranges between
partitions where ``gap_data`` can hide. A partition marked ``deleted`` keeps its
file system on the disk but has its table entry zeroed, as after a careless
``delete partition``: mmls shows the space as unallocated and a trainee finds the
volume by its boot sector. ``hidden`` sets an MBR type Windows does not mount
(0x07 -> 0x17, 0x0C -> 0x1C).

Logical partitions of an MBR disk sit in one extended partition after the
primary ones, each 1 MiB after its extended boot record (EBR), as fdisk and
Windows place them. The first EBR is at the start of the extended partition;
each EBR's first entry gives its logical partition relative to that EBR, its
second links to the next EBR relative to the extended partition's start. A
deleted logical partition is left out of the chain (its file system stays),
as after deleting it with fdisk.
"""

from __future__ import annotations

import struct
import uuid
import zlib
from dataclasses import dataclass

SECTOR = 512
ALIGN = 1 << 20
EBR_GAP = ALIGN // SECTOR  # sectors from an EBR to its logical partition
EXTENDED_LBA = 0x0F  # "Win95 Extended (0x0F)": what Windows and fdisk write today
EXTENDED_TYPES = (0x05, 0x0F)
_EBR_LINK = 0x05  # the type of an EBR's link entry, whatever the extended partition's type
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
        slot: its entry number in the table (0-based), whether written or zeroed; for a
            logical partition its place in the recipe (its entry is the first of its EBR).
        start, length: in sectors.
        mbr_type: the MBR type byte; gpt_type, guid: the GPT type and unique GUIDs.
        deleted: the entry is zeroed; the file system stays at ``start``.
        logical: inside the extended partition, described by the EBR at :attr:`ebr`.
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
    logical: bool = False

    @property
    def offset(self) -> int:
        return self.start * SECTOR

    @property
    def ebr(self) -> int:
        """Sector of the EBR slot in front of a logical partition (1 MiB before it)."""
        return self.start - EBR_GAP

    @property
    def first(self) -> int:
        """First sector the partition takes: its EBR for a logical one, else its start."""
        return self.ebr if self.logical else self.start

    @property
    def size(self) -> int:
        return self.length * SECTOR


@dataclass(frozen=True)
class ExtendedPlan:
    """The extended partition: its MBR entry (after the primary ones) spans every logical one.

    Attributes:
        slot: its MBR entry number; start, length: in sectors, from the first EBR to the
            end of the last logical partition; mbr_type: 0x0F (LBA) or 0x05 (CHS era).
    """

    slot: int
    start: int
    length: int
    mbr_type: int

    @property
    def end(self) -> int:
        """First sector after the extended partition."""
        return self.start + self.length


def extended_for(plans: list[PartitionPlan], mbr_type: int = EXTENDED_LBA) -> ExtendedPlan | None:
    """The extended partition holding the logical ``plans`` (None when there are none)."""
    logicals = [p for p in plans if p.logical]
    if not logicals:
        return None
    start = min(p.ebr for p in logicals)
    end = max(p.start + p.length for p in logicals)
    return ExtendedPlan(sum(1 for p in plans if not p.logical), start, end - start, mbr_type)


def ebr_chain(extended: ExtendedPlan, plans: list[PartitionPlan]) -> list[tuple[int, PartitionPlan | None]]:
    """Each EBR's sector and the logical partition it describes, in chain order.

    The first EBR is always at the extended partition's start; when the first logical
    partition was deleted it describes the next one (an empty EBR when none is left).
    """
    live = [p for p in plans if p.logical and not p.deleted]
    if not live:
        return [(extended.start, None)]
    return [(extended.start, live[0]), *((p.ebr, p) for p in live[1:])]


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
    """The first pair of partitions that share a sector (a logical one from its EBR on), or None."""
    ordered = sorted(plans, key=lambda p: p.first)
    for first, second in zip(ordered, ordered[1:], strict=False):
        if second.first < first.start + first.length:
            return first, second
    return None


def inside_extended(plans: list[PartitionPlan], extended: ExtendedPlan | None) -> PartitionPlan | None:
    """A primary partition that shares a sector with the extended partition, or None."""
    if extended is None:
        return None
    return next(
        (p for p in plans if not p.logical and p.start < extended.end and extended.start < p.start + p.length), None
    )


def free_ranges(scheme: str, disk_size: int, plans: list[PartitionPlan]) -> list[tuple[int, int]]:
    """Byte ranges (start, end) inside the usable area that no partition (deleted ones too) covers.

    A logical partition covers its EBR and the alignment gap after it, so gap data never
    lands on an EBR.
    """
    low, high = usable_range(scheme, disk_size)
    out, cursor = [], low
    for plan in sorted(plans, key=lambda p: p.first):
        if plan.first * SECTOR > cursor:
            out.append((cursor, plan.first * SECTOR))
        cursor = max(cursor, plan.offset + plan.size)
    if high > cursor:
        out.append((cursor, high))
    return out


def write_table(
    image, scheme: str, disk_size: int, plans: list[PartitionPlan], disk_guid: str,
    extended: ExtendedPlan | None = None,
) -> None:  # fmt: skip
    """Write the MBR (and EBR chain of ``extended``) or GPT of ``plans`` into the open image (``r+b``)."""
    if scheme == "mbr":
        entries = [_entry(p.mbr_type, p.start, p.length) if not p.deleted else None for p in plans if not p.logical]
        if extended is not None:
            entries.append(_entry(extended.mbr_type, extended.start, extended.length))
        image.seek(0)
        image.write(_mbr(entries, 0))
        if extended is not None:
            _write_ebrs(image, extended, plans)
    elif scheme == "gpt":
        _write_gpt(image, disk_size, plans, disk_guid)


def _write_ebrs(image, extended: ExtendedPlan, plans: list[PartitionPlan]) -> None:
    """Write every EBR: entry 0 the logical partition (from this EBR), entry 1 the next EBR (from the extended start).

    CHS fields stay absolute, as fdisk writes them; the link covers the next EBR and its
    logical partition.
    """
    chain = ebr_chain(extended, plans)
    for (sector, plan), following in zip(chain, [*chain[1:], None], strict=True):
        entries: list[bytes | None] = [None, None]
        if plan is not None:
            entries[0] = _entry(plan.mbr_type, plan.start, plan.length, sector)
        if following is not None:
            next_sector, next_plan = following
            length = next_plan.start + next_plan.length - next_sector
            entries[1] = _entry(_EBR_LINK, next_sector, length, extended.start)
        image.seek(sector * SECTOR)
        image.write(_mbr(entries, 0))


def _chs(lba: int) -> bytes:
    """CHS address with 255 heads and 63 sectors, capped as tools do past cylinder 1023."""
    cylinder, rest = divmod(lba, 255 * 63)
    if cylinder > 1023:
        return b"\xfe\xff\xff"
    head, sector = divmod(rest, 63)
    return bytes([head, (sector + 1) | ((cylinder >> 2) & 0xC0), cylinder & 0xFF])


def _entry(kind: int, start: int, length: int, base: int = 0) -> bytes:
    """One 16-byte table entry: CHS of the absolute sectors, LBA start relative to ``base``."""
    return b"\x00" + _chs(start) + bytes([kind]) + _chs(start + length - 1) + struct.pack("<II", start - base, length)


def _mbr(entries: list[bytes | None], signature: int) -> bytes:
    """A boot sector (MBR or EBR) without boot code: disk signature, four entries, 0x55AA."""
    sector = bytearray(SECTOR)
    struct.pack_into("<I", sector, 440, signature)
    for index, entry in enumerate(entries[:4]):
        if entry is not None:
            sector[446 + 16 * index : 462 + 16 * index] = entry
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
    protective = _mbr([_entry(0xEE, 1, min(sectors - 1, 0xFFFFFFFF))], 0)
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
