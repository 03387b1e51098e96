"""Feedback that teaches without giving away: per-lab levels and a self-check limit."""

from __future__ import annotations

from dataclasses import replace

import yaml

from grader.checkers import Outcome, make_checker
from grader.feedback import apply_level, count_checks, limit_reasons, shown_reason
from grader.grade import LabResult, QuestionResult
from grader.i18n import msg
from grader.lab import load_lab
from grader.workflow import check_answers

LAB = "mini-01"


def _zone_slip():
    return make_checker("timestamp").check("2024-03-01 13:00:05", "2024-03-01T10:00:05Z")


def test_full_kind_and_none_show_less_and_less():
    result = _zone_slip()
    full = result.reason.render("en")
    assert "Read as" in full and "3 h" in full
    kind = shown_reason(result.reason, result.outcome, "kind").render("en")
    assert "time zone" in kind and "3 h" not in kind and "Read as" not in kind and "13:00" not in kind
    none = shown_reason(result.reason, result.outcome, "none").render("en")
    assert "zone" not in none and "does not show why" in none
    assert "зон" not in shown_reason(result.reason, result.outcome, "none").render("ru")


def test_kind_keeps_folder_versus_name_unit_and_algorithm_slips():
    for type_, options, given, expected, word in [
        ("path", {}, "/Other/invoice.pdf", "/Docs/invoice.pdf", "folder"),
        ("offset", {}, "2048", 2048 * 512, "unit"),
        ("hash", {}, "d41d8cd98f00b204e9800998ecf8427e", "e3b0c442" * 8, "MD5"),
        ("cidr", {}, "10.1.0.0/24", "10.1.0.0/16", "prefix length"),
    ]:
        result = make_checker(type_, options).check(given, expected)
        text = shown_reason(result.reason, result.outcome, "kind").render("en")
        assert word in text, (type_, text)


def test_a_lab_declares_its_feedback_level_and_feedback_files_follow_it(mini, tmp_path):
    from grader.gradebook import grade_class

    lab_file = mini.root / "labs" / LAB / "lab.yaml"
    document = yaml.safe_load(lab_file.read_text("utf-8"))
    lab_file.write_text(yaml.safe_dump({**document, "feedback": "none"}), "utf-8")
    assert load_lab(lab_file).feedback == "none"
    subs = tmp_path / "subs"
    subs.mkdir()
    wrong_time = mini.answers(None, "a", when="2024-03-01 13:00:00")
    (subs / "a.yaml").write_text(yaml.safe_dump(wrong_time), "utf-8")
    grade_class(mini.course, LAB, subs, tmp_path / "out", mini.build)
    feedback = (tmp_path / "out" / "feedback" / "a.md").read_text("utf-8")
    assert "zone" not in feedback and "does not show why" in feedback
    report = (tmp_path / "out" / "gradebook.json").read_text("utf-8")
    assert "3 h" in report  # the instructor keeps the full reason


def test_self_check_limit_withholds_the_reason_after_n_different_answers(mini, tmp_path):
    lab_file = mini.root / "labs" / LAB / "lab.yaml"
    document = yaml.safe_load(lab_file.read_text("utf-8"))
    lab_file.write_text(yaml.safe_dump({**document, "self_checks": 2}), "utf-8")
    answers = tmp_path / "answers.yaml"
    reasons = []
    for guess in ("2024-03-01 13:00:00", "2024-03-01 12:00:00", "2024-03-01 11:00:00", "2024-03-01 11:00:00"):
        answers.write_text(yaml.safe_dump(mini.answers(None, "a", when=guess)), "utf-8")
        result = check_answers(mini.course, LAB, answers, mini.build)
        reasons.append(next(q for q in result.questions if q.id == "when").reason.key)
    assert reasons[:2] == ["joined", "joined"] and reasons[2:] == ["feedback.limit", "feedback.limit"]
    right = mini.answers(None, "a")
    answers.write_text(yaml.safe_dump(right), "utf-8")
    final = check_answers(mini.course, LAB, answers, mini.build)
    assert next(q for q in final.questions if q.id == "when").outcome is Outcome.CORRECT


def test_limit_and_level_helpers_leave_pending_and_correct_answers_alone():
    q_ok = QuestionResult("a", Outcome.CORRECT, 1, 1, msg("answer.correct"), "x")
    q_bad = QuestionResult("b", Outcome.WRONG, 0, 1, msg("text.wrong"), "y")
    result = LabResult("l", None, None, None, (q_ok, q_bad))
    limited = limit_reasons(result, {"a": 9, "b": 9}, 1)
    assert [q.reason.key for q in limited.questions] == ["answer.correct", "feedback.limit"]
    assert apply_level(result, "full") is result
    assert apply_level(replace(result), "kind").questions[1].reason.key == "feedback.wrong"


def test_check_counts_live_next_to_the_answers_file(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text("x", "utf-8")
    result = LabResult("l", None, None, None, (QuestionResult("b", Outcome.WRONG, 0, 1, msg("text.wrong"), "y"),))
    assert count_checks(answers, result) == {"b": 1}
    assert count_checks(answers, result) == {"b": 1}
    assert (tmp_path / ".answers.yaml.checks.json").exists()
