"""Streaming hashes of evidence: several algorithms in one pass over the data, on every core.

Evidence is read once, in bounded chunks, and each algorithm runs in its own
thread: hashlib releases the GIL while it hashes a buffer, so MD5, SHA-1 and
SHA-256 of a 1 GiB image take about as long as MD5 alone. Each hasher's queue
holds a few chunks at most, so memory stays flat whatever the evidence size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from forensics_kit.errors import EvidenceError

if TYPE_CHECKING:
    import hashlib
    import queue

    from forensics_kit.disk.image import DiskImage

DEFAULT_ALGORITHMS: tuple[str, ...] = ("md5", "sha1", "sha256")
CHUNK_SIZE = 1 << 20
QUEUE_CHUNKS = 4  # chunks waiting per hasher thread: memory bound is about (QUEUE_CHUNKS + 2) * chunk
_THREADS_FROM = 1 << 16  # below this many bytes in total, threads cost more than they save

Progress = Callable[[str, int, int], None]


def _hashers(algorithms: Iterable[str]) -> dict[str, hashlib._Hash]:
    import hashlib  # here, not at the top: every disk command imports this module, few hash

    names = [a.lower().replace("-", "") for a in algorithms]
    try:
        return {name: hashlib.new(name) for name in dict.fromkeys(names)}
    except ValueError as exc:
        raise ValueError(f"unknown hash algorithm in {names} (known: md5, sha1, sha256, ...)") from exc


# Rough relative cost per byte (with the SHA extensions most CPUs now have); used only
# to share algorithms among as many threads as there are cores.
_COST = {"md5": 2.0, "sha1": 1.0, "sha256": 1.0, "sha224": 1.0, "sha512": 1.5, "sha384": 1.5}


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _groups(names: list[str], threads: int) -> list[list[str]]:
    """Share algorithms among ``threads`` threads, costliest first onto the least loaded."""
    loads: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(threads)]
    for name in sorted(names, key=lambda n: -_COST.get(n, 1.0)):
        index = min(range(threads), key=lambda i: loads[i][0])
        load, group = loads[index]
        loads[index] = (load + _COST.get(name, 1.0), group + [name])
    return [group for _, group in loads if group]


def _feed(hashers: list[hashlib._Hash], inbox: queue.Queue) -> None:
    """Thread body: hash chunks until the None sentinel arrives."""
    updates = [h.update for h in hashers]
    while True:
        chunk = inbox.get()
        if chunk is None:
            return
        for update in updates:
            update(chunk)


def hash_chunks(
    chunks: Iterable[bytes],
    algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
    *,
    progress: Progress | None = None,
    total: int = 0,
    step: str = "hashing",
) -> dict[str, str]:
    """Hash an iterable of byte chunks with every algorithm at once; return hex digests.

    With several algorithms and more than a few chunks, each algorithm runs in its
    own thread fed through a bounded queue (one pass over the data, all cores).

    Args:
        chunks: the data, in order.
        algorithms: hashlib names.
        progress: called as ``progress(step, bytes_done, total)`` after each chunk.
        total: expected size in bytes, for the progress callback (0 if unknown).
        step: label passed to ``progress``.
    """
    hashers = _hashers(algorithms)
    it = iter(chunks)
    first = next(it, None)
    if first is None:
        return {name: h.hexdigest() for name, h in hashers.items()}
    second = next(it, None)
    done = 0
    if len(hashers) == 1 or second is None or len(first) + len(second) < _THREADS_FROM:
        updates = [h.update for h in hashers.values()]
        for chunk in _chain(first, second, it):
            for update in updates:
                update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(step, done, total)
        return {name: h.hexdigest() for name, h in hashers.items()}
    return _threaded(hashers, _chain(first, second, it), progress, total, step)


def _chain(first: bytes, second: bytes | None, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    if second is not None:
        yield second
        yield from rest


def _threaded(
    hashers: dict[str, hashlib._Hash],
    chunks: Iterator[bytes],
    progress: Progress | None,
    total: int,
    step: str,
) -> dict[str, str]:
    import queue
    import threading

    groups = _groups(list(hashers), max(2, _cores()))
    inboxes = [queue.Queue(maxsize=QUEUE_CHUNKS) for _ in groups]
    threads = [
        threading.Thread(target=_feed, args=([hashers[n] for n in group], q), name="hash-" + "+".join(group))
        for group, q in zip(groups, inboxes, strict=True)
    ]
    for thread in threads:
        thread.start()
    done = 0
    try:
        for chunk in chunks:
            for inbox in inboxes:
                inbox.put(chunk)
            done += len(chunk)
            if progress is not None:
                progress(step, done, total)
    finally:
        for inbox in inboxes:
            inbox.put(None)
        for thread in threads:
            thread.join()
    return {name: h.hexdigest() for name, h in hashers.items()}


def iter_stream(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield a binary stream in bounded chunks so memory stays flat."""
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return
        yield chunk


def hash_file(
    path: str | Path,
    algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
    *,
    progress: Progress | None = None,
) -> dict[str, str]:
    """Hash a file on disk, opened read-only, in one streaming pass."""
    try:
        with open(path, "rb", buffering=0) as stream:
            total = os.fstat(stream.fileno()).st_size
            return hash_chunks(iter_stream(stream), algorithms, progress=progress, total=total)
    except OSError as exc:
        raise EvidenceError(path, f"cannot read: {exc.strerror or exc}") from exc


def hash_bytes(data: bytes, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> dict[str, str]:
    """Hash an in-memory byte string (small objects: a recovered file, an HTTP body)."""
    hashers = _hashers(algorithms)
    for hasher in hashers.values():
        hasher.update(data)
    return {name: h.hexdigest() for name, h in hashers.items()}


def hash_image(
    image: str | Path | DiskImage,
    algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
    progress: Progress | None = None,
) -> dict[str, str]:
    """Hash an image's media: what is inside the container, as ``img_cat`` gives it.

    A raw image is its own media and is hashed straight from the file; for E01,
    split raw, QCOW2, VHD and VMDK the media is read through the container, so the
    digest is the acquisition hash an examiner compares with the acquisition notes.

    Args:
        image: a path or an opened :class:`~forensics_kit.disk.DiskImage`.
        algorithms: hashlib names.
        progress: ``progress(step, bytes_done, total)``.
    """
    from forensics_kit.disk.containers import open_media
    from forensics_kit.disk.image import DiskImage

    if isinstance(image, DiskImage):
        if image.format == "raw":
            return hash_file(image.path, algorithms, progress=progress)
        return hash_chunks(image.iter_media(CHUNK_SIZE), algorithms, progress=progress, total=image.size)
    media = open_media(image)
    try:
        if media.format == "raw":
            return hash_file(image, algorithms, progress=progress)
        return hash_chunks(_media_chunks(str(image), media), algorithms, progress=progress, total=media.size)
    finally:
        media.close()


def _media_chunks(label: str, media) -> Iterator[bytes]:
    offset = 0
    while offset < media.size:
        want = min(CHUNK_SIZE, media.size - offset)
        try:
            data = media.img.read(offset, want)
        except (OSError, RuntimeError) as exc:
            raise EvidenceError(label, f"media read failed at byte {offset}: {exc}") from exc
        if not data:
            raise EvidenceError(label, f"media ends at byte {offset}, expected {media.size}")
        offset += len(data)
        yield data
