"""exFAT volumes: ``mkfs.exfat`` formats, a small directory-entry writer plants, no mount needed.

exfatprogs has no tool that copies files in and the FUSE driver insists on a
block device, so the builder writes the items itself the way Windows does on a
fresh stick: each file and directory gets contiguous clusters marked in the
allocation bitmap with the NoFatChain flag (the FAT stays untouched, as
Windows leaves it), and a File / Stream Extension / File Name entry set with
its name hash and set checksum. Times are written exactly (UTC, offset field
valid), so two builds give the same bytes; the volume serial comes from the
seed and the boot regions' checksum sectors are recomputed. Deletion is what
Windows does: the in-use bit of every entry of the set is cleared and the
clusters freed in the bitmap; the entries keep the first cluster and size, so
The Sleuth Kit lists the file as deleted and ``icat`` still reads it.
"""

from __future__ import annotations

import mmap
import re
import struct
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from forensics_kit.builder.tools import DEBIAN_PACKAGES, run_tool
from forensics_kit.builder.volume import FileSystemType, Plant, VolumeSpec, parent_directories
from forensics_kit.errors import BuildError

DEBIAN_PACKAGES.setdefault("mkfs.exfat", "exfatprogs")

_FILE, _STREAM, _NAME, _BITMAP, _UPCASE = 0x85, 0xC0, 0xC1, 0x81, 0x82
_IN_USE = 0x80
_ATTR_DIR, _ATTR_ARCHIVE = 0x10, 0x20
_ALLOCATED, _NO_FAT_CHAIN = 0x01, 0x02
_UTC = 0x80  # UtcOffset field: offset valid, zero quarter-hours
_BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
_END_OF_CHAIN = 0xFFFFFFFF


def _checksum(data: bytes, width: int, skip: frozenset[int] = frozenset()) -> int:
    """The rotate-right-and-add checksum exFAT uses (16 bits for entry sets, 32 for the boot region)."""
    top, mask, value = 1 << (width - 1), (1 << width) - 1, 0
    for index, byte in enumerate(data):
        if index not in skip:
            value = ((top if value & 1 else 0) + (value >> 1) + byte) & mask
    return value


def _timestamp(seconds: float) -> tuple[int, int]:
    """exFAT timestamp (local = UTC here) and its 10 ms increment for a POSIX time."""
    when = datetime.fromtimestamp(seconds, tz=UTC)
    if not 1980 <= when.year <= 2107:
        raise BuildError(f"time {when.isoformat()} cannot be stored in exFAT (years 1980-2107)")
    stamp = ((when.year - 1980) << 25 | when.month << 21 | when.day << 16 | when.hour << 11
             | when.minute << 5 | when.second // 2)  # fmt: skip
    return stamp, (when.second % 2) * 100 + when.microsecond // 10000


class _Layout:
    """Just enough of a freshly formatted exFAT volume to add entries, allocate and free clusters."""

    def __init__(self, view: mmap.mmap) -> None:
        self.view = view
        if view[3:11] != b"EXFAT   ":
            raise BuildError("not an exFAT volume after mkfs.exfat")
        fat, _fat_length, heap, self.count, self.root = struct.unpack_from("<IIIII", view, 80)
        sector = 1 << view[108]
        self.cluster = sector << view[109]
        self.fat, self.heap = fat * sector, heap * sector
        self.bitmap, self.upcase = 0, {}
        for offset in self.slots(self.root, 0, fat_chain=True):
            kind = view[offset]
            if kind == _BITMAP:
                self.bitmap = self.offset(struct.unpack_from("<I", view, offset + 20)[0])
            elif kind == _UPCASE:
                first, size = struct.unpack_from("<IQ", view, offset + 20)
                self.upcase = _upcase_table(bytes(view[self.offset(first) : self.offset(first) + size]))
            elif kind == 0:
                break

    def offset(self, cluster: int) -> int:
        return self.heap + (cluster - 2) * self.cluster

    def _next(self, cluster: int) -> int:
        return struct.unpack_from("<I", self.view, self.fat + 4 * cluster)[0]

    def chain(self, first: int, length: int, fat_chain: bool) -> list[int]:
        """Clusters of a stream: contiguous with NoFatChain, else followed through the FAT."""
        if not fat_chain:
            return list(range(first, first + -(-length // self.cluster)))
        out: list[int] = []
        while 2 <= first < self.count + 2 and first not in out:
            out.append(first)
            first = self._next(first)
        return out

    def slots(self, first: int, length: int, fat_chain: bool) -> list[int]:
        """Volume offsets of every 32-byte entry of a directory."""
        return [self.offset(c) + n for c in self.chain(first, length, fat_chain) for n in range(0, self.cluster, 32)]

    def _bit(self, cluster: int, used: bool) -> None:
        byte, bit = divmod(cluster - 2, 8)
        value = self.view[self.bitmap + byte]
        self.view[self.bitmap + byte] = value | (1 << bit) if used else value & ~(1 << bit)

    def used(self, cluster: int) -> bool:
        byte, bit = divmod(cluster - 2, 8)
        return bool(self.view[self.bitmap + byte] >> bit & 1)

    def allocate(self, clusters: int) -> int:
        """First cluster of the lowest run of ``clusters`` free ones, now marked in the bitmap."""
        run = 0
        for cluster in range(2, self.count + 2):
            run = 0 if self.used(cluster) else run + 1
            if run == clusters:
                first = cluster - clusters + 1
                for n in range(first, cluster + 1):
                    self._bit(n, True)
                self.view[self.offset(first) : self.offset(cluster + 1)] = bytes(clusters * self.cluster)
                return first
        raise BuildError(f"exFAT volume full: no {clusters} free contiguous clusters left")

    def free(self, first: int, length: int, fat_chain: bool) -> None:
        for cluster in self.chain(first, length, fat_chain):
            self._bit(cluster, False)

    def extend_root(self) -> None:
        """Give the root directory (always a FAT chain) one more cluster."""
        last = self.chain(self.root, 0, True)[-1]
        new = self.allocate(1)
        struct.pack_into("<I", self.view, self.fat + 4 * last, new)
        struct.pack_into("<I", self.view, self.fat + 4 * new, _END_OF_CHAIN)

    def name_hash(self, name: str) -> int:
        data = b"".join(struct.pack("<H", self.upcase.get(u, u)) for u in _utf16_units(name))
        return _checksum(data, 16)


def _utf16_units(name: str) -> list[int]:
    raw = name.encode("utf-16-le")
    return list(struct.unpack(f"<{len(raw) // 2}H", raw))


def _upcase_table(raw: bytes) -> dict[int, int]:
    """The up-case table as a mapping of the characters it changes (compressed runs expanded)."""
    values = struct.unpack(f"<{len(raw) // 2}H", raw[: len(raw) // 2 * 2])
    table, char, index = {}, 0, 0
    while index < len(values):
        if values[index] == 0xFFFF and index + 1 < len(values):
            char += values[index + 1]
            index += 2
            continue
        if values[index] != char:
            table[char] = values[index]
        char, index = char + 1, index + 1
    return table


def _entry_set(layout: _Layout, name: str, attributes: int, times: dict[str, float], first: int, size: int,
               allocated: int) -> bytes:
    """File + Stream Extension + File Name entries of one item, with the set checksum filled in."""
    units = _utf16_units(name)
    names = [units[n : n + 15] for n in range(0, len(units), 15)]
    created, created_10ms = _timestamp(times["created"])
    modified, modified_10ms = _timestamp(times["modified"])
    accessed, _ = _timestamp(times["accessed"])
    entry = struct.pack("<BBHHHIIIBBBBB7x", _FILE, 1 + len(names), 0, attributes, 0, created, modified, accessed,
                        created_10ms, modified_10ms, _UTC, _UTC, _UTC)
    flags = _ALLOCATED | (_NO_FAT_CHAIN if first else 0)
    valid = allocated if attributes & _ATTR_DIR else size
    stream = struct.pack("<BBBBHHQIIQ", _STREAM, flags, 0, len(units), layout.name_hash(name), 0, valid, 0, first,
                         allocated if attributes & _ATTR_DIR else size)
    parts = [struct.pack("<BB15H", _NAME, 0, *(chunk + [0] * (15 - len(chunk)))) for chunk in names]
    whole = entry + stream + b"".join(parts)
    checksum = _checksum(whole, 16, frozenset({2, 3}))
    return whole[:2] + struct.pack("<H", checksum) + whole[4:]


class _Directory:
    """Where the next entry set of one directory goes."""

    def __init__(self, layout: _Layout, first: int, size: int, fat_chain: bool) -> None:
        self.layout, self.first, self.size, self.fat_chain = layout, first, size, fat_chain
        self.slots = layout.slots(first, size, fat_chain)
        self.used = next((n for n, at in enumerate(self.slots) if layout.view[at] == 0), len(self.slots))

    def add(self, entries: bytes) -> None:
        need = len(entries) // 32
        while self.used + need > len(self.slots):
            if not self.fat_chain:
                raise BuildError("exFAT directory sized too small (builder bug)")
            self.layout.extend_root()
            self.slots = self.layout.slots(self.first, self.size, True)
        for n in range(need):
            at = self.slots[self.used + n]
            self.layout.view[at : at + 32] = entries[n * 32 : n * 32 + 32]
        self.used += need


def _entries_needed(name: str) -> int:
    return 2 + -(-len(name.encode("utf-16-le")) // 30)


def _patch_boot(volume: Path, serial: int, start_sector: int) -> None:
    """Seeded serial and partition offset in both boot regions; each region's checksum sector recomputed."""
    with open(volume, "r+b") as stream, mmap.mmap(stream.fileno(), 0) as view:
        sector = 1 << view[108]
        for region in (0, 12 * sector):
            struct.pack_into("<Q", view, region + 64, start_sector)
            struct.pack_into("<I", view, region + 100, serial)
            checksum = _checksum(bytes(view[region : region + 11 * sector]), 32, frozenset({106, 107, 112}))
            view[region + 11 * sector : region + 12 * sector] = struct.pack("<I", checksum) * (sector // 4)
        view.flush()


def _find(layout: _Layout, path: str) -> tuple[list[int], int, int, bool]:
    """Entry slots, first cluster, size and FAT-chain flag of the live item at ``path``."""
    first, size, fat_chain = layout.root, 0, True
    slots: list[int] = []
    for part in PurePosixPath(path).parts[1:]:
        directory = layout.slots(first, size, fat_chain)
        for n, at in enumerate(directory):
            if layout.view[at] == 0:
                break
            if layout.view[at] != _FILE:
                continue
            count = layout.view[at + 1]
            group = directory[n : n + count + 1]
            stream = bytes(layout.view[group[1] : group[1] + 32])
            length = stream[3]
            text = b"".join(bytes(layout.view[g + 2 : g + 32]) for g in group[2:])[: 2 * length]
            if text.decode("utf-16-le").upper() == part.upper():
                slots = group
                first, size = struct.unpack_from("<IQ", stream, 20)
                fat_chain = not stream[1] & _NO_FAT_CHAIN
                break
        else:
            raise BuildError(f"exFAT: {path} not found")
    return slots, first, size, fat_chain


class Exfat(FileSystemType):
    """exFAT (512-byte sectors, mkfs.exfat's default cluster size) as a Windows-formatted stick holds it."""

    name = "exfat"
    min_size = 4 << 20
    max_size = 256 << 30
    mbr_type = 0x07
    gpt_type = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"

    def check_label(self, label: str) -> str | None:
        if label and (len(label.encode("utf-16-le")) > 22 or re.search(r"[\x00-\x1f]", label)):
            return f"label {label!r} must be 1-11 printable characters"
        return None

    def check_name(self, part: str) -> str | None:
        if _BAD_NAME.search(part) or part in (".", "..") or len(part.encode("utf-16-le")) > 510:
            return f"{part!r} is not a valid exFAT file name"
        return None

    def plant(self, volume: Path, spec: VolumeSpec, scratch: Path) -> None:
        with open(volume, "wb") as stream:
            stream.truncate(spec.size)
        run_tool("mkfs.exfat", [*(["-L", spec.label] if spec.label else []), volume])
        _patch_boot(volume, spec.serial, spec.start_sector)
        directories = parent_directories([p.path for p in spec.plants])
        seen: dict[str, str] = {}
        for path in [*directories, *(p.path for p in spec.plants)]:
            if path.upper() in seen:
                raise BuildError(f"{path}: {seen[path.upper()]} is already there (exFAT names ignore case)")
            seen[path.upper()] = path
        children: dict[str, list[str]] = {}
        for path in [*directories, *(p.path for p in spec.plants)]:
            children.setdefault(str(PurePosixPath(path).parent), []).append(PurePosixPath(path).name)
        made = {"/": None}
        with open(volume, "r+b") as stream, mmap.mmap(stream.fileno(), 0) as view:
            layout = _Layout(view)
            made["/"] = _Directory(layout, layout.root, 0, True)
            folder_times = dict.fromkeys(("created", "modified", "accessed"), spec.format_time)
            for path in directories:
                names = children.get(path, [])
                size = max(1, -(-sum(map(_entries_needed, names)) * 32 // layout.cluster)) * layout.cluster
                first = layout.allocate(size // layout.cluster)
                parent = made[str(PurePosixPath(path).parent)]
                parent.add(_entry_set(layout, PurePosixPath(path).name, _ATTR_DIR, folder_times, first, size, size))
                made[path] = _Directory(layout, first, size, False)
            for plant in spec.plants:
                clusters = -(-len(plant.data) // layout.cluster)
                first = layout.allocate(clusters) if clusters else 0
                if clusters:
                    view[layout.offset(first) : layout.offset(first) + len(plant.data)] = plant.data
                entries = _entry_set(layout, PurePosixPath(plant.path).name, _ATTR_ARCHIVE, plant.times, first,
                                     len(plant.data), clusters * layout.cluster)
                made[str(PurePosixPath(plant.path).parent)].add(entries)
            view.flush()

    def delete(self, volume: Path, spec: VolumeSpec, plants: list[Plant], scratch: Path) -> None:
        with open(volume, "r+b") as stream, mmap.mmap(stream.fileno(), 0) as view:
            layout = _Layout(view)
            for plant in plants:
                slots, first, size, fat_chain = _find(layout, plant.path)
                for at in slots:
                    view[at] &= ~_IN_USE & 0xFF
                if first:
                    layout.free(first, size, fat_chain)
            view.flush()


def allocation_unit(volume: Path) -> tuple[int, int]:
    """First sector of the cluster heap and sectors per cluster (TSK numbers exFAT blocks in sectors)."""
    with open(volume, "rb") as stream:
        boot = stream.read(512)
    return struct.unpack_from("<I", boot, 88)[0], 1 << boot[109]


def cluster_size(volume: Path) -> int:
    with open(volume, "rb") as stream:
        boot = stream.read(512)
    return 1 << (boot[108] + boot[109])
