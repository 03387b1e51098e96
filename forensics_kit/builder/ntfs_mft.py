"""NTFS MFT records edited in place, byte-exactly, in a volume file (for timestomping).

A record is found through the runs of $MFT's own $DATA attribute as The Sleuth
Kit reads them (so a fragmented $MFT is followed), one 512-byte update-sequence
stride at a time. Its fixups are undone on reading and redone on writing with
the next update sequence number, as the NTFS driver does on every write; only
the bytes asked for change, so the $FILE_NAME attribute and the directory's
index entries keep the times the driver wrote.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import pytsk3

from forensics_kit.disk.tsk_meta import FILETIME_1970
from forensics_kit.errors import BuildError

STANDARD_INFORMATION = 0x10
FILE_NAME = 0x30
TIME_FIELDS = ("created", "modified", "changed", "accessed")  # FILETIME order in $SI and $FILE_NAME
_END = 0xFFFFFFFF
_STRIDE = 512  # an update sequence covers 512 bytes whatever the sector size
_FIRST_NOT_MIRRORED = 4  # $MFTMirr copies entries 0-3
_DOS_NAMESPACE = 2
_TICKS = 10_000_000  # FILETIME steps (100 ns) per second


@dataclass
class MftRecord:
    """One MFT record with its fixups undone, and where its strides lie in the volume."""

    entry: int
    data: bytearray
    strides: list[int]  # volume byte offset of each 512-byte stride, in record order

    def attribute(self, kind: int, skip_dos_names: bool = False) -> int:
        """Offset (in the record) of the resident content of the first attribute of type ``kind``."""
        offset = struct.unpack_from("<H", self.data, 20)[0]
        while offset + 24 <= len(self.data):
            atype, length = struct.unpack_from("<II", self.data, offset)
            if atype == _END or length < 24 or offset + length > len(self.data):
                break
            if atype == kind:
                if self.data[offset + 8]:
                    raise BuildError(f"MFT entry {self.entry}: attribute 0x{kind:x} is not resident")
                content = offset + struct.unpack_from("<H", self.data, offset + 20)[0]
                if not (skip_dos_names and kind == FILE_NAME and self.data[content + 65] == _DOS_NAMESPACE):
                    return content
            offset += length
        raise BuildError(f"MFT entry {self.entry} has no attribute 0x{kind:x}")

    def attributes(self, kind: int) -> list[int]:
        """Offsets of the resident content of every attribute of type ``kind`` (each $FILE_NAME, DOS names too)."""
        out, offset = [], struct.unpack_from("<H", self.data, 20)[0]
        while offset + 24 <= len(self.data):
            atype, length = struct.unpack_from("<II", self.data, offset)
            if atype == _END or length < 24 or offset + length > len(self.data):
                break
            if atype == kind and not self.data[offset + 8]:
                out.append(offset + struct.unpack_from("<H", self.data, offset + 20)[0])
            offset += length
        return out

    def times(self, kind: int) -> dict[str, int]:
        """The four FILETIMEs of $STANDARD_INFORMATION (at its start) or $FILE_NAME (after the parent)."""
        start = self.attribute(kind, skip_dos_names=True) + (8 if kind == FILE_NAME else 0)
        return dict(zip(TIME_FIELDS, struct.unpack_from("<4Q", self.data, start), strict=True))

    def set_standard_times(self, filetimes: dict[str, int]) -> None:
        """Overwrite the given $STANDARD_INFORMATION FILETIMEs; the others stay."""
        start = self.attribute(STANDARD_INFORMATION)
        for index, field in enumerate(TIME_FIELDS):
            if field in filetimes:
                struct.pack_into("<Q", self.data, start + 8 * index, filetimes[field])


def record_size(volume: Path) -> int:
    """Bytes per MFT record, from the boot sector (a negative count means 2**-n bytes)."""
    with open(volume, "rb") as stream:
        boot = stream.read(512)
    if boot[3:7] != b"NTFS":
        raise BuildError(f"{volume.name} is not an NTFS volume")
    sector, per_cluster = struct.unpack_from("<HB", boot, 11)
    count = struct.unpack_from("<b", boot, 0x40)[0]
    return 1 << -count if count < 0 else count * sector * per_cluster


def _mft_runs(volume: Path) -> tuple[int, list[tuple[int, int]]]:
    """Cluster size and the runs ``(first cluster, count)`` of $MFT's unnamed $DATA, as TSK reads them."""
    try:
        fs = pytsk3.FS_Info(pytsk3.Img_Info(str(volume)))
        mft = fs.open_meta(inode=0)
    except OSError as exc:
        raise BuildError(f"{volume.name}: cannot open $MFT: {exc}") from exc
    for attr in mft:
        if int(attr.info.type) == 128 and not attr.info.name:
            return int(fs.info.block_size), [(int(r.addr), int(r.len)) for r in attr if int(r.len)]
    raise BuildError(f"{volume.name}: $MFT has no data attribute")


def _strides(volume: Path, entry: int, size: int) -> list[int]:
    cluster, runs = _mft_runs(volume)
    out = []
    for stride in range(entry * size, (entry + 1) * size, _STRIDE):
        block, within = divmod(stride, cluster)
        for start, count in runs:
            if block < count:
                out.append((start + block) * cluster + within)
                break
            block -= count
        else:
            raise BuildError(f"{volume.name}: MFT entry {entry} lies past the end of $MFT")
    return out


def read_record(volume: Path, entry: int) -> MftRecord:
    """Read MFT entry ``entry``, check its signature and undo its fixups."""
    if entry < _FIRST_NOT_MIRRORED:
        raise BuildError(f"MFT entry {entry} is mirrored in $MFTMirr; only later entries are edited")
    strides = _strides(volume, entry, record_size(volume))
    data = bytearray()
    with open(volume, "rb") as stream:
        for offset in strides:
            stream.seek(offset)
            data += stream.read(_STRIDE)
    if data[:4] != b"FILE":
        raise BuildError(f"{volume.name}: MFT entry {entry} has no FILE signature")
    usa, count = struct.unpack_from("<HH", data, 4)
    if count != len(strides) + 1:
        raise BuildError(f"{volume.name}: MFT entry {entry} has {count - 1} fixups for {len(strides)} strides")
    usn = data[usa : usa + 2]
    for index in range(len(strides)):
        end = (index + 1) * _STRIDE - 2
        if data[end : end + 2] != usn:
            raise BuildError(f"{volume.name}: MFT entry {entry} fails its fixup check in stride {index}")
        data[end : end + 2] = data[usa + 2 + 2 * index : usa + 4 + 2 * index]
    return MftRecord(entry, data, strides)


def write_record(volume: Path, record: MftRecord) -> None:
    """Redo the fixups with the next update sequence number (never 0 or 0xFFFF) and write the record back.

    ``record.data`` then holds the new number, as a fresh :func:`read_record` would.
    """
    usa = struct.unpack_from("<H", record.data, 4)[0]
    usn = struct.unpack_from("<H", record.data, usa)[0] + 1
    usn = 1 if usn >= 0xFFFF else usn
    struct.pack_into("<H", record.data, usa, usn)
    data = bytearray(record.data)
    for index in range(len(record.strides)):
        end = (index + 1) * _STRIDE - 2
        data[usa + 2 + 2 * index : usa + 4 + 2 * index] = data[end : end + 2]
        struct.pack_into("<H", data, end, usn)
    with open(volume, "r+b") as stream:
        for index, offset in enumerate(record.strides):
            stream.seek(offset)
            stream.write(data[index * _STRIDE : (index + 1) * _STRIDE])


def filetime(seconds: int, nanoseconds: int = 0) -> int:
    """FILETIME (100 ns steps since 1601) of POSIX seconds plus nanoseconds."""
    return FILETIME_1970 + seconds * _TICKS + nanoseconds // 100


def posix(filetime_value: int) -> tuple[int, int]:
    """POSIX seconds and nanoseconds of a FILETIME."""
    seconds, ticks = divmod(filetime_value - FILETIME_1970, _TICKS)
    return seconds, ticks * 100
