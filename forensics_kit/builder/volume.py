"""File-system types of disk evidence: one small contract, one class per file system.

A :class:`FileSystemType` formats a volume file of a given size and plants the
items of one :class:`VolumeSpec` in it with their planned times; it deletes the
items the recipe marks deleted in a second step, so the build can first note
where each item's blocks are (for slack, overwrite and truth). Implementations
live in ``fat.py``, ``ext.py`` and ``ntfs.py``; the disk evidence copies each
finished volume into the image at its partition's offset.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from forensics_kit.builder.registry import Registered
from forensics_kit.builder.tools import DEBIAN_PACKAGES, ToolError, find_tool

DEBIAN_PACKAGES.update(
    {
        "mke2fs": "e2fsprogs",
        "debugfs": "e2fsprogs",
        "mkntfs": "ntfs-3g",
        "ntfs-3g": "ntfs-3g",
        "umount": "mount",
        "ewfacquire": "ewf-tools",
        "blkls": "sleuthkit",
    }
)
FAKETIME_LIBRARIES = (
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
)


@dataclass
class Plant:
    """One item to plant: final path, bytes, times (POSIX seconds) and its actions.

    Attributes:
        data: the bytes the file holds (content plus anything appended after EOF).
        times: ``created``, ``modified``, ``accessed`` and ``deleted`` seconds.
        ads: an NTFS alternate data stream ``(name, bytes)``, or None.
        spec: the item's recipe entry (actions read their keys from it).
        location: where the item is in the recipe, for errors.
    """

    id: str
    path: str
    data: bytes
    times: dict[str, float]
    deleted: bool
    spec: dict[str, Any]
    location: tuple[str | int, ...]
    ads: tuple[str, bytes] | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    rng: Callable[[str], random.Random] | None = None
    subsecond: bool = False

    def nanoseconds(self, resolution_ns: int = 1) -> int:
        """The sub-second part of this file's times, in ns, rounded down to ``resolution_ns``.

        Real file systems that keep fractions (ext4: 1 ns, NTFS: 100 ns) almost never hold a
        whole second; with ``filesystem.subsecond`` every time of one file shares one seeded
        fraction, so a file planted as created and modified in the same second keeps
        created <= modified. Timestomping tools write whole seconds, which is what the
        trainee learns to notice. Without it (the default, as before) times are whole seconds.
        """
        fraction = self.rng("subsecond").random() if self.rng and self.subsecond else 0.0
        return int(fraction * 1_000_000_000) // resolution_ns * resolution_ns


@dataclass
class VolumeSpec:
    """One file system to make: type, label, size, where it will sit, what it holds."""

    fs_type: str
    label: str
    size: int
    start_sector: int
    serial: int
    format_time: float
    plants: list[Plant]
    location: tuple[str | int, ...]
    options: dict[str, Any] = field(default_factory=dict)


class FileSystemType(Registered):
    """Contract: ``check`` a volume before anything is written, ``plant`` it, then ``delete``.

    ``check`` returns a problem sentence (or None) so the caller can name the
    recipe place; ``plant`` and ``delete`` raise BuildError/ToolError.
    """

    kind: ClassVar[str] = "file system type"
    registry: ClassVar[dict[str, type[Registered]]] = {}
    min_size: ClassVar[int] = 1 << 20
    max_size: ClassVar[int] = 1 << 40
    supports_ads: ClassVar[bool] = False
    mbr_type: ClassVar[int] = 0x83
    gpt_type: ClassVar[str] = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"

    def check_label(self, label: str) -> str | None:
        """Problem with a volume label, None when it is fine."""
        return None

    def check_name(self, part: str) -> str | None:
        """Problem with one path component, None when the file system accepts it."""
        if part in (".", "..") or "\x00" in part or len(part.encode("utf-8")) > 255:
            return f"{part!r} is not a valid file name"
        return None

    @abstractmethod
    def plant(self, volume: Path, spec: VolumeSpec, scratch: Path) -> None:
        """Create the file system in ``volume`` (a file of ``spec.size`` bytes) with every item."""

    @abstractmethod
    def delete(self, volume: Path, spec: VolumeSpec, plants: list[Plant], scratch: Path) -> None:
        """Delete ``plants`` the way this file system's driver would."""

    def finish(self, volume: Path, plant: Plant, located: Any) -> None:
        """Touch up a planted file's metadata once its place is known (default: nothing to do)."""


def parent_directories(paths: Sequence[str]) -> list[str]:
    """Every directory the paths need, parents before children, in first-use order."""
    out: list[str] = []
    for path in paths:
        for parent in reversed(PurePosixPath(path).parents[:-1]):
            if str(parent) not in out:
                out.append(str(parent))
    return out


def stamp(seconds: float, form: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A UTC time in the given strftime form (for faketime and debugfs)."""
    return datetime.fromtimestamp(int(seconds), tz=UTC).strftime(form)


def faketime_library() -> str:
    """Path of libfaketime; BuildError naming the Debian package when it is missing."""
    for candidate in FAKETIME_LIBRARIES:
        if os.path.exists(candidate):
            return candidate
    DEBIAN_PACKAGES.setdefault("libfaketime", "faketime")
    return find_tool("libfaketime")  # raises with the package name


def run_env(
    name: str, args: Sequence[str | Path], env: dict[str, str] | None = None, merge: bool = False
) -> str:
    """Run a tool like :func:`tools.run_tool` (neutral locale and zone) with extra environment.

    Returns stdout, or stdout and stderr together with ``merge`` (debugfs reports there).
    """
    full = {"PATH": os.environ.get("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin", "LC_ALL": "C.UTF-8", "TZ": "UTC"}
    full.update(env or {})
    command = [find_tool(name), *map(str, args)]
    try:
        done = subprocess.run(
            command, env=full, capture_output=True, text=True, timeout=120, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"{name} could not run: {exc}") from exc
    if done.returncode != 0:
        lines = [line.strip() for line in (done.stderr or done.stdout).splitlines() if line.strip()]
        raise ToolError(f"{name} failed (exit {done.returncode}): {lines[-1] if lines else 'no message'}", done.stderr)
    return done.stdout + done.stderr if merge else done.stdout


_SAFE_LABEL = re.compile(r"^[^\x00-\x1f/\\]{1,32}$")


def plain_label_problem(label: str, limit: int) -> str | None:
    """Labels of ext and NTFS: printable, no slashes, at most ``limit`` bytes."""
    if label and (not _SAFE_LABEL.match(label) or len(label.encode("utf-8")) > limit):
        return f"label {label!r} must be 1-{limit} bytes of printable text without slashes"
    return None


_UNITS = {"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def parse_size(value: int | str) -> int:
    """Bytes in a size such as ``16777216``, ``"16MiB"`` or ``"512 KiB"``."""
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"\s*(\d+)\s*(B|KiB|MiB|GiB)?\s*", value)
    if not match:
        raise ValueError(f"bad size {value!r} (use e.g. 16MiB)")
    return int(match.group(1)) * _UNITS[match.group(2) or ""]
