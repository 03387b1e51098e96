"""Where the course lives: labs, datasets (recipes and builds) and solutions.

The course root is found in this order: the ``FKLAB_HOME`` environment variable;
the nearest folder above the current one that holds ``labs/`` and ``datasets/``;
the source checkout this package was installed from (editable installs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from grader.errors import GraderError

EVIDENCE_MANIFEST = "evidence.json"
"""In a bundle's build folder, instead of truth.json: each artefact's file name and SHA-256 and
nothing else, so a trainee's ``lab start`` can copy and check the evidence without the answers."""


@dataclass(frozen=True)
class Course:
    """Paths of one course tree."""

    root: Path
    build_root: Path | None = None  # builds elsewhere (a check's scratch folder); else see ``builds``

    @property
    def labs(self) -> Path:
        return self.root / "labs"

    @property
    def datasets(self) -> Path:
        return self.root / "datasets"

    @property
    def builds(self) -> Path:
        """Built evidence: ``datasets/build/``, or ``FKLAB_BUILD_DIR`` (e.g. a bigger disk, a USB stick)."""
        if self.build_root is not None:
            return self.build_root
        override = os.environ.get("FKLAB_BUILD_DIR")
        return Path(override).expanduser() if override else self.root / "datasets" / "build"

    @property
    def solutions(self) -> Path:
        return self.root / "solutions"

    def lab_dir(self, lab_id: str) -> Path:
        return self.labs / lab_id

    def build_dir(self, case: str, variant: str | None = None) -> Path:
        return self.builds / case / (variant or "default")


def _is_course(path: Path) -> bool:
    return (path / "labs").is_dir() and (path / "datasets").is_dir()


def find_course(start: Path | None = None) -> Course:
    """Locate the course root (see module docstring); raise GraderError if there is none."""
    env = os.environ.get("FKLAB_HOME")
    if env:
        root = Path(env).expanduser().resolve()
        if not _is_course(root):
            raise GraderError(f"FKLAB_HOME={env}: not a course folder (it needs labs/ and datasets/)")
        return Course(root)
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_course(candidate):
            return Course(candidate)
    checkout = Path(__file__).resolve().parents[1]
    if _is_course(checkout):
        return Course(checkout)
    raise GraderError("no course found: run inside the fklab folder or set FKLAB_HOME")
