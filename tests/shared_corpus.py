"""The shared corpus (others' public test images and captures), reached only through here.

The corpus sits beside a developer's checkout as ``../shared/corpus``; a user's own clone has
none, so every test that reads it must skip, not fail, when it is absent. ``FKLAB_CORPUS``
points the tests at another folder (CI points it at an empty one to prove they skip).
Modules that import this one are marked ``corpus`` (see tests/conftest.py), so
``pytest -m corpus`` runs exactly the tests that may read it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ENV = "FKLAB_CORPUS"
ROOT = Path(os.environ.get(ENV) or Path(__file__).resolve().parents[1].parent / "shared" / "corpus")
REASON = f"shared corpus not found at {ROOT} (a clone without ../shared; set {ENV} to use one)"


def present(*parts: str) -> bool:
    """Whether that corpus file or folder exists (for ``skipif`` at collection time)."""
    return ROOT.joinpath(*parts).exists()


def corpus_path(*parts: str) -> Path:
    """The corpus file or folder at ``parts``; skips the calling test when it is absent."""
    path = ROOT.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{REASON}: {'/'.join(parts)} is missing")
    return path


def corpus_files(*parts: str, pattern: str = "*", recursive: bool = False) -> list[Path]:
    """Sorted files under ``parts`` matching ``pattern`` (for parametrize); [] when absent."""
    folder = ROOT.joinpath(*parts)
    if not folder.is_dir():
        return []
    found = folder.rglob(pattern) if recursive else folder.glob(pattern)
    return sorted(p for p in found if p.is_file())


def skip_unless(*parts: str) -> pytest.MarkDecorator:
    """A ``skipif`` mark for tests or modules that need that corpus file or folder."""
    return pytest.mark.skipif(not present(*parts), reason=f"{REASON}: {'/'.join(parts)} is missing")
