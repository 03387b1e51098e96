"""Lab, key and answers files: shipped ones load, malformed ones fail with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.answers import answers_template, load_answers
from grader.errors import AnswerFileError, LabDefinitionError
from grader.key import load_key, lookup, resolve
from grader.lab import list_labs, load_lab

REPO = Path(__file__).resolve().parents[2]
LABS = sorted(p.parent.name for p in (REPO / "labs").glob("*/lab.yaml"))


def test_course_ships_the_foundation_labs() -> None:
    assert {"disk-01", "net-01"} <= set(LABS)


@pytest.mark.parametrize("lab_id", LABS)
def test_every_shipped_lab_and_key_load_and_are_bilingual(lab_id: str) -> None:
    lab = load_lab(REPO / "labs" / lab_id)
    key = load_key(REPO / "solutions" / lab_id / "key.yaml", lab)
    assert set(key.entries) == set(lab.question_ids)
    assert 6 <= len(lab.questions) <= 15  # disk-03: its 12 file-system questions and 3 on the Windows system
    for text in (lab.title, lab.summary, *lab.objectives, *(q.text for q in lab.questions)):
        assert text["en"].strip() and text["ru"].strip()
    assert all(q.hints for q in lab.questions), "every question has at least one hint"
    assert (lab.directory / "README.md").exists() and (lab.directory / "README.ru.md").exists()
    assert (REPO / "solutions" / lab_id / "solve.py").exists()


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def _lab_with(tmp_path: Path, question_type: str = "text", extra: str = "") -> Path:
    return _write(
        tmp_path,
        "lab-x/lab.yaml",
        f"""
id: lab-x
title: {{en: X, ru: Х}}
summary: {{en: X, ru: Х}}
difficulty: beginner
minutes: 30
objectives: [{{en: a, ru: б}}]
evidence: [{{dataset: disk-01, artefact: usb}}]
questions:
  - id: q1
    text: {{en: one, ru: один}}
    type: text
    points: 1
  - id: q3
    text: {{en: three, ru: три}}
    type: {question_type}
    points: 2
    {extra}
""",
    )


def test_unknown_answer_type_names_file_question_and_known_types(tmp_path: Path) -> None:
    with pytest.raises(LabDefinitionError) as info:
        load_lab(_lab_with(tmp_path, "sett"))
    message = str(info.value)
    assert "lab.yaml" in message and "question q3" in message and "'sett'" in message and "set," in message
    assert "\n" not in message


def test_unknown_key_in_a_question_is_rejected_with_its_place(tmp_path: Path) -> None:
    with pytest.raises(LabDefinitionError) as info:
        load_lab(_lab_with(tmp_path, "text", "colour: red"))
    assert "question q3" in str(info.value) and "colour" in str(info.value)


def test_invalid_yaml_in_a_lab_gives_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "lab-x/lab.yaml", "id: lab-x\ntitle: [\n")
    with pytest.raises(LabDefinitionError, match=r"lab.yaml: not valid YAML: line \d+"):
        load_lab(path)


def test_key_that_misses_a_question_is_rejected(tmp_path: Path) -> None:
    lab = load_lab(_lab_with(tmp_path))
    key = _write(tmp_path, "key.yaml", "lab: lab-x\nanswers:\n  q1: {expected: a}\n")
    with pytest.raises(LabDefinitionError, match="no expected answer for: q3"):
        load_key(key, lab)


def test_key_with_a_bad_checker_option_names_the_question(tmp_path: Path) -> None:
    lab = load_lab(_lab_with(tmp_path, "number"))
    key = _write(
        tmp_path, "key.yaml", "lab: lab-x\nanswers:\n  q1: {expected: a}\n  q3: {expected: 1, options: {tol: 1}}\n"
    )
    with pytest.raises(LabDefinitionError, match="question q3: .*tol"):
        load_key(key, lab)


def test_truth_references_resolve_through_dicts_and_lists() -> None:
    truth = {"items": {"a": {"sha256": "ab"}}, "artefacts": {"x": {"paths": ["/p", "/q"]}}}
    assert lookup(truth, "artefacts.x.paths.1") == "/q"
    assert resolve([{"truth": "items.a.sha256"}, "lit"], {"d": truth}, "d") == ["ab", "lit"]


def test_answers_keep_what_the_trainee_typed(tmp_path: Path) -> None:
    path = _write(tmp_path, "answers.yaml", "lab: lab-x\nanswers:\n  q1: 0x400\n  q3: 2024-03-01 10:00:00\n")
    sheet = load_answers(path)
    assert sheet.answers == {"q1": "0x400", "q3": "2024-03-01 10:00:00"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("lab: lab-x\nanswers: [\n", "not valid YAML: line"),
        ("lab: lab-x\nanswers:\n  q9: 1\n", "unknown question id(s) q9"),
        ("lab: other\nanswers: {}\n", "not 'lab-x'"),
        ("- just\n- a list\n", "expected a mapping"),
        ("lab: lab-x\nx: &a [1]\nanswers: {q1: *a}\n", "aliases"),
    ],
)
def test_malformed_answers_files_give_one_line_errors(tmp_path: Path, text: str, problem: str) -> None:
    lab = load_lab(_lab_with(tmp_path))
    path = _write(tmp_path, "answers.yaml", text)
    with pytest.raises(AnswerFileError) as info:
        load_answers(path, lab)
    assert problem in str(info.value) and "answers.yaml" in str(info.value) and "\n" not in str(info.value)


def test_custom_yaml_tags_in_answers_are_refused_never_executed(tmp_path: Path) -> None:
    lab = load_lab(_lab_with(tmp_path))
    marker = tmp_path / "pwned"
    path = _write(
        tmp_path, "answers.yaml", f"lab: lab-x\nanswers:\n  q1: !!python/object/apply:os.system [touch {marker}]\n"
    )
    with pytest.raises(AnswerFileError, match="tags such as"):
        load_answers(path, lab)
    assert not marker.exists()


def test_answers_file_that_is_not_utf8_or_too_large_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes("lab: x\nanswers: {q1: caf\xe9}\n".encode("latin-1"))
    with pytest.raises(AnswerFileError, match="not UTF-8"):
        load_answers(bad)
    big = tmp_path / "big.yaml"
    big.write_text("lab: x\n#" + "x" * (1 << 20) + "\n", "utf-8")
    with pytest.raises(AnswerFileError, match="too large"):
        load_answers(big)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_answers_template_parses_back_with_every_question_empty(tmp_path: Path, lang: str) -> None:
    lab = list_labs(REPO / "labs")[0]
    text = answers_template(lab, lang, trainee_name="Анна", trainee_id="t-1", evidence_sha256={"usb": "ab"})
    path = _write(tmp_path, "answers.yaml", text)
    sheet = load_answers(path, lab)
    assert sheet.trainee_name == "Анна" and sheet.trainee_id == "t-1"
    assert set(sheet.answers) == set(lab.question_ids)
    assert all(v in ("", None) for v in sheet.answers.values())
    assert lab.questions[0].text[lang] in text.replace("\n  # ", " ")


def test_key_with_an_invalid_literal_expected_value_is_rejected_at_load(tmp_path: Path) -> None:
    lab = load_lab(_lab_with(tmp_path, "regex"))
    key = _write(tmp_path, "key.yaml", "lab: lab-x\nanswers:\n  q1: {expected: a}\n  q3: {expected: '([a-z'}\n")
    with pytest.raises(LabDefinitionError, match="question q3"):
        load_key(key, lab)


def test_labs_are_listed_in_timetable_order_without_gaps() -> None:
    labs = list_labs(REPO / "labs")
    assert [lab.order for lab in labs] == list(range(1, len(labs) + 1))
    assert labs[0].id == "intro-01" and labs[-1].id == "case-01"
