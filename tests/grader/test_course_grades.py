"""Whole-course grading: a folder per lab or files named by lab, one line per trainee across labs."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from grader.course_grades import grade_course
from grader.workflow import run_solver, solution_document


def test_course_gradebook_sums_each_trainee_over_the_labs(test_course, build, tmp_path: Path):
    root = tmp_path / "subs"
    (root / "net-01").mkdir(parents=True)
    net = solution_document(*run_solver(test_course, "net-01", None, build))
    disk = solution_document(*run_solver(test_course, "disk-01", None, build))
    for who in ("t-1", "t-2"):
        (root / "net-01" / f"{who}.yaml").write_text(yaml.safe_dump({**net, "trainee": {"id": who}}), "utf-8")
    (root / "t-1.disk-01.yaml").write_text(yaml.safe_dump({**disk, "trainee": {"id": "t-1"}}), "utf-8")
    document = grade_course(test_course, root, tmp_path / "out", build)
    rows = {r["trainee"]: r for r in document["trainees"]}
    assert rows["t-1"]["labs"] == {"disk-01": 12.0, "net-01": 11.0} and rows["t-1"]["percent"] == 100
    assert rows["t-2"]["labs"] == {"net-01": 11.0} and rows["t-2"]["max_score"] == 23
    with open(tmp_path / "out" / "course.csv", encoding="utf-8") as stream:
        assert [r["trainee"] for r in csv.DictReader(stream)] == ["t-1", "t-2"]
    assert (tmp_path / "out" / "net-01" / "report.html").exists() and (tmp_path / "out" / "course.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "subs"]
