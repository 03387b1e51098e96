"""A class of 30 synthetic submissions graded end to end, against a golden gradebook.

Right, wrong, partly right, malformed (not YAML, not UTF-8, too large, alias bomb,
custom tag, wrong types, unknown question, duplicate id, another lab, other
evidence) and tampered-hint submissions; each bad one is an error row, the rest
are graded, re-running writes the same bytes, nothing lands outside the folder.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from grader.gradebook import grade_class
from grader.hints import DEFAULT_SECRET, derive_key, new_record
from grader.workflow import run_solver, solution_document

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FKLAB_UPDATE_GOLDEN") == "1"


def _dump(document: dict) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


def _class(reference: dict) -> dict[str, bytes]:
    """30 submissions by file name."""
    answers = reference["answers"]
    subs: dict[str, bytes] = {}

    def sheet(i: int, given: dict, **extra) -> dict:
        return {"lab": "net-01", "trainee": {"name": f"Trainee {i:02d}", "id": f"t-{i:02d}"},
                "variant": None, "evidence_sha256": reference["evidence_sha256"], "answers": given, **extra}

    for i in range(1, 9):  # right
        subs[f"t-{i:02d}.yaml"] = _dump(sheet(i, answers, lang="ru" if i % 2 else "en"))
    for i in range(9, 15):  # partly right: lose more as i grows
        given = dict(answers)
        for qid in list(answers)[: i - 8]:
            given[qid] = f"wrong-value-{i}" if qid != "domains" else answers["domains"][:-1]
        subs[f"t-{i:02d}.yaml"] = _dump(sheet(i, given))
    for i in (15, 16):  # identical rare wrong answers on several questions
        subs[f"t-{i:02d}.yaml"] = _dump(sheet(i, {**answers, "packets": "9999", "resolver_ip": "10.66.66.66",
                                                  "download_uri": "/copied.bin"}))
    subs["t-17.yaml"] = _dump(sheet(17, {}))  # nothing answered
    key = derive_key(DEFAULT_SECRET, "net-01", None)
    when = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    hints = [new_record(key, [], "domains", 1, when)]
    hints.append(new_record(key, hints, "packets", 1, when))
    subs["t-18.yaml"] = _dump(sheet(18, answers, hints=hints))  # honest hints: cost deducted
    tampered = [dict(h) for h in hints]
    tampered[0]["question"] = "download_uri"
    subs["t-19.yaml"] = _dump(sheet(19, answers, hints=tampered))
    subs["t-20.yaml"] = _dump(sheet(20, {**answers, "download_frame": f"frame {answers['download_frame']}",
                                         "download_sha256": answers["download_sha256"].upper()}))
    # malformed
    subs["x-21-not-yaml.yaml"] = b"lab: net-01\nanswers: [unclosed\n"
    subs["x-22-latin1.yaml"] = "lab: net-01\nanswers: {packets: 'caf\xe9'}\n".encode("latin-1")
    subs["x-23-huge.yaml"] = b"lab: net-01\nanswers:\n  packets: '" + b"1" * (1 << 20) + b"'\n"
    subs["x-24-bomb.yaml"] = b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\nlab: net-01\nanswers: {}\n"
    subs["x-25-tag.yaml"] = b"lab: net-01\nanswers: !!python/object/apply:os.system ['echo owned']\n"
    subs["x-26-types.yaml"] = b"lab: net-01\nanswers: {packets: {nested: 1}}\n"
    subs["x-27-unknown-q.yaml"] = _dump(sheet(27, {"packetz": "3"}))
    subs["x-28-duplicate.yaml"] = _dump(sheet(1, answers))
    subs["x-29-other-lab.yaml"] = _dump({**sheet(29, {}), "lab": "disk-01"})
    subs["x-30-other-evidence.yaml"] = _dump({**sheet(30, answers), "evidence_sha256": {"capture": "ab" * 32}})
    return subs


@pytest.fixture(scope="module")
def reference(test_course, build) -> dict:
    return solution_document(*run_solver(test_course, "net-01", None, build))


@pytest.fixture(scope="module")
def graded(test_course, build, reference, tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    subs = root / "subs"
    subs.mkdir()
    for name, data in _class(reference).items():
        (subs / name).write_bytes(data)
    out = root / "out"
    book = grade_class(test_course, "net-01", subs, out, build, lang="en")
    return root, subs, out, book


def test_class_of_thirty_gives_exactly_the_golden_gradebook(graded):
    _, _, out, book = graded
    assert len(book.rows) == 30
    golden = GOLDEN / "net-01-class30.csv"
    text = (out / "gradebook.csv").read_text("utf-8")
    if UPDATE:
        golden.write_text(text, "utf-8")
    assert text == golden.read_text("utf-8")


def test_each_bad_submission_is_one_error_row_and_the_others_are_graded(graded):
    _, _, _, book = graded
    errors = {row["file"]: row["error"] for row in book.rows if row["error"]}
    assert sorted(errors) == sorted(name for name in errors if name.startswith("x-"))
    assert len(errors) == 10 and len(book.results) == 20
    expect = {"x-21": "not valid YAML", "x-22": "not UTF-8", "x-23": "too large", "x-24": "aliases",
              "x-25": "tags such as", "x-26": "packets", "x-27": "unknown question", "x-28": "already used",
              "x-29": "not 'net-01'", "x-30": "evidence hash mismatch"}
    for name, error in errors.items():
        assert expect[name[:4]] in error, (name, error)


def test_hints_cost_points_and_tampering_and_copying_are_flagged(graded):
    _, _, _, book = graded
    rows = {row["trainee"]: row for row in book.rows if not row["error"]}
    assert rows["t-18"]["score"] == 11 - 0.5 - 0.25 and rows["t-18"]["hint_record"] == "ok"
    assert rows["t-19"]["flags"] == ["hints_tampered"]
    assert rows["t-15"]["flags"] == ["identical_wrong:t-16", "identical_wrong_set:t-16"]
    assert rows["t-16"]["flags"] == ["identical_wrong:t-15", "identical_wrong_set:t-15"]
    assert rows["t-20"]["score"] == 11


def test_feedback_is_written_per_trainee_in_their_language(graded):
    _, _, out, _ = graded
    assert "Итог: 11 из 11" in (out / "feedback" / "t-01.md").read_text("utf-8")
    assert "Score: 11 of 11" in (out / "feedback" / "t-02.md").read_text("utf-8")
    assert (out / "feedback" / "t-01.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert len(list((out / "feedback").glob("*.md"))) == 20


def test_rerun_writes_the_same_bytes_and_nothing_outside_the_gradebook(test_course, build, graded):
    root, subs, out, _ = graded
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    grade_class(test_course, "net-01", subs, out, build, lang="en")
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert before == after
    assert sorted(p.name for p in root.iterdir()) == ["out", "subs"]
    document = json.loads((out / "gradebook.json").read_text("utf-8"))
    assert document["graded"] == 20 and len(document["questions"]) == 9


def test_zip_submissions_read_in_memory_with_traversal_and_bombs_refused(test_course, build, reference, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("class/t-01.yaml", _dump({"lab": "net-01", "trainee": {"id": "z-1"},
                                                   "answers": reference["answers"]}))
        archive.writestr("../../escape.yaml", b"lab: net-01\nanswers: {}\n")
        archive.writestr("/abs.yaml", b"lab: net-01\nanswers: {}\n")
        archive.writestr("bomb.yaml", b"lab: net-01\nanswers: {packets: '" + b"0" * 900_000 + b"'}\n")
        archive.writestr("notes.txt", b"ignored")
    zipped = tmp_path / "class.zip"
    zipped.write_bytes(buffer.getvalue())
    book = grade_class(test_course, "net-01", zipped, tmp_path / "out", build)
    rows = {row["file"]: row for row in book.rows}
    assert rows["class/t-01.yaml"]["score"] == 11
    assert "unsafe file name" in rows["../../escape.yaml"]["error"]
    assert "unsafe file name" in rows["/abs.yaml"]["error"]
    assert "zip bomb" in rows["bomb.yaml"]["error"]
    assert "notes.txt" not in rows
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.zip", "out"]
