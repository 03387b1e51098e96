"""Which container holds an evidence file's media, told from the file's own bytes.

The signatures live here, apart from :mod:`forensics_kit.disk.containers`, because two
readers need them: the disk reader, which then opens the container (TSK, libyal), and
the hasher, which hashes a raw image straight from the file and should not load TSK
and the disk package for it (a fifth of ``fklab disk hash``'s start-up).
"""

from __future__ import annotations

import os
import re

from forensics_kit.errors import EvidenceError

# "image.000", "image.001", "image.raw.000", "disk.aa" (TSK and pysmraw name split sets so).
SPLIT_RAW = re.compile(r"\.(\d{3}|aa)$", re.IGNORECASE)
EWF1_MAGIC = (b"EVF\x09\x0d\x0a\xff\x00", b"LVF\x09\x0d\x0a\xff\x00")
_EWF2_MAGIC = b"EVF2\r\n\x81\x00"
HEAD_BYTES = 4096
TAIL_BYTES = 512


def identify(path: str | os.PathLike[str]) -> str:
    """Read an evidence file's first and last bytes and name its container format.

    Returns:
        ``"ewf"``, ``"dmg"``, ``"qcow2"``, ``"vhdx"``, ``"vhd"``, ``"vmdk"``, ``"split-raw"`` or ``"raw"``.

    Raises:
        EvidenceError: the path is missing, a directory, empty or unreadable.
    """
    name = os.fspath(path)
    if not os.path.exists(name):
        raise EvidenceError(name, "no such file")
    if os.path.isdir(name):
        raise EvidenceError(name, "is a directory, not a disk image")
    try:
        with open(name, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            head = stream.read(HEAD_BYTES)
            stream.seek(max(0, size - TAIL_BYTES))
            tail = stream.read(TAIL_BYTES)
    except OSError as exc:
        raise EvidenceError(name, f"cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise EvidenceError(name, "empty file (0 bytes), not a disk image")
    return container_format(name, head, tail)


def container_format(path: str, head: bytes, tail: bytes) -> str:
    """Name the container format from its signature (then its name for split raw)."""
    if head.startswith((*EWF1_MAGIC, _EWF2_MAGIC)):
        return "ewf"
    if tail.startswith(b"koly"):  # UDIF trailer: the last 512 bytes of a .dmg
        return "dmg"
    if head.startswith(b"QFI\xfb"):
        return "qcow2"
    if head.startswith(b"vhdxfile"):
        return "vhdx"
    if tail.startswith(b"conectix"):
        return "vhd"
    if head.startswith((b"KDMV", b"COWD")) or b"# Disk DescriptorFile" in head[:1024]:
        return "vmdk"
    if SPLIT_RAW.search(path) and len(split_segments(path)) > 1:
        return "split-raw"
    return "raw"


def split_segments(path: str) -> list[str]:
    """The segment files of a split raw set that starts at ``path`` (``[path]`` when it is one file)."""
    try:
        import pysmraw

        return list(pysmraw.glob(path))
    except Exception:  # noqa: BLE001 - no split set, treat as one raw file
        return [path]
