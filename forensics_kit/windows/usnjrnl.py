"""The NTFS change journal (``$Extend\\$UsnJrnl:$J``) read record by record: what happened to which file, when.

::

    from forensics_kit.windows import usn_journal

    for change in usn_journal(img, partition=2):
        change.usn, change.time, change.entry, change.name, change.reasons, change.parent_path

Records are ``USN_RECORD_V2`` (and V3, whose 128-bit references the kit reads as the low
64 bits): length, version, file and parent references (MFT entry and sequence number),
USN, FILETIME, reason flags, attributes, name. Zero runs between records (the sparse head
Windows keeps, a page's unused tail) are skipped to the next 8-byte boundary, as
``usnjls`` and MFTECmd do. Parent paths are resolved through the volume's MFT when the
XX
"""

from __future__ import annotations

import struct
from dataclasses import asdict, dataclass
from typing import Any

from forensics_kit.errors import EvidenceError
from forensics_kit.windows._times import filetime_iso

REASONS = {
    0x00000001: "DATA_OVERWRITE", 0x00000002: "DATA_EXTEND", 0x00000004: "DATA_TRUNCATION",
    0x00000010: "NAMED_DATA_OVERWRITE", 0x00000020: "NAMED_DATA_EXTEND", 0x00000040: "NAMED_DATA_TRUNCATION",
    0x00000100: "FILE_CREATE", 0x00000200: "FILE_DELETE", 0x00000400: "EA_CHANGE", 0x00000800: "SECURITY_CHANGE",
    0x00001000: "RENAME_OLD_NAME", 0x00002000: "RENAME_NEW_NAME", 0x00004000: "INDEXABLE_CHANGE",
    0x00008000: "BASIC_INFO_CHANGE", 0x00010000: "HARD_LINK_CHANGE", 0x00020000: "COMPRESSION_CHANGE",
    0x00040000: "ENCRYPTION_CHANGE", 0x00080000: "OBJECT_ID_CHANGE", 0x00100000: "REPARSE_POINT_CHANGE",
    0x00200000: "STREAM_CHANGE", 0x00400000: "TRANSACTED_CHANGE", 0x00800000: "INTEGRITY_CHANGE",
    0x80000000: "CLOSE",
}
JOURNAL_PATH = "/$Extend/$UsnJrnl:$J"
_ENTRY = (1 << 48) - 1


@dataclass(frozen=True)
class UsnChange:
    """One change journal record."""

    usn: int
    time: str | None
    entry: int
    sequence: int
    parent_entry: int
    parent_sequence: int
    name: str
    reasons: list[str]
    reason_flags: int
    attributes: int
    parent_path: str | None = None

    @property
    def path(self) -> str | None:
        """The file's path as the record names it (its parent's current path and the record's name)."""
        if self.parent_path is None:
            return None
        return self.parent_path.rstrip("/") + "/" + self.name

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "path": self.path}


def reason_names(flags: int) -> list[str]:
    """The reason flags' names (``FILE_CREATE``, ``CLOSE``...), lowest bit first; unknown bits in hex."""
    names = [name for bit, name in REASONS.items() if flags & bit]
    rest = flags & ~sum(REASONS)
    return names + ([f"0x{rest:08x}"] if rest else [])


def parse_journal(data: bytes, name: str = "$J") -> list[UsnChange]:
    """Every record of a ``$J`` stream.

    Raises:
        EvidenceError: a record whose length runs past the stream or is too short, or an
            unknown major version (one line, with the offset).
    """
    out: list[UsnChange] = []
    offset, size = 0, len(data)
    while offset + 8 <= size:
        length = struct.unpack_from("<I", data, offset)[0]
        if length == 0:
            offset += 8
            continue
        major = struct.unpack_from("<H", data, offset + 4)[0]
        if length < 60 or offset + length > size or length % 8:
            raise EvidenceError(name, f"a USN record at offset {offset} claims {length} bytes")
        if major == 2:
            ref, parent, usn, when, flags, _src, _sec, attrs, name_len, name_at = struct.unpack_from(
                "<QQqqIIIIHH", data, offset + 8)
        elif major == 3:
            ref, _, parent, _, usn, when, flags, _src, _sec, attrs, name_len, name_at = struct.unpack_from(
                "<QQQQqqIIIIHH", data, offset + 8)
        else:
            raise EvidenceError(name, f"a USN record at offset {offset} has version {major} (known: 2, 3)")
        if name_at + name_len > length:
            raise EvidenceError(name, f"a USN record at offset {offset} claims {length} bytes")
        text = data[offset + name_at: offset + name_at + name_len].decode("utf-16-le", "replace")
        out.append(UsnChange(usn, filetime_iso(when), ref & _ENTRY, ref >> 48, parent & _ENTRY, parent >> 48,
                             text, reason_names(flags), flags, attrs))
        offset += length
    return out


def usn_journal(img, partition: int | None = None) -> list[UsnChange]:
    """The change journal of an NTFS volume in an open DiskImage, parent paths resolved.

    Raises:
        NotFoundError: the volume has no ``$UsnJrnl:$J``.
        EvidenceError: a damaged record.
    """
    from dataclasses import replace

    data = img.read(JOURNAL_PATH, partition=partition)
    changes = parse_journal(data, name=f"{getattr(img, 'path', 'image')}:{JOURNAL_PATH}")
    folders: dict[int, str] = {5: "/"}
    for record in img.walk(partition):
        if record.type == "dir" and record.allocated and not record.stream and record.inode:
            folders.setdefault(int(record.inode), record.path)
    return [replace(c, parent_path=folders.get(c.parent_entry)) for c in changes]
