"""Windows prefetch (.pf) files: which program ran, how often, when last, and the files it loaded.

Format followed: Joachim Metz, "Windows Prefetch File (PF) format" (libyal/libscca,
documentation/Windows Prefetch File (PF) format.asciidoc):

- file header (84 bytes: format version, "SCCA", file size, executable name in 60
  bytes of UTF-16, prefetch hash);
- file information (version 23: 156 bytes, one last run time and the run count at 68;
  version 30: 224 bytes, eight last run times, run count at 124);
- metrics array (32-byte entries: the filename string of each loaded file and its NTFS
  file reference), trace chains (12 bytes in version 23, 8 in version 30), filename
  strings (UTF-16 with NUL);
- volumes information: one entry per volume (104 bytes in version 23, 96 in 30) with
  device path, creation time, serial number, file references and directory strings.

Simplified: Windows 10 stores version 30 compressed (MAM, XPRESS Huffman); this writer
leaves it uncompressed, as tools show it after decompression (``sccainfo`` reads
either). Version 23 (Windows 7) is written as Windows 7 writes it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PureWindowsPath

from forensics_kit.builder.windows._common import filetime, utf16z


def prefetch_hash(device_path: str) -> int:
    """The "SCCA 2008" hash (Windows 7 to 10) of an upper-case device path, over its UTF-16LE code units."""
    data = device_path.upper().encode("utf-16-le")
    units = list(data)  # the hash runs over bytes of the UTF-16 stream
    value = 314159
    index = 0
    while index + 8 < len(units):
        chunk = units[index:index + 8]
        mixed = chunk[1] * 37 + chunk[2]
        for byte in chunk[3:7]:
            mixed = mixed * 37 + byte
        mixed = mixed * 37 + chunk[0] * 442596621 + chunk[7]
        value = (mixed - value * 803794207) % 0x100000000
        index += 8
    for byte in units[index:]:
        value = (37 * value + byte) % 0x100000000
    return value


@dataclass
class Prefetch:
    """A prefetch file for ``executable`` (``C:\\Tools\\rclone.exe``) on a volume with ``volume_serial``.

    ``loaded`` are the files the program touched in its first seconds (Windows paths on
    the same volume); the executable itself is added. ``run_times`` are newest first.
    """

    executable: str
    run_count: int
    run_times: list[datetime]
    volume_serial: int
    volume_created: datetime
    loaded: list[str] = field(default_factory=list)
    version: int = 30
    volume_device: str = "\\VOLUME{01d9a1b2c3d4e5f6-1a2b3c4d}"
    hash_device: str = "\\DEVICE\\HARDDISKVOLUME2"

    @property
    def name(self) -> str:
        """``RCLONE.EXE-1A2B3C4D.pf``, the name Windows gives the file in C:\\Windows\\Prefetch."""
        return f"{self._exe_name()}-{self.hash:08X}.pf"

    @property
    def hash(self) -> int:
        path = PureWindowsPath(self.executable)
        return prefetch_hash(self.hash_device + "\\" + "\\".join(path.parts[1:]))

    def _exe_name(self) -> str:
        return PureWindowsPath(self.executable).name.upper()[:29]

    def _device(self, path: str) -> str:
        return (self.volume_device + "\\" + "\\".join(PureWindowsPath(path).parts[1:])).upper()

    def to_bytes(self) -> bytes:
        if self.version not in (23, 30):
            raise ValueError(f"prefetch version {self.version} is not written (known: 23, 30)")
        files = [self._device(p) for p in [*self.loaded, self.executable]]
        info_size = 156 if self.version == 23 else 220  # metrics at 0xf0 or 0x130, as libscca expects
        metrics_at = 84 + info_size
        chain_size = 12 if self.version == 23 else 8
        chains_at = metrics_at + 32 * len(files)
        strings_at = chains_at + chain_size * len(files)
        strings = b""
        metrics = b""
        chains = b""
        for index, name in enumerate(files):
            metrics += struct.pack("<IIIIIIQ", index, 1, 0, len(strings) // 2, len(name), 0x200,
                                   (index + 100) | (1 << 48))
            strings += utf16z(name)
            if self.version == 23:
                chains += struct.pack("<IIBBH", 0xFFFFFFFF, 1, 3, 1, 0xFFFF)
            else:
                chains += struct.pack("<IBBH", 1, 3, 1, 0xFFFF)
        volumes_at = strings_at + len(strings)
        entry_size = 104 if self.version == 23 else 96
        device = utf16z(self.volume_device)
        refs = struct.pack("<II", 3, len(files) + 1) + b"\0" * 8 + b"".join(
            struct.pack("<Q", (i + 100) | (1 << 48)) for i in range(len(files)))
        directories = sorted({str(PureWindowsPath(self._device(p)).parent) for p in files})
        dir_data = b"".join(struct.pack("<H", len(d)) + utf16z(d) for d in directories)
        entry = bytearray(entry_size)
        device_at = entry_size
        refs_at = device_at + len(device)
        dirs_at = refs_at + len(refs)
        struct.pack_into("<IIQIIIII", entry, 0, device_at, len(self.volume_device), filetime(self.volume_created),
                         self.volume_serial, refs_at, len(refs), dirs_at, len(directories))
        struct.pack_into("<I", entry, 68 if self.version == 23 else 64, len(directories))
        volumes = bytes(entry) + device + refs + dir_data
        info = bytearray(info_size)
        struct.pack_into("<IIIIIIIII", info, 0, metrics_at, len(files), chains_at, len(files), strings_at,
                         len(strings), volumes_at, 1, len(volumes))
        times = [filetime(t) for t in self.run_times[:1 if self.version == 23 else 8]]
        struct.pack_into(f"<{len(times)}Q", info, 44, *times)
        struct.pack_into("<I", info, 68 if self.version == 23 else 124, self.run_count)
        struct.pack_into("<I", info, 72 if self.version == 23 else 128, 1)
        body = bytes(info) + metrics + chains + strings + volumes
        size = 84 + len(body)
        name = self._exe_name().encode("utf-16-le").ljust(60, b"\0")[:58] + b"\0\0"
        header = struct.pack("<I4sII", self.version, b"SCCA", 0x11 if self.version == 23 else 0x11, size) + name
        header += struct.pack("<II", self.hash, 0)
        return header + body

    def write(self, folder: str | Path) -> Path:
        """Write ``folder/<NAME>-<HASH>.pf`` and return its path."""
        path = Path(folder) / self.name
        path.write_bytes(self.to_bytes())
        return path
