"""The volume system (partition table) of an image, read with TSK but never trusted blindly.

Evidence from the field and from fuzzers breaks TSK's volume readers in two ways
the kit handles here rather than in every caller:

- a GPT header claiming more entries than its table holds (0xFFFFFFFF): TSK 4.15,
  inside pytsk3, then reads file-system data as partitions at sector 2^60; ``mmls``
  (TSK 4.11) reads the protective MBR instead, and so does the kit;
- a short image whose MBR lists a partition starting past the end (a download or
  copy cut after the first partition): TSK refuses the whole table, so nothing of
  the disk is found, though the first partitions are all there. The kit lets TSK
  read the table with those entries blanked, and says which were left out.
"""

from __future__ import annotations

import struct
from typing import Any

import pytsk3

from forensics_kit.disk.containers import one_line

SECTOR = 512
_MBR_ENTRIES = 446  # four 16-byte primary entries, then 0x55AA


def read_volume(img: pytsk3.Img_Info, media_size: int, warnings: list[str]) -> list[tuple[Any, int]]:
    """Every entry of the image's volume system, with its sector size; [] when there is none.

    Args:
        img: the media as TSK reads it.
        media_size: its size in bytes.
        warnings: where problems stepped over are appended (one line each).
    """
    try:
        volume = pytsk3.Volume_Info(img)
    except (OSError, RuntimeError):
        volume = _short_mbr(img, media_size, warnings)
    except Exception as exc:  # noqa: BLE001 - a hostile table is no table, never an internal error
        warnings.append(f"partition table unreadable, ignored: {one_line(exc)}")
        return []
    if volume is None:
        return []
    try:
        sector = int(volume.info.block_size) or SECTOR
        if int(volume.info.vstype) == int(pytsk3.TSK_VS_TYPE_GPT):
            problem = gpt_header_problem(img.read(sector, 92), sector)
            if problem:
                warnings.append(f"GPT header ignored ({problem}); the protective MBR is read, like mmls")
                volume = pytsk3.Volume_Info(img, pytsk3.TSK_VS_TYPE_DOS)
                sector = int(volume.info.block_size) or SECTOR
        entries = []
        for part in volume:
            if int(part.start) * sector > media_size:  # as TSK: a partition may start right at the end
                warnings.append(
                    f"partition table entry {int(part.addr)} starts at sector {int(part.start)}, "
                    f"past the end of the media ({media_size // sector} sectors); left out"
                )
                continue
            entries.append((part, sector))
        return entries
    except Exception as exc:  # noqa: BLE001 - as above: a table TSK cannot walk is reported, not raised
        if not isinstance(exc, (OSError, RuntimeError)):
            warnings.append(f"partition table unreadable, ignored: {one_line(exc)}")
        return []


def gpt_header_problem(header: bytes, sector: int) -> str | None:
    """What makes a primary GPT header's entry table impossible, or None (also when TSK used the backup)."""
    if len(header) < 92 or not header.startswith(b"EFI PART"):
        return None
    first_usable, table_lba = struct.unpack_from("<Q", header, 40)[0], struct.unpack_from("<Q", header, 72)[0]
    count, size = struct.unpack_from("<II", header, 80)
    room = (first_usable - table_lba) * sector if first_usable > table_lba else 0
    if size < 128 or count * size > max(room, 128 * 128):
        return f"it claims {count} entries of {size} bytes, where its table has room for {room // max(size, 1)}"
    return None


class _PatchedTable(pytsk3.Img_Info):
    """The media with sector 0 replaced: TSK reads an MBR whose impossible entries are blanked."""

    def __init__(self, img: pytsk3.Img_Info, sector0: bytes, size: int) -> None:
        self._img, self._sector0, self._size = img, sector0, size
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def read(self, offset: int, size: int) -> bytes:
        data = self._img.read(offset, size)
        if offset >= SECTOR:
            return data
        data = bytearray(data)
        end = min(len(data), SECTOR - offset)
        data[:end] = self._sector0[offset:offset + end]
        return bytes(data)

    def get_size(self) -> int:
        return self._size


def _short_mbr(img: pytsk3.Img_Info, media_size: int, warnings: list[str]) -> Any | None:
    """TSK's reading of an MBR whose primary entries that start past the media are blanked; None if not that case."""
    try:
        sector0 = bytearray(img.read(0, SECTOR))
    except (OSError, RuntimeError):
        return None
    if len(sector0) < SECTOR or sector0[510:512] != b"\x55\xaa":
        return None
    dropped, kept = [], 0
    for slot in range(4):
        at = _MBR_ENTRIES + 16 * slot
        kind, start, length = sector0[at + 4], *struct.unpack_from("<II", sector0, at + 8)
        if kind == 0 or length == 0:
            continue
        if sector0[at] not in (0x00, 0x80) or start == 0:
            return None  # not a partition table (a boot sector's code read as one): TSK was right
        if start * SECTOR > media_size:
            dropped.append((slot, start))
            sector0[at:at + 16] = bytes(16)
        else:
            kept += 1
    if not dropped or not kept:
        return None
    try:
        volume = pytsk3.Volume_Info(_PatchedTable(img, bytes(sector0), media_size), pytsk3.TSK_VS_TYPE_DOS)
    except (OSError, RuntimeError):
        return None
    where = ", ".join(f"slot {slot} at sector {start}" for slot, start in dropped)
    warnings.append(
        f"truncated image: the partition table lists partitions starting past the end of the media "
        f"({media_size // SECTOR} sectors): {where}; they are left out, the others are read"
    )
    return volume
