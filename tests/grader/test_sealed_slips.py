"""The sealed self-check keeps the kinds of slip, checks tolerant numbers, and refuses hostile sealed keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.answers import parse_answers
from grader.checkers import Outcome
from grader.errors import GraderError
from grader.grade import grade_sheet
from grader.key import AnswerKey, KeyEntry
from grader.lab import EvidenceRef, Lab, Question
from grader.sealed import FORMAT, grade_sealed, load_sealed, seal_lab

SECRET = b"test secret"
QUESTIONS = {  # id: (type, points, expected, options)
    "when": ("timestamp", 1, "2024-03-01T10:00:05Z", {"tolerance": 1}),
    "lat": ("number", 1, 55.7512, {"abs_tol": 0.0005}),
    "rate": ("number", 1, 20.0, {"rel_tol": 0.08}),
    "start": ("offset", 1, 1048576, {}),
    "file": ("path", 1, "/Docs/invoice.pdf", {"fs": "fat16"}),
    "home": ("path", 1, "/home/sergey/.bash_history", {"fs": "ext4"}),
    "pw": ("text", 1, "Forge-9434-CO87", {"kind": "password"}),
    "name": ("text", 2, "invoice.pdf", {"kind": "filename", "fs": "fat16"}),
    "hosts": ("set", 2, ["a.example.net", "b.example.net"], {"item_type": "domain"}),
}


def _lab() -> Lab:
    questions = tuple(Question(qid, {"en": "?"}, t, float(p)) for qid, (t, p, _, _) in QUESTIONS.items())
    return Lab("toy", Path("labs/toy/lab.yaml"), {"en": "t"}, {"en": "t"}, "beginner", 5, (),
               (EvidenceRef("d", "a"),), questions)


def _key() -> AnswerKey:
    return AnswerKey("toy", Path("k.yaml"), {q: KeyEntry(q, e, o) for q, (_, _, e, o) in QUESTIONS.items()})


@pytest.fixture(scope="module")
def sealed() -> dict:
    return seal_lab(_lab(), _key(), {"d": {}}, None, SECRET, {})


def _both(sealed: dict, answers: dict):
    lab = _lab()
    sheet = parse_answers({"lab": "toy", "answers": answers}, "a.yaml", lab)
    return grade_sheet(lab, _key(), {"d": {}}, sheet), grade_sealed(lab, sealed, sheet)


def _reason_keys(result, qid: str) -> list[str]:
    reason = next(q for q in result.questions if q.id == qid).reason
    return [p.key for p in reason.params.get("parts", [])] or [reason.key]


def test_right_answers_in_tool_notations_are_right_sealed_as_with_the_plain_key(sealed):
    answers = {"when": "Fri Mar  1 13:00:05 2024 MSK" if False else "2024-03-01 13:00:05 (MSK)", "lat": "55.7514",
               "rate": "21.2", "start": "2048 sectors", "file": "C:\\DOCS\\_NVOICE.PDF",
               "home": "/home/sergey/.bash_history", "pw": "Forge-9434-CO87", "name": "INVOICE.PDF",
               "hosts": ["A.example.net.", "b.example.net"]}
    plain, offline = _both(sealed, answers)
    assert [(q.id, q.outcome, q.points) for q in offline.questions] == [(q.id, q.outcome, q.points)
                                                                         for q in plain.questions]
    assert all(q.outcome is Outcome.CORRECT for q in offline.questions), offline.to_dict()


def test_numbers_with_a_tolerance_are_self_checked_sealed(sealed):
    for value, outcome in (("55.7516", Outcome.CORRECT), ("55.7530", Outcome.WRONG), ("55,7509", Outcome.CORRECT)):
        plain, offline = _both(sealed, {"lat": value})
        assert next(q for q in offline.questions if q.id == "lat").outcome is outcome
        assert next(q for q in plain.questions if q.id == "lat").outcome is outcome
        assert not next(q for q in offline.questions if q.id == "lat").pending


def test_sealed_reasons_keep_the_kind_of_slip(sealed):
    _, offline = _both(sealed, {"when": "2024-03-01 10:00:05 (MSK)", "start": "2048", "file": "/Other/invoice.pdf",
                                "home": "/HOME/SERGEY/.bash_history", "pw": "forge-9434-co87",
                                "name": "/Docs/invoice.pdf"})
    assert "time.off_hours" in _reason_keys(offline, "when")
    assert _reason_keys(offline, "start") == ["offset.unit_slip"]
    assert _reason_keys(offline, "file") == ["path.wrong_folder"]
    assert _reason_keys(offline, "home") == ["path.case_differs"]
    assert _reason_keys(offline, "pw") == ["text.case_differs"]
    name = next(q for q in offline.questions if q.id == "name")
    assert (name.outcome, name.points, name.reason.key) == (Outcome.PARTIAL, 1.0, "asked.file_name")


def test_a_huge_list_is_judged_sealed_without_hashing_every_item(sealed):
    import time

    start = time.perf_counter()
    _, offline = _both(sealed, {"hosts": [f"h{i}.example.net" for i in range(60_000)]})
    assert time.perf_counter() - start < 2
    assert next(q for q in offline.questions if q.id == "hosts").outcome is Outcome.WRONG


def test_the_sealed_key_shows_no_answer_and_no_file_system_name(sealed):
    text = json.dumps(sealed).casefold()
    for _, _, expected, _ in QUESTIONS.values():
        for item in expected if isinstance(expected, list) else [expected]:
            assert str(item).casefold() not in text
    assert "fat16" not in text and '"vfat"' in text


@pytest.mark.parametrize("damage", [
    lambda d: d.pop("kdf"),
    lambda d: d["questions"]["when"].pop("mode"),
    lambda d: d["questions"]["when"].update(salt="not hex at all!!"),
    lambda d: d["questions"]["when"].update(hashes="abc"),
    lambda d: d["questions"]["when"].update(options=["x"]),
    lambda d: d["questions"]["hosts"].update(items="2"),
    lambda d: d["questions"]["hosts"].update(groups=[["zz"]]),
    lambda d: d["questions"]["lat"].update(step=0),
    lambda d: d["questions"]["when"].update(type="regex"),
    lambda d: d.update(kdf={"name": "scrypt", "n": 2**30, "r": 8, "p": 1, "dklen": 16}),
    lambda d: d.update(questions=[]),
    lambda d: d.update(hint_key="xyz"),
    lambda d: d["questions"]["pw"].update(options={"kind": "colour"}),
])
def test_hostile_sealed_keys_are_one_line_errors(sealed, tmp_path, damage):
    document = json.loads(json.dumps(sealed))
    damage(document)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(GraderError) as caught:
        load_sealed(path, _lab())
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 300


@pytest.mark.parametrize("content", [b"[" * 100_000, b'{"format": "' + FORMAT.encode() + b'"' + b" " * (9 << 20) + b"}",
                                     b"\xff\xfe", b"null", b'{"format": 1}'])
def test_deep_huge_or_garbled_sealed_files_are_one_line_errors(tmp_path, content):
    path = tmp_path / "s.json"
    path.write_bytes(content)
    with pytest.raises(GraderError) as caught:
        load_sealed(path, _lab())
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("content", [b"[" * 100_000, b'{"hint_key": "zz"}', b'{"hint_key": 5}', b"{}",
                                     b'{"hint_key": "' + b"ab" * 4 + b'"}'])
def test_the_hint_key_of_a_hostile_sealed_key_is_a_one_line_error(tmp_path, content):
    from grader.course import Course
    from grader.hints import hint_key_for

    (tmp_path / "labs").mkdir()
    (tmp_path / "datasets").mkdir()
    folder = tmp_path / "solutions" / "toy" / "sealed"
    folder.mkdir(parents=True)
    (folder / "default.json").write_bytes(content)
    with pytest.raises(GraderError) as caught:
        hint_key_for(Course(tmp_path), "toy", None)
    assert "\n" not in str(caught.value)
