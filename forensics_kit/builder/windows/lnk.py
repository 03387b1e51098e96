"""Windows shortcut (.lnk) files as Explorer writes them for Recent items, byte for byte.

Format followed: Microsoft [MS-SHLLINK] (Shell Link Binary File Format) and Joachim
Metz, "Windows Shortcut File (LNK) format" (libyal/liblnk, documentation/) with the
shell items of "Windows Shell Item format" (libyal/libfwsi):

- ShellLinkHeader (76 bytes, CLSID 00021401-..., flags, target attributes, target
  creation/access/write FILETIMEs, target size, show command);
- LinkTargetIDList: My Computer root item, the volume item (``E:\\``) and one file
  entry item per path component (FAT date-times, attributes, 8.3-style primary name
  and a 0xbeef0004 extension block version 9 with creation/access times and the long
  Unicode name);
- LinkInfo with VolumeID (drive type, serial, label) and LocalBasePath (ANSI, plus
  Unicode offsets when the path is not ASCII);
- StringData (Unicode): description, relative path, working directory, arguments;
- ExtraData: TrackerDataBlock (machine NetBIOS name, droid volume and file object
  GUIDs and their birth copies) and the terminal block.

Simplified: no PropertyStore or KnownFolder blocks (Recent items of Windows 10 carry
them; neither lnkinfo nor the examiner's questions need them), primary names are the
long name cut to ASCII rather than real 8.3 names.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PureWindowsPath

from forensics_kit.builder.windows._common import filetime

DRIVE_UNKNOWN, DRIVE_NO_ROOT_DIR, DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = range(7)
FILE_ATTRIBUTE_DIRECTORY = 0x10
FILE_ATTRIBUTE_ARCHIVE = 0x20

_CLSID_SHELL_LINK = uuid.UUID("00021401-0000-0000-c000-000000000046")
_CLSID_MY_COMPUTER = uuid.UUID("20d04fe0-3aea-1069-a2d8-08002b30309d")
_GREGORIAN_OFFSET = 0x01B21DD213814000  # 100 ns from 1582-10-15 (UUID epoch) to 1970-01-01


def _fat(when: datetime | None) -> bytes:
    """FAT date and time (2 s resolution), date first as shell items store them."""
    if when is None:
        return b"\0\0\0\0"
    when = when.astimezone(UTC) if when.tzinfo else when
    date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    return struct.pack("<HH", date, time)


def droid_object_id(when: datetime, mac: int, clock_sequence: int = 0x1234) -> uuid.UUID:
    """A version-1 GUID as the Distributed Link Tracking service makes object ids: time plus the MAC address."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    ticks = (filetime(when) - 116444736000000000) + _GREGORIAN_OFFSET
    return uuid.UUID(fields=(ticks & 0xFFFFFFFF, (ticks >> 32) & 0xFFFF, ((ticks >> 48) & 0x0FFF) | 0x1000,
                             0x80 | ((clock_sequence >> 8) & 0x3F), clock_sequence & 0xFF, mac & 0xFFFFFFFFFFFF))


def root_item() -> bytes:
    """The My Computer root folder shell item."""
    return struct.pack("<HBB", 20, 0x1F, 0x50) + _CLSID_MY_COMPUTER.bytes_le


def volume_item(drive: str) -> bytes:
    """A volume shell item (``E:\\``)."""
    return struct.pack("<HB", 25, 0x2F) + (drive.rstrip("\\") + "\\").encode("ascii").ljust(22, b"\0")


def file_item(name: str, is_dir: bool, size: int = 0, created: datetime | None = None,
              modified: datetime | None = None, accessed: datetime | None = None, mft_reference: int = 0) -> bytes:
    """A file entry shell item with its 0xbeef0004 extension block (version 9: times and the long name)."""
    primary = name.encode("ascii", "replace") + b"\0"
    if len(primary) % 2:
        primary += b"\0"
    long_name = name.encode("utf-16-le") + b"\0\0"
    body = (struct.pack("<HI", 9, 0xBEEF0004) + _fat(created) + _fat(accessed)
            + struct.pack("<HHQQHII", 0x2E, 0, mft_reference, 0, 0, 0, 0) + long_name)
    head = struct.pack("<BBI", 0x31 if is_dir else 0x32, 0, 0 if is_dir else size & 0xFFFFFFFF) + _fat(modified)
    head += struct.pack("<H", FILE_ATTRIBUTE_DIRECTORY if is_dir else FILE_ATTRIBUTE_ARCHIVE) + primary
    block_offset = 2 + len(head)
    block = struct.pack("<H", 2 + len(body) + 2) + body + struct.pack("<H", block_offset)
    item = head + block
    return struct.pack("<H", 2 + len(item)) + item


@dataclass
class Shortcut:
    """A .lnk pointing at ``target`` (``E:\\Docs\\plan.docx``), with what Windows copied from the target.

    Times are the target's (creation, last access, last write) when the link was
    made; ``volume_serial`` is the target volume's serial (``vol``/``fsstat`` show it);
    ``machine_id`` is the NetBIOS name of the computer that made the link.
    """

    target: str
    size: int = 0
    created: datetime | None = None
    modified: datetime | None = None
    accessed: datetime | None = None
    drive_type: int = DRIVE_FIXED
    volume_serial: int = 0
    volume_label: str = ""
    machine_id: str = ""
    mac: int = 0x000C29000001
    droid_volume: uuid.UUID | None = None
    droid_file: uuid.UUID | None = None
    attributes: int = FILE_ATTRIBUTE_ARCHIVE
    description: str | None = None
    relative_path: str | None = None
    working_dir: str | None = None
    arguments: str | None = None

    def _id_list(self) -> bytes:
        path = PureWindowsPath(self.target)
        items = root_item() + volume_item(path.drive)
        parts = path.parts[1:]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            is_dir = not last or bool(self.attributes & FILE_ATTRIBUTE_DIRECTORY)
            items += file_item(part, is_dir, self.size if last else 0, self.created if last else None,
                                self.modified if last else None, self.accessed if last else None)
        return struct.pack("<H", len(items) + 2) + items + b"\0\0"

    def _link_info(self) -> bytes:
        label = self.volume_label.encode("ascii", "replace") + b"\0"
        volume = struct.pack("<IIII", 16 + len(label), self.drive_type, self.volume_serial, 16) + label
        ascii_path = self.target.encode("cp1252", "replace") + b"\0"
        unicode = not self.target.isascii()
        header_size = 0x24 if unicode else 0x1C
        volume_offset = header_size
        path_offset = volume_offset + len(volume)
        suffix_offset = path_offset + len(ascii_path)
        body = volume + ascii_path + b"\0"
        extra = b""
        if unicode:
            upath_offset = header_size + len(body)
            extra = struct.pack("<II", upath_offset, upath_offset + len(self.target.encode("utf-16-le")) + 2)
            body += self.target.encode("utf-16-le") + b"\0\0" + b"\0\0"
        total = header_size + len(body)
        head = struct.pack("<IIIIIII", total, header_size, 1, volume_offset, path_offset, 0, suffix_offset)
        return head + extra + body

    def _tracker(self) -> bytes:
        volume = self.droid_volume or uuid.uuid5(uuid.NAMESPACE_OID, f"volume:{self.volume_serial:08x}")
        file_id = self.droid_file or droid_object_id(self.created or datetime(2020, 1, 1, tzinfo=UTC), self.mac)
        machine = self.machine_id.encode("ascii", "replace")[:15].ljust(16, b"\0")
        return (struct.pack("<IIII", 0x60, 0xA0000003, 0x58, 0) + machine
                + volume.bytes_le + file_id.bytes_le + volume.bytes_le + file_id.bytes_le)

    def to_bytes(self) -> bytes:
        """The whole .lnk file."""
        strings = [(0x04, self.description), (0x08, self.relative_path), (0x10, self.working_dir),
                   (0x20, self.arguments)]
        flags = 0x01 | 0x02 | 0x80  # HasLinkTargetIDList, HasLinkInfo, IsUnicode
        string_data = b""
        for flag, text in strings:
            if text is not None:
                flags |= flag
                string_data += struct.pack("<H", len(text.encode("utf-16-le")) // 2) + text.encode("utf-16-le")
        header = struct.pack("<I16sIIQQQIiIHHII", 0x4C, _CLSID_SHELL_LINK.bytes_le, flags, self.attributes,
                             filetime(self.created), filetime(self.accessed), filetime(self.modified),
                             self.size & 0xFFFFFFFF, 0, 1, 0, 0, 0, 0)
        return header + self._id_list() + self._link_info() + string_data + self._tracker() + b"\0\0\0\0"

    def write(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path
