"""Disk images: partitions, file systems, file listings (deleted files included) and content.

Everything goes through The Sleuth Kit (pytsk3) in-process; container formats
(E01, split raw, QCOW2, VHD, VMDK, UDIF .dmg), APFS and NTFS volume shadow copies are opened
with the libyal bindings::

    from forensics_kit.disk import open_image

    with open_image("usb.E01") as img:
        for record in img.walk():
            if not record.allocated:
                print(record.path, img.read(inode=record.inode, partition=record.partition)[:16])
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from forensics_kit.disk.image import DiskImage, open_image
from forensics_kit.disk.records import FileRecord, FileSystemInfo, Partition
from forensics_kit.disk.shadows import ShadowCopy

# The rest loads on first use: listing a disk should not pay for YARA, carving and
# block maps (they doubled the start-up of every `fklab disk ls`).
_LAZY = {
    "BlockMap": "blockmap", "Owner": "blockmap", "build_block_map": "blockmap",
    "Carved": "carving", "carve": "carving", "write_report": "carving",
    "ExportedFile": "export", "ExportReport": "export", "export_files": "export",
    "HashMatch": "hashset", "HashSet": "hashset", "load_hashset": "hashset", "match_hashset": "hashset",
    "safe_name": "names",
    "Hit": "search", "search_image": "search",
    "Signature": "signatures", "SignatureMismatch": "signatures", "check_signatures": "signatures",
    "EntryStat": "stat", "stat_entry": "stat",
    "BodyEntry": "timeline", "TimelineEvent": "timeline", "bodyfile": "timeline", "timeline": "timeline",
}

if TYPE_CHECKING:  # for type checkers and IDEs: the same names, eagerly
    from forensics_kit.disk.blockmap import BlockMap, Owner, build_block_map
    from forensics_kit.disk.carving import Carved, carve, write_report
    from forensics_kit.disk.export import ExportedFile, ExportReport, export_files
    from forensics_kit.disk.hashset import HashMatch, HashSet, load_hashset, match_hashset
    from forensics_kit.disk.names import safe_name
    from forensics_kit.disk.search import Hit, search_image
    from forensics_kit.disk.signatures import Signature, SignatureMismatch, check_signatures
    from forensics_kit.disk.stat import EntryStat, stat_entry
    from forensics_kit.disk.timeline import BodyEntry, TimelineEvent, bodyfile, timeline


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BlockMap", "BodyEntry", "Carved", "DiskImage", "EntryStat", "ExportReport", "ExportedFile", "FileRecord",
    "FileSystemInfo", "HashMatch", "HashSet", "Hit", "Owner", "Partition", "ShadowCopy", "Signature",
    "SignatureMismatch", "TimelineEvent", "bodyfile", "build_block_map", "carve", "check_signatures", "export_files",
    "load_hashset", "match_hashset", "open_image", "safe_name", "search_image", "stat_entry", "timeline",
    "write_report",
]
