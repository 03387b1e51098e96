"""Grader speed: a class of 1,000 on a 20-question lab (gradebook, feedback and report included),
the sealed-key self-check of one lab, a 60,000-item list answer checked sealed and with the plain
key, and 5,000 submissions read from one zip. There is no standard tool to compare with (theirs_s None).

Everything is generated in the bench folder: a course with one synthetic lab, its key, a fake
build with truth.json, and 1,000 answers files (right, partly right and wrong answers by skill).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import resource
import time
import zipfile
from pathlib import Path

import yaml

from grader.answers import load_answers, parse_answers
from grader.course import Course
from grader.grade import grade_sheet
from grader.gradebook import grade_class
from grader.hints import course_secret
from grader.key import load_key
from grader.lab import load_lab
from grader.sealed import grade_sealed, seal_lab

LAB = "bench-01"
TYPES = ["integer", "ip", "hash", "text", "set", "timestamp", "path", "mac", "location", "offset"]


def _expected(kind: str, i: int) -> object:
    return {
        "integer": 1000 + i, "ip": f"10.0.{i}.7", "hash": hashlib.sha256(str(i).encode()).hexdigest(),
        "text": f"answer-{i}", "set": [f"h{i}-{k}.example" for k in range(5)],
        "timestamp": f"2024-03-01T10:{i:02d}:00Z", "path": f"/Docs/file{i}.txt", "mac": f"00:1a:2b:3c:4d:{i:02x}",
        "location": 50 + i, "offset": 512 * (2048 + i),
    }[kind]


def _course(root: Path) -> tuple[Course, dict]:
    (root / "labs" / LAB).mkdir(parents=True)
    (root / "datasets" / "build" / LAB / "default").mkdir(parents=True)
    (root / "solutions" / LAB).mkdir(parents=True)
    text = {"en": "Question", "ru": "Вопрос"}
    questions, key, truth = [], {}, {"artefacts": {"image": {"file": "image.dd", "sha256": "0" * 64}}, "q": {}}
    for i in range(20):
        kind = TYPES[i % len(TYPES)]
        questions.append({"id": f"q{i:02d}", "text": text, "type": kind, "points": 2,
                          "hints": [{"text": text, "cost": 0.5}]})
        truth["q"][f"q{i:02d}"] = _expected(kind, i)
        key[f"q{i:02d}"] = {"expected": {"truth": f"q.q{i:02d}"}, **({"options": {"kind": "frame"}}
                                                                      if kind == "location" else {})}
    lab = {"id": LAB, "title": text, "summary": text, "difficulty": "beginner", "minutes": 60,
           "objectives": [text], "evidence": [{"dataset": LAB, "artefact": "image"}], "questions": questions}
    (root / "labs" / LAB / "lab.yaml").write_text(yaml.safe_dump(lab, allow_unicode=True), "utf-8")
    (root / "labs" / LAB / "README.md").write_text("bench\n", "utf-8")
    (root / "solutions" / LAB / "key.yaml").write_text(yaml.safe_dump({"lab": LAB, "answers": key}), "utf-8")
    (root / "datasets" / "build" / LAB / "default" / "truth.json").write_text(json.dumps(truth), "utf-8")
    return Course(root), truth


def _submissions(folder: Path, truth: dict, count: int = 1000) -> None:
    rng = random.Random(7)
    folder.mkdir()
    for n in range(count):
        skill = rng.random()
        answers = {}
        for qid, value in truth["q"].items():
            if rng.random() < skill:
                answers[qid] = value if not isinstance(value, int) else str(value)
            elif rng.random() < 0.5:
                answers[qid] = f"wrong-{rng.randrange(40)}"
        document = {"lab": LAB, "trainee": {"id": f"t-{n:04d}", "name": f"Trainee {n}"}, "answers": answers}
        (folder / f"t-{n:04d}.yaml").write_text(yaml.safe_dump(document), "utf-8")


def _zip_class(path: Path, truth: dict, count: int) -> None:
    """``count`` answers files (as ``_submissions`` makes them) in one deflated zip, written in memory."""
    folder = path.with_suffix("")
    _submissions(folder, truth, count)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(folder.iterdir()):
            archive.writestr(member.name, member.read_bytes())
    path.write_bytes(buffer.getvalue())


def run(workdir: Path) -> list[dict]:
    course, truth = _course(workdir / "course")
    _submissions(workdir / "subs", truth)

    def build(case: str, variant: str | None) -> Path:
        return course.build_dir(case, variant)

    start = time.perf_counter()
    book = grade_class(course, LAB, workdir / "subs", workdir / "out", build)
    class_s = time.perf_counter() - start
    assert len(book.results) == 1000 and (workdir / "out" / "report.html").exists()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lab = load_lab(course.labs / LAB)
    sealed = seal_lab(lab, load_key(course.solutions / LAB / "key.yaml", lab), {LAB: truth}, None,
                      course_secret(course), {})
    sheet = load_answers(workdir / "subs" / "t-0000.yaml", lab)
    start = time.perf_counter()
    result = grade_sealed(lab, sealed, sheet)
    sealed_s = time.perf_counter() - start
    # One answer of 60,000 items (a hostile or careless list) to the set question, sealed and plain.
    big = load_answers(workdir / "subs" / "t-0000.yaml", lab)
    big_answers = dict(big.answers)
    big_answers["q04"] = [f"host{i}.example" for i in range(60_000)]
    big_sheet = parse_answers({"lab": LAB, "answers": big_answers}, "big.yaml", lab)
    start = time.perf_counter()
    big_sealed = grade_sealed(lab, sealed, big_sheet)
    big_sealed_s = time.perf_counter() - start
    key = load_key(course.solutions / LAB / "key.yaml", lab)
    start = time.perf_counter()
    big_plain = grade_sheet(lab, key, {LAB: truth}, big_sheet)
    big_plain_s = time.perf_counter() - start
    q04 = [q for q in big_plain.questions if q.id == "q04"][0]
    assert q04.points == 0 and [q for q in big_sealed.questions if q.id == "q04"][0].points == 0

    # 5,000 submissions in one zip.
    zipped = workdir / "class5000.zip"
    _zip_class(zipped, truth, 5000)
    start = time.perf_counter()
    book5 = grade_class(course, LAB, zipped, workdir / "out5000", build)
    zip_s = time.perf_counter() - start
    assert len(book5.rows) == 5000 and len(book5.results) == 5000
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        {"name": "sealed self-check: one answer of 60,000 items", "ours_s": round(big_sealed_s, 3), "theirs_s": None,
         "tool": "-", "ratio": None, "goal": "< 2 s", "met": big_sealed_s < 2, "peak_rss_mib": round(rss, 1),
         "note": "the 20-question sheet with q04 a 60,000-item list"},
        {"name": "plain-key grading: one answer of 60,000 items", "ours_s": round(big_plain_s, 3), "theirs_s": None,
         "tool": "-", "ratio": None, "goal": "< 2 s", "met": big_plain_s < 2, "peak_rss_mib": round(rss, 1),
         "note": "the same sheet with the plain key"},
        {"name": "grade class: 5,000 submissions in one zip + report", "ours_s": round(zip_s, 3), "theirs_s": None,
         "tool": "-", "ratio": None, "goal": "< 30 s", "met": zip_s < 30, "peak_rss_mib": round(rss, 1),
         "note": f"{len(book5.results)} graded, feedback files and report.html written"},
        {"name": "grade class: 1,000 x 20 questions + report", "ours_s": round(class_s, 3), "theirs_s": None,
         "tool": "-", "ratio": None, "goal": "< 10 s", "met": class_s < 10, "peak_rss_mib": round(rss, 1),
         "note": f"{len(book.results)} graded, feedback files and report.html written"},
        {"name": "sealed self-check: one lab of 20 questions", "ours_s": round(sealed_s, 3), "theirs_s": None,
         "tool": "-", "ratio": None, "goal": "< 2 s", "met": sealed_s < 2, "peak_rss_mib": round(rss, 1),
         "note": f"scrypt n=2**14 per answer given; score {result.score:g}/{result.max_score:g}"},
    ]
