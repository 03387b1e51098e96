"""Grading one answers file against a lab, its key and the dataset truth.

A malformed answer never stops grading: the checker returns ``wrong`` or
``missing`` with a reason, and the other questions are graded as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.answers import AnswerSheet
from grader.checkers import CheckResult, Outcome
from grader.errors import GraderError
from grader.hints import HintCheck, hint_costs, verify_hints
from grader.i18n import Message, msg
from grader.key import AnswerKey
from grader.lab import Lab


@dataclass(frozen=True)
class QuestionResult:
    """The graded answer to one question."""

    id: str
    outcome: Outcome
    points: float
    max_points: float
    reason: Message
    given: Any = None
    hint_cost: float = 0.0
    pending: bool = False  # self-check only: left to the instructor (no sealed form)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        out = {
            "id": self.id,
            "result": "pending" if self.pending else str(self.outcome.value),
            "points": round(self.points, 4),
            "max_points": self.max_points,
            "reason": self.reason.render(lang),
        }
        if self.hint_cost:
            out["hint_cost"] = self.hint_cost
        return out


@dataclass(frozen=True)
class LabResult:
    """All graded answers of one sheet; ``score`` out of ``max_score``."""

    lab: str
    trainee_name: str | None
    trainee_id: str | None
    variant: str | None
    questions: tuple[QuestionResult, ...]
    warnings: tuple[Message, ...] = ()
    hints_used: int = 0
    hint_record: str = "none"  # none | ok | unverified | tampered

    @property
    def score(self) -> float:
        return round(sum(q.points for q in self.questions), 4)

    @property
    def max_score(self) -> float:
        return sum(q.max_points for q in self.questions)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "lab": self.lab,
            "trainee": {"name": self.trainee_name, "id": self.trainee_id},
            "variant": self.variant,
            "score": self.score,
            "max_score": self.max_score,
            "percent": round(self.percent, 2),
            "questions": [q.to_dict(lang) for q in self.questions],
            "warnings": [w.render(lang) for w in self.warnings],
            "hints_used": self.hints_used,
            "hint_record": self.hint_record,
        }


def _evidence_warnings(lab: Lab, sheet: AnswerSheet, truths: dict[str, dict[str, Any]]) -> list[Message]:
    """Warn when the sheet was answered against other evidence than the one graded."""
    warnings = []
    for ref in lab.evidence:
        stated = sheet.evidence_sha256.get(ref.artefact)
        actual = truths.get(ref.dataset, {}).get("artefacts", {}).get(ref.artefact, {}).get("sha256")
        if stated and actual and stated.strip().lower() != actual:
            warnings.append(msg("evidence_mismatch", artefact=ref.artefact))
    return warnings


def apply_hints(
    result: QuestionResult, costs: dict[str, float]
) -> QuestionResult:
    """Deduct the hints' cost from a question's points, never below zero, and say so in the reason."""
    cost = costs.get(result.id, 0.0)
    if not cost:
        return result
    points = max(0.0, round(result.points - cost, 6))
    reason = msg("joined", parts=[result.reason, msg("hint.cost", cost=cost)])
    return QuestionResult(result.id, result.outcome, points, result.max_points, reason, result.given, cost,
                          result.pending)


def hint_summary(lab: Lab, sheet: AnswerSheet, hint_key: bytes | None) -> tuple[HintCheck, list[Message]]:
    """Check the sheet's hint record; a broken chain is a warning, never an error."""
    check = verify_hints(sheet.hints, hint_key, lab)
    return check, ([msg("hint.tampered")] if check.tampered else [])


def grade_sheet(
    lab: Lab,
    key: AnswerKey,
    truths: dict[str, dict[str, Any]],
    sheet: AnswerSheet,
    hint_key: bytes | None = None,
) -> LabResult:
    """Grade every question of ``lab`` from ``sheet``; unanswered questions are ``missing``.

    Hints recorded in the sheet cost their points; with ``hint_key`` the record's
    HMAC chain is checked and a broken one is reported as a warning.
    """
    hints, hint_warnings = hint_summary(lab, sheet, hint_key)
    costs = hint_costs(lab, hints)
    results = []
    for question in lab.questions:
        checker = key.checker(lab, question.id)
        given = sheet.answers.get(question.id)
        try:
            expected, prepared = key.prepared(lab, question.id, truths)
            outcome: CheckResult = checker.check(given, expected, question.points, prepared=prepared)
        except GraderError as exc:  # a key problem, not the trainee's: say so plainly
            raise GraderError(f"{key.path}: question {question.id}: {exc}") from None
        results.append(apply_hints(
            QuestionResult(question.id, outcome.outcome, outcome.points, outcome.max_points, outcome.reason, given),
            costs,
        ))
    return LabResult(
        lab=lab.id,
        trainee_name=sheet.trainee_name,
        trainee_id=sheet.trainee_id,
        variant=sheet.variant,
        questions=tuple(results),
        warnings=tuple(_evidence_warnings(lab, sheet, truths) + hint_warnings),
        hints_used=hints.count,
        hint_record=hints.status,
    )
