"""NTFS volumes: ``mkntfs -T`` and the ntfs-3g FUSE driver under libfaketime.

``mkntfs -T`` formats with every time at the epoch and a fixed layout; the
volume serial is then patched in both boot sectors from the seed. Items are
written through an ntfs-3g mount whose clock is libfaketime reading a
timestamp file the builder rewrites before each step: a file is created at its
``created`` time (so $FILE_NAME holds it), then its modified/accessed times are
set at its ``modified`` time, and it is deleted at its ``deleted`` time. Two
builds give identical bytes. Needs root and /dev/fuse (a container without
FUSE cannot build NTFS items; an empty NTFS volume needs neither).
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from forensics_kit.builder import ntfs_index, ntfs_mft, ntfs_usn
from forensics_kit.builder.tools import DEBIAN_PACKAGES, find_tool
from forensics_kit.builder.volume import (
    FileSystemType,
    Plant,
    VolumeSpec,
    faketime_library,
    parent_directories,
    plain_label_problem,
    run_env,
    stamp,
)
from forensics_kit.errors import BuildError

_BAD_NAME = re.compile(r'[\\:*?"<>|\x00-\x1f]')
_CLUSTER = 4096
_SERIAL_OFFSET = 0x48


class Ntfs(FileSystemType):
    """NTFS with 512-byte sectors and 4 KiB clusters; supports alternate data streams."""

    name = "ntfs"
    min_size = 2 << 20
    max_size = 256 << 30
    supports_ads = True
    mbr_type = 0x07
    gpt_type = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"

    def check_label(self, label: str) -> str | None:
        return plain_label_problem(label, 32)

    def check_name(self, part: str) -> str | None:
        if _BAD_NAME.search(part) or part in (".", "..") or len(part) > 255:
            return f"{part!r} is not a valid NTFS file name"
        return None

    def plant(self, volume: Path, spec: VolumeSpec, scratch: Path) -> None:
        with open(volume, "wb") as stream:
            stream.truncate(spec.size)
        args = ["-q", "-F", "-f", "-T", "-s", "512", "-c", str(_CLUSTER), "-p", str(spec.start_sector)]
        args += ["-H", "255", "-S", "63"]
        if spec.label:
            args += ["-L", spec.label]
        run_env("mkntfs", [*args, volume])
        _patch_serial(volume, spec.serial)
        if not spec.plants:
            return
        renamed_from = {p.path: p.facts["original_path"] for p in spec.plants  # renamed at times.renamed
                        if "renamed" in p.times and "original_path" in p.facts}
        with _mounted(volume, scratch) as (root, clock):
            clock(spec.format_time)
            for directory in parent_directories([p.path for p in spec.plants] + list(renamed_from.values())):
                (root / directory.lstrip("/")).mkdir()
            for plant in spec.plants:
                target = root / renamed_from.get(plant.path, plant.path).lstrip("/")
                clock(plant.times["created"])
                target.write_bytes(plant.data)
                if plant.ads:
                    Path(f"{target}:{plant.ads[0]}").write_bytes(plant.ads[1])
                clock(plant.times["modified"])
                fraction = plant.nanoseconds(100)  # NTFS keeps 100 ns
                os.utime(target, ns=(int(plant.times["accessed"]) * 10**9 + fraction,
                                     int(plant.times["modified"]) * 10**9 + fraction))
            for plant in sorted((p for p in spec.plants if p.path in renamed_from), key=lambda p: p.times["renamed"]):
                clock(plant.times["renamed"])
                (root / renamed_from[plant.path].lstrip("/")).rename(root / plant.path.lstrip("/"))
        if spec.options.get("usn_journal"):
            ntfs_usn.write_journal(volume, spec, scratch, _mounted, renamed_from)

    def delete(self, volume: Path, spec: VolumeSpec, plants: list[Plant], scratch: Path) -> None:
        with _mounted(volume, scratch) as (root, clock):
            for plant in sorted(plants, key=lambda p: p.times["deleted"]):
                clock(plant.times["deleted"])
                (root / plant.path.lstrip("/")).unlink()


    def finish(self, volume: Path, plant: Plant, located: Any) -> None:
        """Give the times ntfs-3g keeps whole (creation, every $FILE_NAME time) the file's fraction, and
        the $FILE_NAME sizes Windows writes: the data's size and its allocation when the name was written.

        Only for ``filesystem.subsecond`` volumes. On every volume the parent's $I30 entry then gets the
        same $FILE_NAME values, as Windows writes both when it creates the name (ntfs-3g syncs its own).
        """
        if plant.subsecond:
            self._windows_file_name(volume, plant, located)
        ntfs_index.copy_file_name_to_parent(volume, located.inode)

    @staticmethod
    def _windows_file_name(volume: Path, plant: Plant, located: Any) -> None:
        record = ntfs_mft.read_record(volume, located.inode)
        fraction = plant.nanoseconds(100)
        born = ntfs_mft.filetime(int(plant.times["created"]), fraction)
        record.set_standard_times({"created": born})
        size = len(plant.data)
        allocated = -(-size // _CLUSTER) * _CLUSTER if not located.resident else -(-size // 8) * 8
        for content in record.attributes(ntfs_mft.FILE_NAME):
            struct.pack_into("<4Q", record.data, content + 8, born, born, born, born)
            struct.pack_into("<QQ", record.data, content + 40, allocated, size)
        ntfs_mft.write_record(volume, record)


def _patch_serial(volume: Path, serial: int) -> None:
    """Write the 64-bit volume serial into the boot sector and its backup (last sector)."""
    size = volume.stat().st_size
    with open(volume, "r+b") as stream:
        for offset in (0, size - 512):
            stream.seek(offset + 3)
            if stream.read(4) == b"NTFS":
                stream.seek(offset + _SERIAL_OFFSET)
                stream.write(struct.pack("<Q", serial))


@contextmanager
def _mounted(volume: Path, scratch: Path) -> Iterator[tuple[Path, object]]:
    """Mount ``volume`` with ntfs-3g under libfaketime; yield the mount point and a clock setter."""
    if not os.path.exists("/dev/fuse"):
        raise BuildError("NTFS items need FUSE: /dev/fuse is missing (run the build where FUSE is available)")
    DEBIAN_PACKAGES.setdefault("umount", "mount")
    point = scratch / f"ntfs-mount-{os.getpid()}"
    point.mkdir(exist_ok=True)
    clock_file = scratch / "ntfs-clock"

    def clock(seconds: float) -> None:
        clock_file.write_text(stamp(seconds) + "\n", encoding="ascii")

    clock(0)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin",
        "LC_ALL": "C.UTF-8",
        "TZ": "UTC",
        "LD_PRELOAD": faketime_library(),
        "FAKETIME_TIMESTAMP_FILE": str(clock_file),
        "FAKETIME_NO_CACHE": "1",
    }
    options = "streams_interface=windows,no_def_opts,no_detach,silent"
    daemon = subprocess.Popen(  # noqa: S603 - fixed tool and arguments
        [find_tool("ntfs-3g"), "-o", options, str(volume), str(point)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_mounted(point, daemon)
        yield point, clock
    finally:
        if os.path.ismount(point):
            subprocess.run(["sync"], check=False)  # noqa: S603, S607
            run_env("umount", [point])
        try:
            daemon.wait(timeout=60)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        point.rmdir()
    if daemon.returncode:
        raise BuildError(f"ntfs-3g on {volume.name} exited with {daemon.returncode}")


def _wait_mounted(point: Path, daemon: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while not os.path.ismount(point):
        if daemon.poll() is not None:
            message = (daemon.stderr.read() if daemon.stderr else b"").decode("utf-8", "replace").strip()
            last = message.splitlines()[-1] if message else f"exit {daemon.returncode}"
            raise BuildError(f"cannot mount NTFS with ntfs-3g (needs root and FUSE): {last}")
        if time.monotonic() > deadline:
            daemon.kill()
            raise BuildError("ntfs-3g did not mount the NTFS volume within 20 s")
        time.sleep(0.02)
