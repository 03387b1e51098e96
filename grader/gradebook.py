"""Grading a class: every answers file in a folder, one gradebook (CSV and JSON).

One bad submission never stops the class: it gets a row with its error and the
others are graded as usual. Files are written atomically (temporary file, then
rename) and only inside the gradebook folder.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.answers import load_answers
from grader.course import Course
from grader.errors import GraderError
from grader.grade import LabResult
from grader.workflow import BuildFn, find_lab, grade_lab_sheet

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Gradebook:
    lab: str
    question_ids: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    results: list[LabResult] = field(default_factory=list)

    def success_rates(self) -> dict[str, float]:
        """Share of graded submissions that got each question fully right."""
        rates = {}
        for qid in self.question_ids:
            outcomes = [q.outcome.value for r in self.results for q in r.questions if q.id == qid]
            rates[qid] = outcomes.count("correct") / len(outcomes) if outcomes else 0.0
        return rates

    def summary(self) -> dict[str, Any]:
        return {
            "lab": self.lab,
            "submissions": len(self.rows),
            "graded": len(self.results),
            "errors": sum(1 for r in self.rows if r.get("error")),
            "success_rates": self.success_rates(),
            "rows": self.rows,
        }


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def grade_class(
    course: Course, lab_id: str, submissions: Path, out_dir: Path, build: BuildFn, lang: str = "en"
) -> Gradebook:
    """Grade every answers file directly inside ``submissions``; write the gradebook to ``out_dir``."""
    lab = find_lab(course, lab_id)
    book = Gradebook(lab.id, lab.question_ids)
    seen_ids: dict[str, str] = {}
    for path in sorted(
        p for p in Path(submissions).iterdir() if p.suffix.lower() in SUBMISSION_SUFFIXES and p.is_file()
    ):
        row: dict[str, Any] = {
            "file": path.name,
            "trainee": None,
            "name": None,
            "variant": None,
            "score": 0.0,
            "max_score": lab.max_score,
            "error": None,
        }
        try:
            sheet = load_answers(path, lab)
            row.update(trainee=sheet.trainee_id, name=sheet.trainee_name, variant=sheet.variant)
            if sheet.trainee_id and sheet.trainee_id in seen_ids:
                raise GraderError(f"trainee id {sheet.trainee_id} already used by {seen_ids[sheet.trainee_id]}")
            if sheet.trainee_id:
                seen_ids[sheet.trainee_id] = path.name
            result = grade_lab_sheet(course, sheet, build)
        except GraderError as exc:
            row["error"] = str(exc).splitlines()[0]
            book.rows.append(row)
            continue
        book.results.append(result)
        row["score"] = result.score
        row["questions"] = {q.id: q.points for q in result.questions}
        row["outcomes"] = {q.id: q.outcome.value for q in result.questions}
        book.rows.append(row)
    _write(book, Path(out_dir), lang)
    return book


def _write(book: Gradebook, out_dir: Path, lang: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["file", "trainee", "name", "variant", "score", "max_score", *book.question_ids, "error"])
    for row in book.rows:
        points = row.get("questions", {})
        writer.writerow(
            [
                row["file"],
                row["trainee"] or "",
                row["name"] or "",
                row["variant"] or "",
                row["score"],
                row["max_score"],
                *(points.get(q, "") for q in book.question_ids),
                row["error"] or "",
            ]
        )
    _atomic_write(out_dir / "gradebook.csv", buffer.getvalue())
    document = {**book.summary(), "lang": lang, "results": [r.to_dict(lang) for r in book.results]}
    _atomic_write(out_dir / "gradebook.json", json.dumps(document, ensure_ascii=False, indent=2) + "\n")
