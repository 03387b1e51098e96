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
