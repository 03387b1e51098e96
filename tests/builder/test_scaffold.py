"""``fklab datasets new``: the scaffolded case builds, its solver answers and grades 100%."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from forensics_kit.builder.scaffold import ScaffoldError, scaffold_case
from forensics_kit.course_build import builder_for
from grader.course import Course
from grader.grade import grade_sheet
from grader.workflow import lab_key, run_solver, solution_sheet


@pytest.fixture()
def course_root(tmp_path):
    for folder in ("labs", "datasets", "solutions"):
        (tmp_path / folder).mkdir()
    return tmp_path


def _grade(root, name, variant=None):
    course = Course(root)
    build = builder_for(course.datasets, course.builds)
    ctx, solution = run_solver(course, name, variant, build)
    return grade_sheet(ctx.lab, lab_key(course, ctx.lab), ctx.truths, solution_sheet(ctx, solution))


def test_scaffolded_case_builds_and_its_solver_scores_100_percent(course_root):
    files = scaffold_case(course_root, "case-07")
    assert sorted(p.relative_to(course_root).as_posix() for p in files) == [
        "datasets/case-07.yaml", "labs/case-07/README.md", "labs/case-07/README.ru.md", "labs/case-07/lab.yaml",
        "solutions/case-07/key.yaml", "solutions/case-07/solve.py",
    ]  # fmt: skip
    result = _grade(course_root, "case-07")
    assert result.percent == 100.0
    variant = _grade(course_root, "case-07", "trainee-03")
    assert variant.percent == 100.0


def test_scaffold_refuses_to_overwrite_and_writes_nothing(course_root):
    (course_root / "labs" / "taken").mkdir()
    (course_root / "labs" / "taken" / "README.md").write_text("mine")
    with pytest.raises(ScaffoldError, match="exists already"):
        scaffold_case(course_root, "taken")
    assert not (course_root / "datasets" / "taken.yaml").exists()
    assert (course_root / "labs" / "taken" / "README.md").read_text() == "mine"


@pytest.mark.parametrize("name", ["Case1", "1case", "case_1", "", "../x"])
def test_bad_case_names_are_refused(course_root, name):
    with pytest.raises(ScaffoldError, match="lower-case letters"):
        scaffold_case(course_root, name)


def test_cli_new_creates_the_files_in_the_course(course_root, monkeypatch):
    from forensics_kit.cli.main import cli

    monkeypatch.setenv("FKLAB_HOME", str(course_root))
    runner = CliRunner()
    done = runner.invoke(cli, ["datasets", "new", "demo-case", "--json"])
    assert done.exit_code == 0, done.output
    assert (course_root / "datasets" / "demo-case.yaml").exists()
    again = runner.invoke(cli, ["datasets", "new", "demo-case"])
    assert again.exit_code == 1 and "exists already" in again.output
    shutil.rmtree(course_root / "labs" / "demo-case")
