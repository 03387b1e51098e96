"""Jump Lists: ``<AppID>.automaticDestinations-ms``, the documents a program opened, byte for byte.

Layout (libyal dtformats, "Jump lists format"; Harlan Carvey, "Windows Forensic Analysis"):
an OLE compound file (written by :mod:`forensics_kit.builder.contents.cfb`) with one stream
per document, named by its entry number in lower-case hex (``1``, ``2``, ... ``a``), holding
a shell link (:class:`~forensics_kit.builder.windows.lnk.Shortcut`), and a ``DestList``
stream: a 32-byte header (format version 4 as Windows 10 writes it, entry count, pinned
count, a float counter, last entry number, last revision number) then one entry per
document (a hash, the link's droid volume/file identifiers and their birth copies, the
NetBIOS name, entry number, access count, last access FILETIME, pin status, the path as
UTF-16 with its length).

Simplified: the entry hash is 0 (readers do not check it) and the access counts are given,
not kept by a running Shell.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from forensics_kit.builder.contents.cfb import Storage, write_compound_file
from forensics_kit.builder.windows._common import filetime
from forensics_kit.builder.windows.lnk import Shortcut, droid_object_id

FORMAT_VERSION = 4
UNPINNED = -1
APP_IDS = {"notepad": "9b9cdc69c1c24e2b"}  # the file name's first part, as the published AppID lists give it


@dataclass
class JumpEntry:
    """One document of a Jump List: its shortcut, when it was last opened, how often, pinned or not."""

    shortcut: Shortcut
    accessed: datetime
    count: int = 1
    pinned: bool = False


@dataclass
class JumpList:
    """An AutomaticDestinations file; entries oldest first (entry numbers 1, 2, ...)."""

    entries: list[JumpEntry] = field(default_factory=list)

    def _linked(self) -> list[Shortcut]:
        """Each shortcut with its droid identifiers fixed, so DestList and the link name the same ones."""
        out = []
        for entry in self.entries:
            link = entry.shortcut
            volume = link.droid_volume or uuid.uuid5(uuid.NAMESPACE_OID, f"volume:{link.volume_serial:08x}")
            born = link.created or datetime(2020, 1, 1, tzinfo=UTC)
            file_id = link.droid_file or droid_object_id(born, link.mac)
            out.append(replace(link, droid_volume=volume, droid_file=file_id))
        return out

    def dest_list(self) -> bytes:
        links = self._linked()
        body = b""
        for number, (entry, link) in enumerate(zip(self.entries, links, strict=True), 1):
            path = link.target.encode("utf-16-le")
            host = link.machine_id.lower().encode("ascii", "replace")[:15].ljust(16, b"\0")
            assert link.droid_volume is not None and link.droid_file is not None
            body += struct.pack("<Q", 0) + (link.droid_volume.bytes_le + link.droid_file.bytes_le) * 2 + host
            body += struct.pack("<IIfQiiIQH", number, 0, float(entry.count), filetime(entry.accessed),
                                0 if entry.pinned else UNPINNED, UNPINNED, entry.count, 0, len(link.target))
            body += path + struct.pack("<I", 0)
        count = len(self.entries)
        pinned = sum(1 for e in self.entries if e.pinned)
        header = struct.pack("<IIIfIIII", FORMAT_VERSION, count, pinned, 1.0, count, 0, count, 0)
        return header + body

    def to_bytes(self) -> bytes:
        """The whole .automaticDestinations-ms file."""
        if not self.entries:
            raise ValueError("a Jump List holds at least one entry")
        children: dict[str, Storage | bytes] = {f"{n:x}": link.to_bytes()
                                                for n, link in enumerate(self._linked(), 1)}
        children["DestList"] = self.dest_list()
        newest = max(e.accessed for e in self.entries)
        return write_compound_file(Storage(children=children, modified=newest))
