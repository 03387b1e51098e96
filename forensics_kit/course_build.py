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
        from forensics_kit.builder import build_case  # only when building: ~60 ms of imports otherwise

        build_case(recipe, Path(build_root), variant=variant, progress=progress)
    return folder


def builder_for(
    datasets_dir: Path, build_root: Path, progress: Progress | None = None
) -> Callable[[str, str | None], Path]:
    """A ``build(case, variant) -> folder`` callable bound to one course."""

    def build(case: str, variant: str | None) -> Path:
        return ensure_built(datasets_dir, build_root, case, variant, progress)

    return build


CHECK_PREFIX = "check-"
"""Variant names ``datasets check`` builds: never a trainee's id on a roster."""


def covering_variants(case_recipe: Path, count: int, *, search: int = 2000) -> tuple[list[str], dict[str, list]]:
    """``count`` variant names plus enough others that, together, every value of every ``choice``
    parameter is drawn once; and the choice values no name among ``search`` draws (never built).

    Drawing parameters is cheap (no build), so the names are found by trying ``check-1``,
    ``check-2``, ... in order; the result depends only on the recipe.
    """
    from forensics_kit.builder.build import variant_seed
    from forensics_kit.builder.parameters import draw_parameters
    from forensics_kit.builder.recipe import load_recipe

    recipe = load_recipe(case_recipe)
    specs = recipe.data.get("parameters", {}) or {}
    wanted = {(key, repr(value)) for key, spec in specs.items() if spec.get("type") == "choice"
              for value in spec.get("values", [])}
    names = [f"{CHECK_PREFIX}{n}" for n in range(1, count + 1)]
    for name in names:
        drawn = draw_parameters(specs, variant_seed(recipe.case, name), recipe.window)
        wanted -= {(key, repr(drawn[key])) for key in drawn}
    number = count
    while wanted and number < search:
        number += 1
        name = f"{CHECK_PREFIX}{number}"
        drawn = draw_parameters(specs, variant_seed(recipe.case, name), recipe.window)
        hit = {(key, repr(drawn[key])) for key in drawn} & wanted
        if hit:
            names.append(name)
            wanted -= hit
    never: dict[str, list] = {}
    for key, value in sorted(wanted):
        never.setdefault(key, []).append(value)
    return names, never


def check_case(
    datasets_dir: Path,
    build_root: Path,
    case: str,
    count: int,
    solve: Callable[[str, Path, str], str | None] | None = None,
    progress: Progress | None = None,
) -> list[dict[str, object]]:
    """Build ``count`` variants of ``case`` and every choice value's variant; one row per variant.

    Each row: ``variant``, ``error`` (the build's one-line error or None) and, with ``solve``
    (``solve(case, folder, variant) -> problem or None``, e.g. a lab's reference solver graded),
    its problem. A choice value no variant draws is a row of its own.
    """
    from forensics_kit.builder import build_case
    from forensics_kit.errors import ForensicsKitError

    recipe = recipe_path(datasets_dir, case)
    names, never = covering_variants(recipe, count)
    rows: list[dict[str, object]] = []
    for number, name in enumerate(names):
        if progress:
            progress("checking variants", number, len(names))
        row: dict[str, object] = {"variant": name, "error": None}
        try:
            build_case(recipe, Path(build_root), variant=name)
            if solve:
                row["error"] = solve(case, Path(build_root) / case / name, name)
        except ForensicsKitError as exc:
            row["error"] = str(exc).splitlines()[0]
        rows.append(row)
    if progress:
        progress("checking variants", len(names), len(names))
    for key, values in never.items():
        rows.append({"variant": None, "error": f"parameter {key}: no variant among the first thousands draws "
                                               f"{', '.join(map(str, values))}; those values are never built"})
    return rows


def solver_check(course: object) -> Callable[[str, Path, str], str | None]:
    """``solve(case, folder, variant)`` for :func:`check_case`: every lab on that case must get
    full marks from its reference solver on that variant, as the labs' test proves for three."""
    from grader.errors import GraderError
    from grader.lab import list_labs
    from grader.workflow import grade_sheet, lab_key, run_solver, solution_sheet

    def solve(case: str, folder: Path, variant: str) -> str | None:
        from dataclasses import replace

        here = replace(course, build_root=folder.parent.parent)  # type: ignore[type-var]
        build = builder_for(here.datasets, here.builds)
        for lab in list_labs(here.labs):
            if case not in lab.datasets:
                continue
            try:
                ctx, solution = run_solver(here, lab.id, variant, build)
                result = grade_sheet(ctx.lab, lab_key(here, ctx.lab), ctx.truths, solution_sheet(ctx, solution))
            except GraderError as exc:
                return f"lab {lab.id}: {str(exc).splitlines()[0]}"
            except Exception as exc:  # noqa: BLE001 - a solver's bug is this variant's finding, not a crash
                return f"lab {lab.id}: the reference solver failed ({type(exc).__name__}: {str(exc)[:120]})"
            if result.score < result.max_score:
                missed = [q.id for q in result.questions if q.points < q.max_points]
                return (f"lab {lab.id}: the reference solver scores {result.score:g}/{result.max_score:g} "
                        f"(missed: {', '.join(missed)})")
        return None

    return solve
