"""``fklab lab hint``: shows the next hint in the trainee's language and records it."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from forensics_kit.cli.main import cli
from grader.answers import load_answers
from grader.workflow import start_lab

REPO = Path(__file__).resolve().parents[2]


def test_lab_hint_shows_the_hint_in_russian_and_records_it(test_course, build, tmp_path: Path, monkeypatch) -> None:
    ws = start_lab(test_course, "net-01", tmp_path / "ws", build, trainee_id="t-02", variant="t-02")
    monkeypatch.setenv("FKLAB_HOME", str(REPO))
    result = CliRunner().invoke(cli, ["--lang", "ru", "lab", "hint", "net-01", "domains", "--answers",
                                      str(ws.answers), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Считайте запросы" in result.output and "Подсказка 1 из 1" in result.output
    assert [r["question"] for r in load_answers(ws.answers).hints] == ["domains"]


def test_lab_hint_for_an_unknown_question_is_a_one_line_error(test_course, build, tmp_path: Path, monkeypatch):
    ws = start_lab(test_course, "net-01", tmp_path / "ws", build)
    monkeypatch.setenv("FKLAB_HOME", str(REPO))
    result = CliRunner().invoke(cli, ["lab", "hint", "net-01", "nope", "--answers", str(ws.answers), "-y"])
    assert result.exit_code == 1 and "no question 'nope'" in result.output


def _hint(ws_answers: Path, reply: str, lang: str = "en"):
    return CliRunner().invoke(cli, ["--lang", lang, "lab", "hint", "net-01", "domains", "--answers",
                                    str(ws_answers)], input=reply)


def test_hint_prompt_shows_the_cost_first_and_enter_means_no(test_course, build, tmp_path: Path, monkeypatch):
    ws = start_lab(test_course, "net-01", tmp_path / "ws", build)
    monkeypatch.setenv("FKLAB_HOME", str(REPO))
    result = _hint(ws.answers, "\n")
    assert result.exit_code == 0, result.output
    cost = _cost(test_course)
    assert cost > 0
    assert f"Hint 1 of 1 for domains costs {cost:g} point" in result.output and "[y/N]" in result.output
    assert "No hint taken" in result.output and "Count the queries" not in result.output
    assert load_answers(ws.answers).hints == []


def test_hint_prompt_takes_russian_da_and_asks_again_on_nonsense(test_course, build, tmp_path: Path, monkeypatch):
    ws = start_lab(test_course, "net-01", tmp_path / "ws", build)
    monkeypatch.setenv("FKLAB_HOME", str(REPO))
    result = _hint(ws.answers, "может быть\nд\n", "ru")
    assert result.exit_code == 0, result.output
    assert "Ответьте д (да) или н (нет)" in result.output and "[д/Н]" in result.output
    assert "балл" in result.output and "Считайте запросы" in result.output
    assert [r["question"] for r in load_answers(ws.answers).hints] == ["domains"]
    no = _hint(ws.answers, "н\n", "ru")  # already taken: shown again, free, without asking
    assert "[д/Н]" not in no.output and "баллы не снимаются" in no.output and "Считайте запросы" in no.output
    assert len(load_answers(ws.answers).hints) == 1


def test_russian_point_counts_use_plural_forms_and_a_decimal_comma():
    from forensics_kit.cli.text import tr

    assert "стоит 1 балл " in tr("hint_prompt", "ru", number=1, total=2, question="q", cost=1.0)
    assert "стоит 2 балла " in tr("hint_prompt", "ru", number=1, total=2, question="q", cost=2.0)
    assert "стоит 5 баллов " in tr("hint_prompt", "ru", number=1, total=2, question="q", cost=5.0)
    assert "стоит 0,5 балла " in tr("hint_prompt", "ru", number=1, total=2, question="q", cost=0.5)
    assert "costs 1 point " in tr("hint_prompt", "en", number=1, total=2, question="q", cost=1.0)
    assert "costs 0.5 points " in tr("hint_prompt", "en", number=1, total=2, question="q", cost=0.5)



def _cost(course) -> float:
    from grader.lab import load_lab

    return load_lab(course.labs / "net-01").question("domains").hints[0].cost


def test_feedback_and_templates_print_points_as_trainees_read_them():
    from grader.answers import _worth
    from grader.checkers import Outcome
    from grader.grade import LabResult, QuestionResult
    from grader.gradebook_write import feedback_html, feedback_markdown
    from grader.i18n import Message
    from grader.lab import Lab, Question

    question = Question("q1", {"en": "Which?", "ru": "Какой?"}, "set", 2.0)
    lab = Lab("x", Path("labs/x/lab.yaml"), {"en": "X", "ru": "Икс"}, {"en": "x"}, "beginner", 5, (), (), (question,))
    q = QuestionResult("q1", Outcome.PARTIAL, 2 / 3, 2.0, Message("x"))
    result = LabResult("x", None, "t-1", None, (q,))
    assert "0.67/2" in feedback_markdown(lab, result, "en") and "0,67/2" in feedback_html(lab, result, "ru")
    assert "0.666667" not in feedback_markdown(lab, result, "en")
    assert _worth(1, "ru") == "1 балл" and _worth(2, "ru") == "2 балла" and _worth(0.5, "en") == "0.5 points"
