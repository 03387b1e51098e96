"""Copy detection: a wrong answer equal to another variant's truth is flagged per question and per trainee,
and submissions with identical wrong answers are flagged as a pair, in the CSV, JSON, report and course view."""

from __future__ import annotations

import csv
import json

import yaml

from grader.course_grades import grade_course
from grader.gradebook import grade_class

LAB = "mini-01"


def _write(folder, name: str, document: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")


def test_answers_copied_from_another_variant_are_flagged_per_question_and_trainee(mini, tmp_path):
    subs = tmp_path / "subs"
    t01 = mini.truths["t-01"]["q"]
    _write(subs, "honest.yaml", mini.answers("t-01", "honest"))
    # t-05 works on t-02's evidence but hands in t-01's truth for three questions
    _write(subs, "copier.yaml", mini.answers("t-02", "copier", ip=t01["ip"], host=t01["host"], count=str(t01["count"])))
    book = grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    rows = {row["trainee"]: row for row in book.rows}
    assert rows["copier"]["matches"] == {"ip": "t-01", "host": "t-01", "count": "t-01"}
    assert rows["copier"]["flags"] == ["matches_variant:t-01:ip+host+count"]
    assert rows["honest"]["flags"] == [] and "matches" not in rows["honest"]

    with open(tmp_path / "out" / "gradebook.csv", encoding="utf-8") as stream:
        table = {r["trainee"]: r for r in csv.DictReader(stream)}
    assert table["copier"]["matches_other_variant"] == "count=t-01;host=t-01;ip=t-01"
    document = json.loads((tmp_path / "out" / "gradebook.json").read_text("utf-8"))
    copier = next(r for r in document["results"] if r["trainee"]["id"] == "copier")
    assert {q["id"]: q.get("matches_variant") for q in copier["questions"]}["ip"] == "t-01"
    report = (tmp_path / "out" / "report.html").read_text("utf-8")
    assert "match variant t-01&#x27;s evidence" in report or "match variant t-01's evidence" in report
    assert "t-01" not in (tmp_path / "out" / "feedback" / "copier.md").read_text("utf-8")  # not told to the trainee


def test_a_right_answer_is_never_flagged_even_if_variants_share_it(mini, tmp_path):
    subs = tmp_path / "subs"
    _write(subs, "a.yaml", mini.answers("t-01", "a"))
    _write(subs, "b.yaml", mini.answers("t-02", "b"))
    book = grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    assert all(row["flags"] == [] for row in book.rows)


def test_identical_wrong_answer_sets_are_flagged_as_a_pair(mini, tmp_path):
    subs = tmp_path / "subs"
    wrong = {"ip": "10.9.9.9", "pw": "hunter2", "count": "7"}
    _write(subs, "a.yaml", mini.answers(None, "a", **wrong))
    _write(subs, "b.yaml", mini.answers(None, "b", **wrong))
    _write(subs, "c.yaml", mini.answers(None, "c", ip="10.9.9.9"))
    book = grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    flags = {row["trainee"]: row["flags"] for row in book.rows}
    assert "identical_wrong_set:b" in flags["a"] and "identical_wrong_set:a" in flags["b"]
    assert not any(f.startswith("identical_wrong_set") for f in flags["c"])


def test_the_course_view_carries_the_copy_flags(mini, tmp_path):
    root = tmp_path / "course-subs"
    t01 = mini.truths["t-01"]["q"]
    _write(root / LAB, "copier.yaml", mini.answers("t-02", "copier", ip=t01["ip"]))
    _write(root / LAB, "honest.yaml", mini.answers("t-01", "honest"))
    document = grade_course(mini.course, root, tmp_path / "out", mini.build)
    copier = next(r for r in document["trainees"] if r["trainee"] == "copier")
    assert copier["flags"] == [f"{LAB}:matches_variant:t-01:ip"]
    assert "matches_variant:t-01:ip" in (tmp_path / "out" / "course.html").read_text("utf-8")
