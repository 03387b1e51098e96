"""How much a reason shows the trainee: a lab's ``feedback: full | kind | none`` and ``self_checks`` limit.

``full`` shows how the answer was read and the kind of slip; ``kind`` only the kind of slip
(time zone, unit, algorithm, folder or name, case, prefix length...), without how the answer
was read, counts of right items or the size of a time-zone offset; ``none`` only the outcome.
The instructor's gradebook and report always keep the full reasons; this applies to what a
trainee sees: self-check and the feedback files.

``self_checks: N`` lets a trainee self-check N different answers to one question with reasons;
after that the outcome is still shown and the reason withheld, so a value cannot be probed
until right. Checks are counted in a small file next to the answers file (honestly: deleting
it resets the count; the instructor's grading is what counts).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from grader.checkers import Outcome
from grader.grade import LabResult, QuestionResult
from grader.i18n import Message, msg

__all__ = ["LEVELS", "count_checks", "limit_reasons", "shown_reason"]

LEVELS = ("full", "kind", "none")

#: Parts of a reason that say how an answer was read or how much of it was right: shown only at ``full``.
_DETAIL = {
    "time.read_label", "time.read_assumed", "time.read_zone", "time.read_epoch", "time.read_minutes",
    "name.read_as", "integer.read", "port.read", "phone.read", "path.read", "offset.read", "location.read",
    "range.read", "cidr.host_bits", "fat.read_lost", "uri.decoded", "uri.request_line", "url.no_scheme",
    "set.right", "set.instead", "set.duplicates", "ordered.pairs", "range.overlap", "hint.cost",
}
#: At ``kind``, these are replaced by the kind alone (an offset in hours narrows the answer down).
_KIND_ONLY = {"time.off_hours": "time.zone_slip", "time.off_zone": "time.zone_slip"}


def _parts(reason: Message) -> list[Message]:
    if reason.key == "joined":
        out: list[Message] = []
        for part in reason.params.get("parts", []):
            out.extend(_parts(part) if isinstance(part, Message) else [])
        return out
    return [reason]


def _generic(outcome: Outcome) -> Message:
    return {Outcome.CORRECT: msg("answer.correct"), Outcome.MISSING: msg("answer.missing"),
            Outcome.PARTIAL: msg("feedback.partial")}.get(outcome, msg("feedback.wrong"))


def shown_reason(reason: Message, outcome: Outcome, level: str) -> Message:
    """``reason`` as a lab with feedback ``level`` shows it to the trainee."""
    if level == "full":
        return reason
    if level == "none" or outcome in (Outcome.CORRECT, Outcome.MISSING):
        return _generic(outcome)
    kept = [msg(_KIND_ONLY[p.key]) if p.key in _KIND_ONLY else p for p in _parts(reason) if p.key not in _DETAIL]
    generic = {"text.wrong", "one_of.wrong", "regex.wrong", "time.wrong", "path.wrong", "sealed.wrong",
               "integer.wrong", "number.wrong", "hash.wrong", "ip.wrong", "mac.wrong", "cidr.wrong", "location.wrong",
               "offset.wrong", "answer.correct"}
    kinds = [p for p in kept if p.key not in generic]
    if not kinds:
        return _generic(outcome)
    return msg("joined", parts=kinds)


def apply_level(result: LabResult, level: str) -> LabResult:
    """Every question's reason as the trainee may see it."""
    if level == "full":
        return result
    questions = tuple(replace(q, reason=shown_reason(q.reason, q.outcome, level)) if not q.pending else q
                      for q in result.questions)
    return replace(result, questions=questions)


def count_checks(answers_path: Path, result: LabResult) -> dict[str, int]:
    """Record this self-check's answers next to the answers file; return distinct answers checked per question."""
    path = Path(answers_path)
    store = path.with_name(f".{path.name}.checks.json")
    try:
        seen = json.loads(store.read_text("utf-8")) if store.is_file() and not store.is_symlink() else {}
        if not isinstance(seen, dict):
            seen = {}
    except (OSError, ValueError):
        seen = {}
    for q in result.questions:
        if q.given in (None, "", []) or q.outcome is Outcome.CORRECT:
            continue
        digest = hashlib.sha256(json.dumps(q.given, sort_keys=True, default=str).encode()).hexdigest()[:16]
        known = seen.get(q.id) if isinstance(seen.get(q.id), list) else []
        if digest not in known:
            known = [*known, digest]
        seen[q.id] = known
    if not store.is_symlink():
        tmp = store.with_name(store.name + ".tmp")
        try:
            tmp.write_text(json.dumps(seen, sort_keys=True), "utf-8")
            tmp.replace(store)
        except OSError:
            pass
    return {qid: len(v) for qid, v in seen.items() if isinstance(v, list)}


def limit_reasons(result: LabResult, counts: dict[str, int], limit: int | None,
                  questions: Iterable[str] | None = None) -> LabResult:
    """Withhold the reason of each question self-checked with more than ``limit`` different answers."""
    if limit is None:
        return result
    chosen = set(questions) if questions is not None else None
    out: list[QuestionResult] = []
    for q in result.questions:
        over = counts.get(q.id, 0) > limit and (chosen is None or q.id in chosen)
        out.append(replace(q, reason=msg("feedback.limit", limit=limit)) if over and not q.pending
                   and q.outcome is not Outcome.CORRECT else q)
    return replace(result, questions=tuple(out))
