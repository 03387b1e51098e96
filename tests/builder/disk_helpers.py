"""Helpers of the disk-builder tests: write a tiny recipe, build it, ask The Sleuth Kit."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from forensics_kit.builder import BuildResult, build_case

WINDOW = {"start": "2024-02-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"}


def write_recipe(folder: Path, evidence: list[dict[str, Any]], case: str = "t-disk", seed: int = 7) -> Path:
    """A recipe file ``<folder>/<case>.yaml`` holding ``evidence``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{case}.yaml"
    recipe = {"case": case, "title": {"en": "test"}, "seed": seed, "window": WINDOW, "evidence": evidence}
    path.write_text(yaml.safe_dump(recipe, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def build(folder: Path, evidence: list[dict[str, Any]], out: str = "out", **kwargs: Any) -> BuildResult:
    """Write and build a recipe; return the build result."""
    return build_case(write_recipe(folder, evidence, **kwargs), folder / out)


def tsk(tool: str, *args: Any) -> str:
    """Run a Sleuth Kit tool and return its text output (test skipped when TSK is absent)."""
    if not shutil.which(tool):
        pytest.skip(f"{tool} (sleuthkit) is not installed")
    done = subprocess.run([tool, *map(str, args)], capture_output=True, check=True)
    return done.stdout.decode("utf-8", "replace")


def tsk_bytes(tool: str, *args: Any) -> bytes:
    if not shutil.which(tool):
        pytest.skip(f"{tool} (sleuthkit) is not installed")
    return subprocess.run([tool, *map(str, args)], capture_output=True, check=True).stdout


def fuse_available() -> bool:
    """NTFS items are written through ntfs-3g: needs /dev/fuse and root."""
    import os

    return os.path.exists("/dev/fuse") and os.geteuid() == 0 and shutil.which("ntfs-3g") is not None


needs_fuse = pytest.mark.skipif(not fuse_available(), reason="NTFS items need ntfs-3g with FUSE (root, /dev/fuse)")
