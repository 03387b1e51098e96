"""Reference solver for disk-02: answers every question from the disk image alone.

The partition table is read as mmls shows it; the wiped partition is found the way an
examiner finds it: scan the unpartitioned sectors for a boot sector or superblock, read
the volume's size from it, cut the volume out (dd) and open it as an image of its own.
The note in the gap between partitions is found by a keyword search.
"""

from __future__ import annotations

import re
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.disk import open_image, search_image
from forensics_kit.disk.media_source import open_source
from forensics_kit.hashing import hash_bytes

SECTOR = 512
PAID_DIPLOMA = re.compile(rb"^(.+?) - diploma - \d+ EUR - paid\s*$", re.MULTILINE | re.IGNORECASE)
PASSWORD = re.compile(r"password:\s*(\S+)", re.IGNORECASE)


def _volume_at(sector: bytes, following: bytes) -> tuple[str, int] | None:
    """(type, size in sectors) when the sector starts a FAT/NTFS volume or an ext one."""
    if sector[510:512] == b"\x55\xaa":
        if sector[3:11] == b"NTFS    ":
            return "NTFS", struct.unpack_from("<Q", sector, 40)[0] + 1
        fat = sector[54:62].rstrip() if sector[54:57] == b"FAT" else sector[82:90].rstrip()
        if fat in (b"FAT12", b"FAT16", b"FAT32"):
            small, large = struct.unpack_from("<H", sector, 19)[0], struct.unpack_from("<I", sector, 32)[0]
            return fat.decode(), small or large
    if following[56:58] == b"\x53\xef":  # ext superblock, 1024 bytes into the volume
        blocks = struct.unpack_from("<I", following, 4)[0]
        block_size = 1024 << struct.unpack_from("<I", following, 24)[0]
        return "ext", blocks * block_size // SECTOR
    return None


def _hidden_volumes(img: Any, log: Callable[[str], None]) -> list[tuple[int, str, int]]:
    """(start sector, type, length) of every volume that starts in unpartitioned space."""
    found = []
    with open_source(img) as media:
        for part in img.partitions():
            if part.kind != "unallocated":
                continue
            chunk = media.read(part.offset, part.length * SECTOR + 2 * SECTOR)
            for n in range(part.length):
                at = n * SECTOR
                volume = _volume_at(chunk[at : at + SECTOR], chunk[at + 2 * SECTOR : at + 3 * SECTOR])
                if volume:
                    found.append((part.start + n, *volume))
                    log(
                        f"scan of unallocated entry {part.index} (sectors {part.start}-{part.end}): "
                        f"{volume[0]} boot record at sector {part.start + n}, {volume[1]} sectors long"
                    )
    return found


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["disk"]) as img:
        table = [p for p in img.partitions() if p.kind == "partition"]
        log("disk partitions: " + "; ".join(f"#{p.index} {p.start}+{p.length} {p.description}" for p in table))
        answers["table_partitions"] = len(table)
        listed = [fs for fs in img.filesystems() if fs.partition is not None]
        answers["fs_types"] = sorted(fs.type for fs in listed)
        answers["labels"] = sorted(fs.label for fs in listed if fs.label)
        log("disk info: " + "; ".join(f"partition {fs.partition} {fs.type} label {fs.label!r}" for fs in listed))
        ntfs = next(p for p in table if p.filesystem == "NTFS")
        answers["ntfs_start"] = ntfs.start
        log(f"disk partitions: the NTFS volume starts at sector {ntfs.start} (byte {ntfs.offset})")

        for hit in search_image(img, ["password"]):
            if hit.owner is not None and hit.owner.kind == "unpartitioned":
                sector = hit.offset // SECTOR
                with open_source(img) as media:
                    note = media.read(sector * SECTOR, SECTOR).split(b"\0")[0].decode("utf-8", "replace")
                match = PASSWORD.search(note)
                if match:
                    answers["vault_password"] = match.group(1)
                    answers["gap_sector"] = sector
                    log(f"disk search password: hit at byte {hit.offset}, unpartitioned, sector {sector}: {note!r}")
                    break

        hidden = _hidden_volumes(img, log)
        if not hidden:
            return answers
        start, kind, length = hidden[0]
        answers["hidden_start"] = start
        with tempfile.TemporaryDirectory() as tmp, open_source(img) as media:
            volume_file = Path(tmp) / "hidden.dd"
            with open(volume_file, "wb") as out:  # dd if=disk skip=<start> count=<length>
                for at in range(0, length * SECTOR, 1 << 20):
                    out.write(media.read(start * SECTOR + at, min(1 << 20, length * SECTOR - at)))
            with open_image(volume_file) as volume:
                fs = volume.filesystems()[0]
                answers["hidden_label"] = fs.label
                log(f"dd skip={start} count={length}, disk info hidden.dd: {fs.type}, label {fs.label!r}")
                for record in volume.walk():
                    if record.type != "file" or record.path.startswith("/$"):
                        continue
                    content = volume.read(inode=record.inode)
                    paid = PAID_DIPLOMA.search(content)
                    if paid:
                        answers["hidden_file"] = record.path
                        answers["diploma_client"] = paid.group(1).decode("utf-8").strip()
                        answers["orders_sha256"] = hash_bytes(content)["sha256"]
                        log(
                            f"disk ls/cat hidden.dd: {record.path} lists the orders; {answers['diploma_client']!r} "
                            f"paid a diploma in full; SHA-256 {answers['orders_sha256']}"
                        )
    return answers
