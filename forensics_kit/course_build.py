"""Glue between the course (labs, recipes) and the case builder.

``ensure_built`` is the ``build`` callable the grader's workflow asks for: it
returns a dataset's build folder, building it first when it is missing or was
built from an older recipe. Used by the CLI, the demo and the tests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from forensics_kit.errors import RecipeError

Progress = Callable[[str, int, int], None]


def recipe_path(datasets_dir: Path, case: str) -> Path:
    """The recipe file of ``case``; a clear error lists the known cases."""
    path = Path(datasets_dir) / f"{case}.yaml"
    if "/" in case or not path.exists():
        known = ", ".join(p.stem for p in sorted(Path(datasets_dir).glob("*.yaml")))
        raise RecipeError(path, None, f"no recipe for case {case!r} (cases: {known})")
    return path


def _is_current(folder: Path, recipe: Path) -> bool:
    truth_file = folder / "truth.json"
    if not truth_file.exists():
        return False
    try:
        truth = json.loads(truth_file.read_text("utf-8"))
    except (OSError, ValueError):
        return False
    recipe_hash = hashlib.sha256(recipe.read_bytes()).hexdigest()
    artefacts = truth.get("artefacts", {})
    files_there = all((folder / a.get("file", "")).is_file() for a in artefacts.values())
    return truth.get("recipe_sha256") == recipe_hash and files_there


def ensure_built(
    datasets_dir: Path, build_root: Path, case: str, variant: str | None = None, progress: Progress | None = None
) -> Path:
    """Return the build folder of ``case``/``variant``, building it when needed."""
    from forensics_kit.builder import build_case
    from grader.course import EVIDENCE_MANIFEST

    folder = Path(build_root) / case / (variant or "default")
    if not (Path(datasets_dir) / f"{case}.yaml").exists() and "/" not in case:
        if (folder / EVIDENCE_MANIFEST).is_file():  # a trainee bundle: evidence prebuilt, no recipes
            return folder
        prebuilt = sorted(p.parent.name for p in (Path(build_root) / case).glob(f"*/{EVIDENCE_MANIFEST}"))
        if prebuilt:
            raise RecipeError(folder, None, f"no evidence of case {case!r} for variant {variant or 'default'!r} "
                              f"in this course (it has: {', '.join(prebuilt)}); ask your instructor for your id")
    recipe = recipe_path(datasets_dir, case)
    if not _is_current(folder, recipe):
        build_case(recipe, Path(build_root), variant=variant, progress=progress)
    return folder


def builder_for(
    datasets_dir: Path, build_root: Path, progress: Progress | None = None
) -> Callable[[str, str | None], Path]:
    """A ``build(case, variant) -> folder`` callable bound to one course."""

    def build(case: str, variant: str | None) -> Path:
        return ensure_built(datasets_dir, build_root, case, variant, progress)

    return build
