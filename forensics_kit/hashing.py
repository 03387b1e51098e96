"""Streaming hashes of evidence: several algorithms in one pass over the data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from forensics_kit.errors import EvidenceError

DEFAULT_ALGORITHMS: tuple[str, ...] = ("md5", "sha1", "sha256")
CHUNK_SIZE = 1 << 20


def hash_chunks(chunks: Iterable[bytes], algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> dict[str, str]:
    """Hash an iterable of byte chunks with every algorithm at once; return hex digests."""
    hashers = {name: hashlib.new(name) for name in algorithms}
    for chunk in chunks:
        for hasher in hashers.values():
            hasher.update(chunk)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def iter_stream(stream: BinaryIO, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield a binary stream in bounded chunks so memory stays flat."""
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            return
        yield chunk


def hash_file(path: str | Path, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> dict[str, str]:
    """Hash a file on disk, opened read-only, in one streaming pass."""
    try:
        with open(path, "rb") as stream:
            return hash_chunks(iter_stream(stream), algorithms)
    except OSError as exc:
        raise EvidenceError(path, f"cannot read: {exc.strerror or exc}") from exc


def hash_bytes(data: bytes, algorithms: Iterable[str] = DEFAULT_ALGORITHMS) -> dict[str, str]:
    """Hash an in-memory byte string (small objects: a recovered file, an HTTP body)."""
    return hash_chunks((data,), algorithms)
