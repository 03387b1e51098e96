"""Streaming hashes of evidence: several algorithms in one pass over the data, on every core.

Evidence is read once, in bounded chunks, and the algorithms are shared among the
cores: hashlib releases the GIL while it hashes a buffer, so with MD5 on one core and
SHA-1 + SHA-256 (with the CPU's SHA extensions) on the other, the three digests of an
image take about as long as MD5 alone. The reading thread only reads, so the slowest
hasher never waits for data; it is at most a few chunks behind the reader, so memory
stays flat whatever the size.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from forensics_kit.errors import EvidenceError

if TYPE_CHECKING:
    import hashlib
    import queue
    import threading

    from forensics_kit.disk.image import DiskImage

DEFAULT_ALGORITHMS: tuple[str, ...] = ("md5", "sha1", "sha256")
CHUNK_SIZE = 1 << 20
QUEUE_CHUNKS = 4  # chunks a worker may be behind the reader: memory bound is about QUEUE_CHUNKS * chunk
_THREADS_FROM = 1 << 16  # below this many bytes in total, threads cost more than they save

Progress = Callable[[str, int, int], None]
Buffer = bytes | bytearray | memoryview


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


def _feed(hashers: list[hashlib._Hash], inbox: queue.SimpleQueue, done: threading.Semaphore, failed: list) -> None:
    """Worker body: hash chunks in order until the None sentinel, releasing ``done`` after each.

    The release is what lets the reader refill a buffer, so it happens even after a failure
    (kept in ``failed`` for the reader to raise): the reader never waits for a dead worker.
    """
    updates = [h.update for h in hashers]
    while (chunk := inbox.get()) is not None:
        if not failed:
            try:
                for update in updates:
                    update(chunk)
            except BaseException as exc:  # noqa: BLE001 - handed over to the reader, which raises it
                failed.append(exc)
        done.release()


def hash_chunks(
    chunks: Iterable[bytes],
    algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
    *,
    progress: Progress | None = None,
    total: int = 0,
    step: str = "hashing",
) -> dict[str, str]:
    """Hash an iterable of byte chunks with every algorithm at once; return hex digests.

    With several algorithms, several cores and more than a few chunks, the algorithms are
    shared among the cores, one worker thread per share, fed by the calling thread at most
    :data:`QUEUE_CHUNKS` chunks ahead of the slowest (one pass, memory bounded).

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
    if second is None or len(first) + len(second) < _THREADS_FROM:
        workers = 1
    else:
        workers = min(_cores(), len(hashers))
    rest = (chunk for chunk in _chain(first, second, it) if chunk)  # an empty chunk is not the end
    return _pipeline(hashers, lambda _index: next(rest, None), workers, progress, total, step)


def _chain(first: bytes, second: bytes | None, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    if second is not None:
        yield second
        yield from rest


def _pipeline(
    hashers: dict[str, hashlib._Hash],
    next_chunk: Callable[[int], Buffer | None],
    threads: int,
    progress: Progress | None,
    total: int,
    step: str,
) -> dict[str, str]:
    """Hash ``next_chunk(0)``, ``next_chunk(1)``, ... until it gives None or an empty chunk.

    With one share of the algorithms the calling thread hashes it; with several, each share
    has a worker thread and the calling thread only reads: a reader that also hashed would
    be late with the next chunk whenever its own share ran slow, and MD5 (the critical path)
    would wait. Chunk ``k`` may live in a reused buffer (slot ``k % QUEUE_CHUNKS``): it is
    asked for only once every worker is done with chunk ``k - QUEUE_CHUNKS``.
    """
    groups = _groups(list(hashers), max(1, threads))
    done = 0
    if len(groups) == 1:
        updates = [hashers[name].update for name in groups[0]]
        index = 0
        while chunk := next_chunk(index):
            for update in updates:
                update(chunk)
            done += len(chunk)
            index += 1
            if progress is not None:
                progress(step, done, total)
        return {name: h.hexdigest() for name, h in hashers.items()}

    import queue
    import threading

    failed: list[BaseException] = []
    lanes = []
    for group in groups:
        inbox: queue.SimpleQueue = queue.SimpleQueue()
        free = threading.Semaphore(QUEUE_CHUNKS)
        thread = threading.Thread(
            target=_feed,
            args=([hashers[n] for n in group], inbox, free, failed),
            name="hash-" + "+".join(group),
            daemon=True,
        )
        lanes.append((inbox, free, thread))
        thread.start()
    index = 0
    try:
        while True:
            for _inbox, free, _thread in lanes:
                free.acquire()  # every worker is done with chunk index - QUEUE_CHUNKS
            chunk = next_chunk(index)
            if not chunk or failed:
                break
            for inbox, _free, _thread in lanes:
                inbox.put(chunk)
            done += len(chunk)
            index += 1
            if progress is not None:
                progress(step, done, total)
    finally:
        for inbox, _free, _thread in lanes:
            inbox.put(None)
        for _inbox, _free, thread in lanes:
            thread.join()
    if failed:
        raise failed[0]
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
    """Hash a file on disk, opened read-only, in one streaming pass.

    The file is read straight into a few reused buffers (no new bytes object per chunk),
    the kernel told the reading is sequential, and the buffers shared by the hashing threads.
    """
    hashers = _hashers(algorithms)
    try:
        with open(path, "rb", buffering=0) as stream:
            info = os.fstat(stream.fileno())
            total = info.st_size
            if hasattr(os, "posix_fadvise"):
                with contextlib.suppress(OSError):  # a pipe or a device may refuse: only a hint
                    os.posix_fadvise(stream.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
            single = len(hashers) == 1 or (stat.S_ISREG(info.st_mode) and total < _THREADS_FROM)
            threads = 1 if single else min(_cores(), len(hashers))
            size = max(1, min(CHUNK_SIZE, total)) if total else CHUNK_SIZE
            views = [memoryview(bytearray(size)) for _ in range(1 if threads == 1 else QUEUE_CHUNKS)]
            readinto = stream.readinto

            def fill(index: int) -> memoryview | None:
                view = views[index % len(views)]
                got = readinto(view)
                return view if got == size else view[:got] if got else None

            return _pipeline(hashers, fill, threads, progress, total, "hashing")
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
    if not isinstance(image, (str, os.PathLike)):  # an opened DiskImage
        if image.format == "raw":
            return hash_file(image.path, algorithms, progress=progress)
        return hash_chunks(image.iter_media(CHUNK_SIZE), algorithms, progress=progress, total=image.size)
    from forensics_kit.media_format import identify

    if identify(image) == "raw":  # the file is the media: no need to load TSK to read it
        return hash_file(image, algorithms, progress=progress)
    from forensics_kit.disk.containers import open_media

    media = open_media(image)
    try:
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
