"""Grading a class: every answers file in a folder or zip, one gradebook, feedback and a report.

One bad submission never stops the class: it gets a row with its error and the
others are graded as usual. Output (``gradebook.csv``, ``gradebook.json``,
``feedback/<trainee>.md|.html``, ``report.html``) is deterministic and written
atomically, only inside the gradebook folder, so re-running changes nothing
that did not change and never half-writes a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.analysis import copied_answers, identical_wrong_answers, identical_wrong_sets
from grader.answers import load_answers_bytes
from grader.course import Course
from grader.errors import GraderError
from grader.grade import LabResult, grade_sheet
from grader.gradebook_write import atomic_write, check_output_dir, write_gradebook
from grader.hints import course_secret, derive_key
from grader.lab import Lab
from grader.submissions import read_submissions
from grader.workflow import BuildFn, LabContext, find_lab, lab_key, open_lab

SUBMISSION_SUFFIXES = (".yaml", ".yml", ".json")
__all__ = ["Gradebook", "atomic_write", "grade_class", "read_roster", "valid_variant"]

_VARIANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def valid_variant(variant: str) -> bool:
    """A variant id is a short name (letters, digits, ``.``, ``_``, ``-``), never a path."""
    return bool(_VARIANT.fullmatch(variant)) and ".." not in variant


def read_roster(path: Path) -> list[str]:
    """Variant ids from a roster file: one per line (``#`` comments), or the first column of a CSV."""
    try:
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GraderError(f"{path}: unreadable roster: {exc}") from None
    out = []
    for line in text.splitlines():
        cell = line.split("#", 1)[0].split(",", 1)[0].strip().strip('"')
        if not cell or cell.lower() in ("variant", "trainee", "id"):
            continue
        if not valid_variant(cell):
            raise GraderError(f"{path}: roster: {cell[:40]!r} is not a variant id")
        out.append(cell)
    return out


@dataclass
class Gradebook:
    lab: str
    question_ids: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    results: list[LabResult] = field(default_factory=list)
    max_score: float = 0.0

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


_atomic_write = atomic_write  # older name, kept for callers


class _Grader:
    """Grades sheets of one lab, opening each variant's truth once."""

    def __init__(self, course: Course, lab: Lab, build: BuildFn, roster: Iterable[str] | None = None) -> None:
        self.course, self.lab, self.build = course, lab, build
        self.key = lab_key(course, lab)
        self.secret = course_secret(course)
        self.contexts: dict[str | None, LabContext] = {}
        self.roster = set(roster or ())

    def built(self, variant: str) -> bool:
        return all((self.course.build_dir(d, variant) / "truth.json").is_file() for d in self.lab.datasets)

    def context(self, variant: str | None) -> LabContext:
        """The variant's truth; a submission never makes the grader build evidence it was not asked to."""
        if variant not in self.contexts:
            if variant is not None:
                if not valid_variant(variant):
                    raise GraderError(f"variant {variant[:40]!r} is not a variant id (letters, digits, . _ -)")
                if variant not in self.roster and not self.built(variant):
                    raise GraderError(f"variant {variant!r} is neither built nor in the roster: not graded "
                                      "(build it, or list it with --roster)")
            self.contexts[variant] = open_lab(self.course, self.lab.id, variant, self.build)
        return self.contexts[variant]


def _row(name: str, lab: Lab) -> dict[str, Any]:
    return {"file": _short(name, 255), "trainee": None, "name": None, "variant": None, "lang": None, "score": 0.0,
            "max_score": lab.max_score, "percent": 0.0, "hints_used": 0, "hint_record": "none", "flags": [],
            "error": None}


def grade_class(
    course: Course, lab_id: str, submissions: Path, out_dir: Path, build: BuildFn, lang: str = "en",
    roster: Iterable[str] | None = None,
) -> Gradebook:
    """Grade every answers file in ``submissions`` (folder or zip); write the gradebook to ``out_dir``.

    Each submission is graded against the variant it names when that variant is built or listed
    in ``roster`` (roster variants are built if needed); any other gets an error row.
    """
    lab = find_lab(course, lab_id)
    check_output_dir(Path(out_dir))
    grader = _Grader(course, lab, build, roster)
    book = Gradebook(lab.id, lab.question_ids, max_score=lab.max_score)
    seen_ids: dict[str, str] = {}
    for submission in read_submissions(Path(submissions)):
        row = _row(submission.name, lab)
        row["submitted"] = submission.submitted
        book.rows.append(row)
        if submission.error:
            row["error"] = _short(submission.error, 300)
            continue
        try:
            result = _grade_one(grader, submission.name, submission.data or b"", row, seen_ids)
        except GraderError as exc:
            row["error"] = _short(_one_line(exc, submission.name), 300)
            continue
        except Exception as exc:  # noqa: BLE001 - one file never stops the class, whatever it holds
            row["error"] = f"could not be graded ({type(exc).__name__})"
            continue
        row["lang"] = row["lang"] or lang
        book.results.append(result)
        row.update(score=result.score, percent=round(result.percent, 2), hints_used=result.hints_used,
                   hint_record=result.hint_record,
                   questions={q.id: q.points for q in result.questions},
                   outcomes={q.id: q.outcome.value for q in result.questions})
        if result.hint_record == "tampered":
            row["flags"].append("hints_tampered")
    _flag_copies(book)
    _flag_other_variants(grader, book)
    write_gradebook(book, lab, Path(out_dir), lang)
    return book


def _grade_one(grader: _Grader, name: str, data: bytes, row: dict[str, Any], seen: dict[str, str]) -> LabResult:
    lab = grader.lab
    sheet = load_answers_bytes(data, name, lab)
    row.update(trainee=_short(sheet.trainee_id), name=_short(sheet.trainee_name), variant=_short(sheet.variant),
               lang=sheet.lang if sheet.lang in ("en", "ru") else None)
    if sheet.trainee_id and sheet.trainee_id in seen:
        raise GraderError(f"trainee id {sheet.trainee_id} already used by {seen[sheet.trainee_id]}")
    if sheet.trainee_id:
        seen[sheet.trainee_id] = name
    ctx = grader.context(sheet.variant)
    for artefact, digest in ctx.evidence_sha256().items():
        stated = sheet.evidence_sha256.get(artefact)
        if stated and stated.strip().lower() != digest:
            raise GraderError(f"answers were made on other evidence: {artefact} is not the evidence of variant "
                              f"{sheet.variant or 'default'} (evidence hash mismatch)")
    hint_key = derive_key(grader.secret, lab.id, sheet.variant)
    return grade_sheet(lab, grader.key, ctx.truths, sheet, hint_key=hint_key)


def _short(text: str | None, limit: int = 120) -> str | None:
    """A name as shown in the gradebook: printable and at most ``limit`` characters."""
    if text is None:
        return None
    text = "".join(c if c.isprintable() else "\ufffd" for c in str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(exc: Exception, name: str) -> str:
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    return text.split(": ", 1)[1] if text.startswith(name + ": ") else text


def _flag_copies(book: Gradebook) -> None:
    graded = [row for row in book.rows if not row["error"]]
    shown = [(_who(row), result) for row, result in zip(graded, book.results, strict=True)]
    flagged = identical_wrong_answers(shown)
    same_sets = identical_wrong_sets(shown)
    for row in graded:
        others = flagged.get(_who(row))
        if others:
            row["flags"].append("identical_wrong:" + ",".join(others))
        twins = same_sets.get(_who(row))
        if twins:
            row["flags"].append("identical_wrong_set:" + ",".join(twins))


def _flag_other_variants(grader: _Grader, book: Gradebook) -> None:
    """Flag wrong answers that are right for another variant's evidence, per question and per trainee."""
    others: dict[str | None, dict[str, Any]] = {}
    for variant in sorted(grader.roster | {v for v in grader.contexts if v is not None}):
        try:
            others[variant] = grader.context(variant).truths
        except Exception:  # noqa: BLE001 - a variant that cannot be opened is simply not compared
            continue
    if None in grader.contexts:
        others[None] = grader.contexts[None].truths
    if len(others) < 2:
        return
    graded = [row for row in book.rows if not row["error"]]
    for row, result in zip(graded, book.results, strict=True):
        matches = copied_answers(grader.lab, grader.key, result, others)
        if not matches:
            continue
        row["matches"] = matches
        by_variant: dict[str, list[str]] = {}
        for qid, variant in matches.items():
            by_variant.setdefault(variant, []).append(qid)
        for variant, qids in sorted(by_variant.items()):
            row["flags"].append(f"matches_variant:{variant}:{'+'.join(qids)}")


def _who(row: dict[str, Any]) -> str:
    return str(row["trainee"] or row["file"])
