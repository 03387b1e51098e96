"""Disk images: partitions, file systems, file listings (deleted files included) and content.

Everything goes through The Sleuth Kit (pytsk3) in-process; container formats
(E01, split raw, QCOW2, VHD, VMDK), APFS and NTFS volume shadow copies are opened
with the libyal bindings::

    from forensics_kit.disk import open_image

    with open_image("usb.E01") as img:
        for record in img.walk():
            if not record.allocated:
                print(record.path, img.read(inode=record.inode, partition=record.partition)[:16])
"""

from __future__ import annotations

from forensics_kit.disk.blockmap import BlockMap, Owner, build_block_map
from forensics_kit.disk.carving import Carved, carve, write_report
from forensics_kit.disk.export import ExportedFile, ExportReport, export_files
from forensics_kit.disk.hashset import HashMatch, HashSet, load_hashset, match_hashset
from forensics_kit.disk.image import DiskImage, open_image
from forensics_kit.disk.names import safe_name
from forensics_kit.disk.records import FileRecord, FileSystemInfo, Partition
from forensics_kit.disk.search import Hit, search_image
from forensics_kit.disk.shadows import ShadowCopy
from forensics_kit.disk.signatures import Signature, SignatureMismatch, check_signatures
from forensics_kit.disk.timeline import BodyEntry, TimelineEvent, bodyfile, timeline

__all__ = ["DiskImage", "FileRecord", "FileSystemInfo", "Partition", "open_image"]
__all__ += ["ExportedFile", "ExportReport", "export_files", "HashMatch", "HashSet", "load_hashset", "match_hashset"]
__all__ += ["safe_name", "Signature", "SignatureMismatch", "check_signatures", "BodyEntry", "TimelineEvent"]
__all__ += ["bodyfile", "timeline", "BlockMap", "Owner", "build_block_map", "Hit", "search_image"]
__all__ += ["Carved", "carve", "write_report", "ShadowCopy"]
