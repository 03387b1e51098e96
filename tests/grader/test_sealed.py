"""Sealed keys: offline self-check gives the instructor's outcomes and points, and hides the answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.answers import parse_answers
from grader.course import Course
from grader.grade import grade_sheet
from grader.hints import course_secret
from grader.key import AnswerKey, KeyEntry
from grader.lab import Lab, Question
from grader.sealed import grade_sealed, load_sealed, seal_lab, sealed_path
from grader.workflow import lab_key, open_lab, run_solver, seal, solution_document

REPO = Path(__file__).resolve().parents[2]
LABS = tuple(sorted(p.parent.name for p in (REPO / "labs").glob("*/lab.yaml")))
VARIANTS = (None, "trainee-a")
# Every shipped lab's default evidence, and a trainee's variant of the two foundation labs
# (sealing is deliberately slow, so not every lab twice).
CASES = [(lab, None) for lab in LABS] + [("disk-01", "trainee-a"), ("net-01", "trainee-a")]


@pytest.fixture(scope="module")
def sealed_root(test_course: Course, build, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sealed")
    for lab, variant in CASES:
        seal(test_course, lab, variant, build, root)
    return root


@pytest.fixture(scope="module")
def references(test_course: Course, build) -> dict:
    return {(lab, v): solution_document(*run_solver(test_course, lab, v, build)) for lab in LABS for v in VARIANTS}



def _wrong_versions(document: dict, other: dict) -> list[dict]:
    """Plausible mistakes: another trainee's answers, one-off numbers, shifted times, partial sets."""
    answers = document["answers"]
    versions = [{**document, "answers": other["answers"]}]
    bent: dict = {}
    for qid, value in answers.items():
        if isinstance(value, list):
            bent[qid] = [*value[:-1], "extra.example"] if len(value) > 1 else ["extra.example"]
        elif value.isdigit():
            bent[qid] = str(int(value) + 1)
        elif value[:4].isdigit() and "T" in value:
            bent[qid] = value.replace(":00Z", ":03Z").replace(":00+00:00", ":03+00:00")
        else:
            bent[qid] = value.upper() if value.lower() != value.upper() else value + "0"
    versions.append({**document, "answers": bent})
    versions.append({**document, "answers": {qid: "" for qid in answers}})
    return versions


@pytest.mark.parametrize(("lab_id", "variant"), CASES)
def test_sealed_self_check_equals_instructor_grading(test_course, build, sealed_root, references, lab_id, variant):
    ctx = open_lab(test_course, lab_id, variant, build)
    key = lab_key(test_course, ctx.lab)
    sealed = load_sealed(sealed_path(sealed_root, lab_id, variant), ctx.lab)
    other = references[lab_id, "trainee-a" if variant is None else None]
    documents = [references[lab_id, variant], *_wrong_versions(references[lab_id, variant], other)]
    for document in documents:
        sheet = parse_answers(document, "answers.yaml", ctx.lab)
        plain = grade_sheet(ctx.lab, key, ctx.truths, sheet)
        offline = grade_sealed(ctx.lab, sealed, sheet)
        pending = {q.id for q in offline.questions if q.pending}
        instructor = {qid for qid, spec in sealed["questions"].items() if spec["mode"] == "instructor"}
        assert pending == {qid for qid in instructor if sheet.answers.get(qid)}
        assert [(q.id, q.outcome, q.points) for q in offline.questions if q.id not in pending] == \
            [(q.id, q.outcome, q.points) for q in plain.questions if q.id not in pending], document["answers"]
    reference = grade_sealed(ctx.lab, sealed, parse_answers(documents[0], "a.yaml", ctx.lab))
    assert all(q.outcome.value == "correct" for q in reference.questions if not q.pending)


def test_sealed_key_holds_no_expected_value_in_plain(sealed_root, references):
    for lab, variant in CASES:
        document = references[lab, variant]
        text = sealed_path(sealed_root, lab, variant).read_text("utf-8").casefold()
        for qid in document["answers"]:  # question ids are structure, not answers ("ntfs_start")
            text = text.replace(f'"{qid.casefold()}"', "")
        for value in document["answers"].values():
            for item in value if isinstance(value, list) else [value]:
                if len(item) >= 4:
                    assert item.casefold() not in text, (lab, item)


def test_sealing_is_deterministic(test_course, build, sealed_root, tmp_path):
    again = seal(test_course, "net-01", None, build, tmp_path)
    assert again.read_bytes() == sealed_path(sealed_root, "net-01", None).read_bytes()


def test_questions_that_cannot_be_sealed_are_left_to_the_instructor(test_course):
    lab = Lab("toy", Path("labs/toy/lab.yaml"), {"en": "t"}, {"en": "t"}, "beginner", 5, (), (),
              (Question("order", {"en": "?"}, "ordered", 2.0), Question("word", {"en": "?"}, "regex", 1.0),
               Question("port", {"en": "?"}, "integer", 1.0)))
    object.__setattr__(lab, "evidence", ())
    key = AnswerKey("toy", Path("k.yaml"), {"order": KeyEntry("order", ["a", "b"]), "word": KeyEntry("word", "x+"),
                                              "port": KeyEntry("port", 4444)})
    sealed = seal_lab(_one_dataset(lab), key, {"d": {}}, None, course_secret(test_course), {})
    assert [q["mode"] for q in sealed["questions"].values()] == ["instructor", "instructor", "exact"]
    sheet = parse_answers({"lab": "toy", "answers": {"order": ["a", "b"], "word": "xx", "port": "4444"}}, "a", lab)
    result = grade_sealed(lab, sealed, sheet)
    assert [q.pending for q in result.questions] == [True, True, False]
    assert result.to_dict()["questions"][0]["result"] == "pending" and result.score == 1


def _one_dataset(lab: Lab) -> Lab:
    from grader.lab import EvidenceRef

    object.__setattr__(lab, "evidence", (EvidenceRef("d", "a"),))
    return lab
