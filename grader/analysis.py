"""What an instructor reads from a class's results: item statistics and flags.

Per question: success rate, discrimination index (share right in the top 27%
minus in the bottom 27% of the class by total score: near 0 or negative means
the question does not separate strong from weak trainees), hints taken and the
commonest wrong answers. Per trainee: flags for identical rare wrong answers
(the same wrong value on several questions as another trainee) and for
hand-edited hint records. Everything is computed from values, deterministically.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from grader.grade import LabResult

__all__ = ["QuestionStats", "copied_answers", "discrimination", "identical_wrong_answers", "identical_wrong_sets",
           "question_stats", "score_histogram"]

#: A wrong answer shared by more trainees than this is a common mistake, not a sign of copying.
MAX_SHARED_GROUP = 5
#: Flag a pair of trainees sharing at least this many rare wrong answers.
MIN_SHARED_WRONG = 2


@dataclass(frozen=True)
class QuestionStats:
    id: str
    answered: int
    success_rate: float  # share fully right
    mean_share: float  # mean points / max points
    discrimination: float | None
    hints_taken: int
    common_wrong: list[tuple[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "answered": self.answered,
            "success_rate": round(self.success_rate, 4),
            "mean_share": round(self.mean_share, 4),
            "discrimination": None if self.discrimination is None else round(self.discrimination, 4),
            "hints_taken": self.hints_taken,
            "common_wrong": [{"answer": a, "count": c} for a, c in self.common_wrong],
        }


def shown(value: Any) -> str:
    """An answer as comparable text: lists joined, NFC, trimmed, case folded."""
    if isinstance(value, list | tuple):
        return ", ".join(sorted(shown(v) for v in value))
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def _as_written(value: Any) -> str:
    """An answer as the trainee wrote it (case and order kept), for the instructor to read."""
    if isinstance(value, list | tuple):
        return ", ".join(_as_written(v) for v in value)
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


def _share(result: LabResult, qid: str) -> float:
    for q in result.questions:
        if q.id == qid:
            return q.points / q.max_points if q.max_points else 0.0
    return 0.0


def discrimination(results: list[LabResult], qid: str) -> float | None:
    """Upper-minus-lower 27% index of ``qid`` (None with fewer than four graded trainees)."""
    return _discriminations(results, [qid])[qid]


def _discriminations(results: list[LabResult], question_ids: list[str]) -> dict[str, float | None]:
    """The index of every question, ranking the class once (a class of 5,000 sorts once, not per question)."""
    if len(results) < 4:
        return {qid: None for qid in question_ids}
    ranked = sorted(results, key=lambda r: (r.score, r.trainee_id or ""))
    size = max(1, round(0.27 * len(ranked)))
    out: dict[str, float | None] = {}
    lower, upper = ranked[:size], ranked[-size:]
    lower_shares = [{q.id: (q.points / q.max_points if q.max_points else 0.0) for q in r.questions} for r in lower]
    upper_shares = [{q.id: (q.points / q.max_points if q.max_points else 0.0) for q in r.questions} for r in upper]
    for qid in question_ids:
        out[qid] = sum(s.get(qid, 0.0) for s in upper_shares) / size - sum(s.get(qid, 0.0) for s in lower_shares) / size
    return out


def question_stats(results: list[LabResult], question_ids: list[str]) -> list[QuestionStats]:
    out = []
    indexes = _discriminations(results, question_ids)
    by_question: dict[str, list[Any]] = defaultdict(list)
    for r in results:
        for q in r.questions:
            by_question[q.id].append(q)
    for qid in question_ids:
        graded = by_question[qid]
        wrong: Counter[str] = Counter()
        spelled: dict[str, Counter[str]] = defaultdict(Counter)  # how trainees wrote each, case kept
        for q in graded:
            if q.outcome.value in ("wrong", "partial") and q.given:
                wrong[shown(q.given)] += 1
                spelled[shown(q.given)][_as_written(q.given)] += 1
        out.append(QuestionStats(
            id=qid,
            answered=sum(1 for q in graded if q.outcome.value != "missing"),
            success_rate=sum(1 for q in graded if q.outcome.value == "correct") / len(graded) if graded else 0.0,
            mean_share=sum(q.points / q.max_points for q in graded) / len(graded) if graded else 0.0,
            discrimination=indexes[qid],
            hints_taken=sum(1 for q in graded if q.hint_cost),
            common_wrong=[(spelled[k].most_common(1)[0][0], n)
                          for k, n in sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))[:3]],
        ))
    return out


def identical_wrong_answers(results: list[tuple[str, LabResult]]) -> dict[str, list[str]]:
    """``{who: [others]}`` for trainees sharing rare wrong answers on several questions.

    ``results`` pairs each result with the name it is shown under. Wrong answers
    given by many trainees are left out (a shared misconception, not copying).
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for who, result in results:
        for q in result.questions:
            if q.outcome.value == "wrong" and q.given not in (None, "", []):
                groups[q.id, shown(q.given)].append(who)
    pairs: Counter[tuple[str, str]] = Counter()
    for members in groups.values():
        if 2 <= len(members) <= MAX_SHARED_GROUP:
            pairs.update(combinations(sorted(set(members)), 2))
    flagged: dict[str, list[str]] = defaultdict(list)
    for (a, b), count in sorted(pairs.items()):
        if count >= MIN_SHARED_WRONG:
            flagged[a].append(b)
            flagged[b].append(a)
    return {who: sorted(others) for who, others in sorted(flagged.items())}


def identical_wrong_sets(results: list[tuple[str, LabResult]], minimum: int = 2) -> dict[str, list[str]]:
    """``{who: [others]}`` for submissions whose wrong answers are all the same (at least ``minimum`` of them)."""
    groups: dict[tuple[tuple[str, str], ...], list[str]] = defaultdict(list)
    for who, result in results:
        wrong = tuple(sorted((q.id, shown(q.given)) for q in result.questions
                             if q.outcome.value in ("wrong", "partial") and q.given not in (None, "", [])))
        if len(wrong) >= minimum:
            groups[wrong].append(who)
    out: dict[str, list[str]] = {}
    for members in groups.values():
        if len(members) >= 2:
            for who in members:
                out[who] = sorted(m for m in members if m != who)
    return dict(sorted(out.items()))


def copied_answers(lab: Any, key: Any, result: LabResult, truths_by_variant: dict[Any, dict[str, Any]]
                   ) -> dict[str, str]:
    """``{question: variant}`` for each wrong answer that is right for another variant's evidence.

    A trainee's wrong answer equal to another trainee's truth is how a copied answer sheet
    shows: the evidence differs per variant, the copy does not.
    """
    from grader.checkers import Outcome
    from grader.errors import GraderError
    from grader.key import resolve

    out: dict[str, str] = {}
    default_dataset = lab.datasets[0]
    for q in result.questions:
        if q.outcome not in (Outcome.WRONG, Outcome.PARTIAL) or q.given in (None, "", []):
            continue
        checker = key.checker(lab, q.id)
        entry = key.entries[q.id]
        for variant, truths in truths_by_variant.items():
            if variant == result.variant:
                continue
            try:
                verdict = checker.check(q.given, resolve(entry.expected, truths, default_dataset), q.max_points or 1.0)
            except GraderError:
                continue
            if verdict.outcome is Outcome.CORRECT:
                out[q.id] = variant or "default"
                break
    return out


def score_histogram(percents: list[float], bins: int = 10) -> list[int]:
    """Counts of scores in ``bins`` equal bands of 0-100% (100% falls in the last band)."""
    counts = [0] * bins
    for percent in percents:
        counts[min(bins - 1, max(0, int(percent * bins / 100)))] += 1
    return counts
