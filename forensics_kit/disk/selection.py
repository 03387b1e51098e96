"""Which file system a ``partition=`` argument means, with errors that say what to ask instead.

An image holds file systems TSK opens and APFS volumes pyfsapfs opens; most
tools take any of them, a few (block maps, timelines from TSK metadata) only
TSK's. One rule picks the file system for both, so ``--partition N`` means the
same everywhere and a wrong number gets the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from forensics_kit.disk.records import FileSystemInfo, Partition
from forensics_kit.errors import NotFoundError


class _HasInfo(Protocol):
    info: FileSystemInfo


T = TypeVar("T", bound=_HasInfo)


def choose_filesystem(
    path: str,
    systems: Sequence[T],
    partitions: Sequence[Partition],
    partition: int | None,
    readable_by: str = "TSK",
    others: Sequence[_HasInfo] = (),
) -> T:
    """The file system of a partition, or the only one on the image when ``partition`` is None.

    Args:
        path: the image, for messages.
        systems: the file systems to choose from.
        partitions: the image's volume-system entries (for messages).
        partition: the index asked for; None means the only file system, or the one
            outside every partition (at sector 0 under a partition table), as ``fls``
            without ``-o`` reads it.
        readable_by: who reads ``systems``, for messages ("TSK", "the kit").
        others: file systems found but not eligible here (APFS for TSK-only tools).

    Raises:
        NotFoundError: none, several without a choice, or no such partition.
    """
    if partition is None:
        if len(systems) == 1:
            return systems[0]
        if not systems:
            raise NotFoundError(f"{path}: no file system {readable_by} can read on this image")
        outside = [ofs for ofs in systems if ofs.info.partition is None]
        if len(outside) == 1:  # the image's own file system, outside every partition: what fls reads without -o
            return outside[0]
        where = ", ".join(str(ofs.info.partition) for ofs in systems)
        raise NotFoundError(
            f"{path}: several file systems (partitions {where}); choose one with -p N (partition=N in Python)"
        )
    for ofs in systems:
        if ofs.info.partition == partition:
            return ofs
    for other in others:
        if other.info.partition == partition:
            raise NotFoundError(
                f"{path}: partition {partition} is an {other.info.type} volume, which {readable_by} cannot read; "
                "only walk and read open it"
            )
    if not partitions:
        raise NotFoundError(
            f"{path}: no partition {partition}: the image has no partition table (leave partition unset)"
        )
    for part in partitions:
        if part.index == partition:
            raise NotFoundError(
                f"{path}: partition {partition} ({part.description}) holds no file system {readable_by} can read"
            )
    raise NotFoundError(f"{path}: no partition {partition} (entries are 0-{len(partitions) - 1})")
