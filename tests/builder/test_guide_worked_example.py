"""The trainer's guide's worked example is the shipped disk-01 recipe, and it builds and solves as shown."""

from __future__ import annotations

import re

from builder_paths import DATASETS

from forensics_kit.builder import build_case
from forensics_kit.builder.manifest import read_manifest
from grader.grade import grade_sheet
from grader.workflow import lab_key, run_solver, solution_sheet

GUIDE = DATASETS / "README.md"


def _worked_example() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Worked example:", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block, "the worked example has no yaml block"
    return block.group(1)


def test_guide_worked_example_is_the_shipped_disk01_recipe_word_for_word() -> None:
    assert _worked_example() == (DATASETS / "disk-01.yaml").read_text(encoding="utf-8")


def test_guide_lists_every_shipped_case() -> None:
    shipped = "## Shipped cases" + GUIDE.read_text(encoding="utf-8").split("## Shipped cases", 1)[1]
    listed = set(re.findall(r"^- `([a-z0-9-]+)`", shipped, re.M))
    assert listed == {path.stem for path in DATASETS.glob("*.yaml")}


def test_guide_worked_example_builds_to_the_manifest_and_its_solver_gets_full_marks(
        tmp_path, test_course, build) -> None:
    result = build_case(DATASETS / "disk-01.yaml", tmp_path)
    assert result.truth["artefacts"]["usb"]["sha256"] == read_manifest(DATASETS / "manifest.json")["disk-01"]["usb.dd"]
    ctx, solution = run_solver(test_course, "disk-01", None, build)
    graded = grade_sheet(ctx.lab, lab_key(test_course, ctx.lab), ctx.truths, solution_sheet(ctx, solution))
    assert graded.score == graded.max_score == 12
