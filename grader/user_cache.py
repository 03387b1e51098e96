"""A per-user cache of work whose result depends only on file contents (parsed catalogues, schema checks).

Start-up is what a trainee feels on every ``fklab lab check``: parsing the ``.po`` catalogues
with Babel and importing jsonschema to re-validate lab and key files that did not change cost
more than the grading itself. Entries are named by the SHA-256 of everything they depend on,
so a changed file simply misses; nothing is ever trusted by date. The folder is
``$FKLAB_CACHE_DIR``, else ``$XDG_CACHE_HOME/fklab``, else ``~/.cache/fklab``; ``FKLAB_CACHE_DIR=off``
turns the cache off. A folder that cannot be written only costs the time saved.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["cache_dir", "content_key", "read_entry", "write_entry"]

VERSION = "1"  # bump when an entry's format changes


def cache_dir() -> Path | None:
    """The cache folder (not created here), or None when turned off."""
    chosen = os.environ.get("FKLAB_CACHE_DIR")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "fklab"


def content_key(*parts: bytes | str) -> str:
    """A hex digest of ``parts`` (length-prefixed, so the split between parts matters)."""
    digest = hashlib.sha256(VERSION.encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _entry(kind: str, key: str) -> Path | None:
    root = cache_dir()
    return None if root is None else root / kind / key


def read_entry(kind: str, key: str) -> bytes | None:
    """The bytes stored under ``kind/key``, or None (missing, turned off, unreadable)."""
    path = _entry(kind, key)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_entry(kind: str, key: str, data: bytes = b"") -> None:
    """Store ``data`` under ``kind/key`` atomically; any error is ignored (the cache is an optimisation)."""
    path = _entry(kind, key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError:
        pass
