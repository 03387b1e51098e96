"""FAT images without root or mounting: mkfs.fat and mtools, plus a byte-exact time patcher.

mtools stamps the wall-clock time into every directory entry it writes; the
patcher then rewrites the created/accessed/modified fields of every entry (the
planted items to their planned times, everything else to the format time), so
the image is the same byte for byte on every build. FAT keeps local time with no
zone, as Windows writes it: every time is stored as the wall clock of the disk's
``tz`` (UTC by default), modification to 2 s, creation to 10 ms, access as a date
only. The truth reads the volume back in that zone, so it keeps UTC.
"""

from __future__ import annotations

import mmap
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from forensics_kit.builder.tools import ToolError, run_tool
from forensics_kit.builder.volume import FileSystemType, Plant, VolumeSpec
from forensics_kit.builder.volume import parent_directories as parent_directories
from forensics_kit.errors import BuildError

FAT_BITS = {"fat12": 12, "fat16": 16, "fat32": 32}
_ATTR_LFN, _ATTR_VOLUME, _ATTR_DIR = 0x0F, 0x08, 0x10


@dataclass(frozen=True)
class FatTimes:
    """The three times a FAT directory entry keeps, as POSIX seconds (UTC).

    ``created_cs`` is the hundredths of a second of the creation time (FAT keeps
    creation to 10 ms; Windows writes the clock's fraction, so it is rarely 0).
    """

    created: float
    accessed: float
    modified: float
    created_cs: int = 0


def format_image(image: Path, size: int, fat: str, label: str, volume_id: int, hidden: int = 0) -> None:
    """Create an empty file of ``size`` bytes and put a FAT file system on it.

    ``hidden`` is the partition's start sector, kept in the boot sector as Windows expects.
    """
    with open(image, "wb") as stream:
        stream.truncate(size)
    args: list[str] = ["--invariant", "-F", str(FAT_BITS[fat]), "-i", f"{volume_id:08x}"]
    if hidden:
        args += ["-h", str(hidden)]
    if label:
        args += ["-n", label]
    run_tool("mkfs.fat", [*args, image])


def make_directory(image: Path, path: str) -> None:
    """Create one directory (its parent must exist)."""
    run_tool("mmd", ["-i", image, f"::{path}"])


def copy_in(image: Path, source: Path, path: str) -> None:
    """Copy a host file into the image at ``path``."""
    run_tool("mcopy", ["-i", image, source, f"::{path}"])


def delete(image: Path, path: str) -> None:
    """Delete a file the FAT way: 0xE5 in the entry, cluster chain freed, data left in place."""
    run_tool("mdel", ["-i", image, f"::{path}"])


def set_times(image: Path, planned: dict[str, FatTimes], default: FatTimes, zone: str = "UTC") -> set[str]:
    """Rewrite the times of every live directory entry, as local time in ``zone``; return the planned paths found.

    Paths are matched case-insensitively on the long name (or the 8.3 name when
    there is none), as Windows would.
    """
    clock = ZoneInfo(zone)
    wanted = {path.lower(): times for path, times in planned.items()}
    found: set[str] = set()
    with open(image, "r+b") as stream, mmap.mmap(stream.fileno(), 0) as view:
        layout = _Layout(view)
        for offset, path in layout.entries():
            times = wanted.get(path.lower(), default) if path else default
            if path and path.lower() in wanted:
                found.add(path.lower())
            _write_times(view, offset, times, clock)
        view.flush()
    return {p for p in planned if p.lower() in found}


def local_date_time(seconds: float, clock: ZoneInfo) -> tuple[int, int, int]:
    """FAT's (date, time, tenths) fields for a POSIX time on a clock in ``clock``'s zone.

    ``time`` counts 2 s steps; the creation-time byte ``tenths`` (0-199, in 10 ms)
    carries the odd second and the hundredths.
    """
    when = datetime.fromtimestamp(int(seconds), tz=clock)
    if not 1980 <= when.year <= 2107:
        raise BuildError(f"time {when.isoformat()} cannot be stored in FAT (years 1980-2107)")
    date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    return date, time, (when.second % 2) * 100


def _write_times(view: mmap.mmap, offset: int, times: FatTimes, clock: ZoneInfo) -> None:
    c_date, c_time, c_tenth = local_date_time(times.created, clock)
    a_date, _, _ = local_date_time(times.accessed, clock)
    m_date, m_time, _ = local_date_time(times.modified, clock)
    view[offset + 13] = c_tenth + times.created_cs
    view[offset + 14 : offset + 20] = struct.pack("<HHH", c_time, c_date, a_date)
    view[offset + 22 : offset + 26] = struct.pack("<HH", m_time, m_date)


class _Layout:
    """Just enough of a FAT file system to walk its directories."""

    def __init__(self, view: mmap.mmap) -> None:
        self.view = view
        (bps, self.spc, reserved, fats, root_entries, total16, _media, fatsz16) = (
            struct.unpack_from("<HBHBHHBH", view, 11)
        )
        total32, fatsz32, root_cluster = struct.unpack_from("<IIxxxxI", view, 32)
        fatsz = fatsz16 or fatsz32
        root_bytes = root_entries * 32
        self.bps, self.fat_offset = bps, reserved * bps
        self.root_offset = (reserved + fats * fatsz) * bps
        self.data_offset = self.root_offset + (root_bytes + bps - 1) // bps * bps
        clusters = ((total16 or total32) * bps - self.data_offset) // (self.spc * bps)
        self.bits = 12 if clusters < 4085 else 16 if clusters < 65525 else 32
        self.root = (
            ("fixed", self.root_offset, root_bytes) if self.bits != 32 else ("chain", root_cluster)
        )

    def _next(self, cluster: int) -> int:
        if self.bits == 12:
            value = struct.unpack_from("<H", self.view, self.fat_offset + cluster * 3 // 2)[0]
            return value >> 4 if cluster & 1 else value & 0xFFF
        if self.bits == 16:
            return struct.unpack_from("<H", self.view, self.fat_offset + cluster * 2)[0]
        return struct.unpack_from("<I", self.view, self.fat_offset + cluster * 4)[0] & 0x0FFFFFFF

    def _slots(self, where: tuple) -> Iterator[int]:
        if where[0] == "fixed":
            yield from range(where[1], where[1] + where[2], 32)
            return
        cluster, size, seen = where[1], self.spc * self.bps, set()
        end = {12: 0xFF8, 16: 0xFFF8, 32: 0x0FFFFFF8}[self.bits]
        while 2 <= cluster < end and cluster not in seen:
            seen.add(cluster)
            start = self.data_offset + (cluster - 2) * size
            yield from range(start, start + size, 32)
            cluster = self._next(cluster)

    def entries(
        self, where: tuple | None = None, prefix: str = ""
    ) -> Iterator[tuple[int, str | None]]:
        """Yield (offset, full path or None for '.', '..' and the label) of every live entry."""
        long_parts: list[str] = []
        for offset in self._slots(where or self.root):
            raw = bytes(self.view[offset : offset + 32])
            if raw[0] == 0x00:
                return
            if raw[0] == 0xE5:
                long_parts = []
                continue
            attr = raw[11]
            if attr == _ATTR_LFN:
                long_parts.insert(0, (raw[1:11] + raw[14:26] + raw[28:32]).decode("utf-16-le"))
                continue
            name = "".join(long_parts).split("\x00")[0] if long_parts else _short_name(raw)
            long_parts = []
            if attr & _ATTR_VOLUME or name in (".", ".."):
                yield offset, None
                continue
            path = f"{prefix}/{name}"
            yield offset, path
            if attr & _ATTR_DIR:
                cluster = struct.unpack_from("<H", raw, 26)[0] | (
                    struct.unpack_from("<H", raw, 20)[0] << 16
                )
                yield from self.entries(("chain", cluster), path)


def _short_name(raw: bytes) -> str:
    base, ext = raw[0:8].decode("cp850").rstrip(), raw[8:11].decode("cp850").rstrip()
    if raw[0] == 0x05:
        base = "\u00e5" + base[1:]
    if raw[12] & 0x08:
        base = base.lower()
    if raw[12] & 0x10:
        ext = ext.lower()
    return f"{base}.{ext}" if ext else base


def cluster_size(image: Path) -> int:
    """Bytes per cluster, from the boot sector (TSK reports FAT blocks as sectors)."""
    with open(image, "rb") as stream:
        boot = stream.read(16)
    return struct.unpack_from("<H", boot, 11)[0] * boot[13]


_LABEL = re.compile(r"^[A-Z0-9 _!#$%&'()@^{}~-]{1,11}$")
_BAD_NAME = re.compile(r'[\\:*?"<>|\x00-\x1f]')


class _Fat(FileSystemType):
    """FAT12/16/32 made with mkfs.fat and mtools; times patched byte-exactly afterwards."""

    mbr_type = 0x06
    gpt_type = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"

    def check_label(self, label: str) -> str | None:
        if label and not _LABEL.match(label):
            return f"label {label!r} must be 1-11 upper-case letters, digits, spaces or _-!#$%&'()@^{{}}~"
        return None

    def check_name(self, part: str) -> str | None:
        if _BAD_NAME.search(part) or part in (".", "..") or part != part.rstrip(". "):
            return f"{part!r} is not a valid FAT file name"
        return None

    def plant(self, volume: Path, spec: VolumeSpec, scratch: Path) -> None:
        format_image(volume, spec.size, self.name, spec.label, spec.serial, spec.start_sector)
        for directory in parent_directories([p.path for p in spec.plants]):
            make_directory(volume, directory)
        for number, plant in enumerate(spec.plants):
            source = scratch / f"fat-item-{number}"
            source.write_bytes(plant.data)
            copy_in(volume, source, plant.path)
            source.unlink()
        default = FatTimes(spec.format_time, spec.format_time, spec.format_time)
        planned = {
            p.path: FatTimes(p.times["created"], p.times["accessed"], p.times["modified"], _hundredths(p))
            for p in spec.plants
        }
        found = set_times(volume, planned, default, spec.options.get("tz", "UTC"))
        missing = [p.path for p in spec.plants if p.path not in found]
        if missing:
            raise BuildError(f"{volume.name}: planted file not found in the image: {missing[0]}")

    def delete(self, volume: Path, spec: VolumeSpec, plants: list[Plant], scratch: Path) -> None:
        for plant in plants:
            delete(volume, plant.path)


def _hundredths(plant: Plant) -> int:
    """The creation time's hundredths of a second: seeded per item, as a running clock gives them."""
    return plant.rng("fat-created").randrange(100) if plant.rng else 0


class Fat12(_Fat):
    name = "fat12"
    mbr_type = 0x01
    min_size, max_size = 1 << 20, 32 << 20


class Fat16(_Fat):
    name = "fat16"
    min_size, max_size = 9 << 20, 2 << 30


class Fat32(_Fat):
    name = "fat32"
    mbr_type = 0x0C
    min_size, max_size = 33 << 20, 64 << 30


def is_full(error: ToolError) -> bool:
    """True when mtools stopped because the volume is full."""
    return "full" in str(error).lower()


def allocation_unit(image: Path) -> tuple[int, int]:
    """First sector of the data area and sectors per cluster (TSK numbers FAT blocks in sectors)."""
    with open(image, "rb") as stream, mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view:
        layout = _Layout(view)
        return layout.data_offset // layout.bps, layout.spc
