"""Sealed keys: offline self-check without the plain answer key.

A sealed key (``solutions/<lab>/sealed/<variant>.json``) stores, for each
question, slow salted hashes (scrypt, n=2**14, r=8, p=1; a salt per lab, variant
and question) of the *normalised* accepted answers, so ``0x400`` and ``1024``
seal alike and a short answer (a port, a count) costs ~50 ms per guess instead
of nanoseconds. Sets are sealed item by item (partial credit still works);
tolerances become every accepted whole value (a timestamp within 2 s is five
sealed seconds); what cannot be sealed that way (regex, ordered, ranges, real
numbers) is left to the instructor, and self-check says so.

Sealing costs one scrypt per accepted form; checking, one per answer given
(two for a timestamp with a fraction of a second), so a lab checks in well under
two seconds. Class grading uses the plain key and never pays this cost.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from pathlib import Path
from typing import Any

from grader.answers import AnswerSheet
from grader.checkers import Checker, CheckResult, Outcome, make_checker
from grader.checkers.base import correct, is_blank, wrong
from grader.errors import GraderError, InvalidAnswer
from grader.grade import LabResult, QuestionResult, apply_hints, hint_summary
from grader.hints import derive_key, hint_costs
from grader.i18n import msg
from grader.key import AnswerKey, resolve
from grader.lab import Lab

__all__ = ["FORMAT", "grade_sealed", "load_sealed", "seal_lab", "sealed_path"]

FORMAT = "fklab-sealed-key/1"
KDF = {"name": "scrypt", "n": 2**14, "r": 8, "p": 1, "dklen": 16}
_MAX_SPREAD = 120  # widest tolerance sealed as individual values (each costs one hash to seal)


def _hash(form: str, salt: bytes) -> str:
    return hashlib.scrypt(form.encode("utf-8"), salt=salt, n=KDF["n"], r=KDF["r"], p=KDF["p"],
                          dklen=KDF["dklen"], maxmem=64 << 20).hex()


def sealed_path(root: Path, lab: str, variant: str | None) -> Path:
    """Where the sealed key of ``lab`` and ``variant`` lives under a solutions folder."""
    return Path(root) / lab / "sealed" / f"{variant or 'default'}.json"


# --- canonical forms ------------------------------------------------------------------


def _form(checker: Checker, type_: str, given: Any) -> list[str]:
    """Canonical text(s) of one answer; every one must be accepted. Raises InvalidAnswer."""
    if type_ == "timestamp":
        seconds = checker.normalize(given).timestamp()
        return sorted({str(math.floor(seconds)), str(math.ceil(seconds))})
    if type_ == "location":
        return [checker.normalize(given).replace("mft:", "inode:")]
    return [str(checker.normalize(given))]


def _expected_forms(checker: Checker, type_: str, prepared: Any) -> list[str] | None:
    """Every accepted canonical text, or None when the question cannot be sealed."""
    settings = checker.settings
    if type_ in ("text", "one_of", "path"):
        return list(prepared)
    if type_ == "hash":
        return list(prepared.values())
    if type_ in ("ip", "cidr", "mac", "offset"):
        return [str(prepared) if type_ != "offset" else f"{prepared} bytes"]
    if type_ == "location":
        kind = "inode" if settings["kind"] == "mft" else settings["kind"]
        return [f"{kind}:{prepared}"]
    if type_ == "integer":
        spread = math.floor(float(settings["tolerance"]))
        return [str(prepared + d) for d in range(-spread, spread + 1)] if spread <= _MAX_SPREAD else None
    if type_ == "timestamp":
        tolerance = float(settings["tolerance"])
        if prepared.microsecond or not tolerance.is_integer() or tolerance > _MAX_SPREAD:
            return None
        seconds = int(prepared.timestamp())
        return [str(seconds + d) for d in range(-int(tolerance), int(tolerance) + 1)]
    return None


# --- sealing -------------------------------------------------------------------------------


def seal_lab(
    lab: Lab,
    key: AnswerKey,
    truths: dict[str, dict[str, Any]],
    variant: str | None,
    secret: bytes,
    evidence_sha256: dict[str, str],
) -> dict[str, Any]:
    """The sealed key document of ``lab`` for ``variant`` (deterministic for the same inputs)."""
    questions: dict[str, Any] = {}
    for question in lab.questions:
        entry = key.entries[question.id]
        checker = key.checker(lab, question.id)
        prepared = checker.prepare_expected(resolve(entry.expected, truths, lab.datasets[0]))
        salt = hmac.new(secret, f"fklab-seal\x00{lab.id}\x00{variant or 'default'}\x00{question.id}".encode(),
                        hashlib.sha256).digest()[:16]
        spec: dict[str, Any] = {"type": question.type, "options": entry.options, "salt": salt.hex()}
        if question.type == "set":
            spec.update(mode="set", items=len(prepared), hashes=sorted(_hash(str(v), salt) for v in prepared))
        else:
            forms = _expected_forms(checker, question.type, prepared)
            if forms is None:
                spec.update(mode="instructor")
            else:
                spec.update(mode="exact", hashes=sorted({_hash(f, salt) for f in forms}))
                if question.type == "hash":
                    spec["accept"] = sorted(prepared)
        questions[question.id] = spec
    return {
        "format": FORMAT,
        "lab": lab.id,
        "variant": variant,
        "kdf": KDF,
        "evidence_sha256": dict(sorted(evidence_sha256.items())),
        "hint_key": derive_key(secret, lab.id, variant).hex(),
        "questions": questions,
    }


def load_sealed(path: Path, lab: Lab) -> dict[str, Any]:
    """Read a sealed key and check it belongs to ``lab`` and covers its questions."""
    try:
        document = json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise GraderError(f"{path}: no sealed key for this lab and variant (ask your instructor)") from None
    except (OSError, ValueError) as exc:
        raise GraderError(f"{path}: unreadable sealed key: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("lab") != lab.id:
        raise GraderError(f"{path}: not a sealed key of lab {lab.id}")
    missing = [q for q in lab.question_ids if q not in document.get("questions", {})]
    if missing:
        raise GraderError(f"{path}: sealed key lacks {', '.join(missing)} (re-seal the lab)")
    return document


# --- self-check -------------------------------------------------------------------------------


def _check_one(spec: dict[str, Any], given: Any, points: float) -> CheckResult | None:
    """Judge one answer against its sealed spec; None when the instructor grades it."""
    if spec["mode"] == "instructor":
        return None
    salt = bytes.fromhex(spec["salt"])
    hashes = set(spec["hashes"])
    if spec["mode"] == "set":
        checker = make_checker("set", spec["options"])
        return _check_set(checker, spec, given, points, salt, hashes)
    checker = make_checker(spec["type"], spec["options"])
    if is_blank(given):
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("answer.missing"))
    try:
        forms = _form(checker, spec["type"], given)
    except InvalidAnswer as exc:
        return wrong(points, exc.reason)
    if spec["type"] == "hash":
        from grader.checkers.hashes import _BY_LENGTH, ALGORITHMS

        algo = _BY_LENGTH.get(len(forms[0]))
        if algo is None:
            return wrong(points, msg("hash.bad_length", digits=len(forms[0])))
        if algo not in spec["accept"]:
            return wrong(points, msg("hash.wrong_algorithm", digits=len(forms[0]), algorithm=ALGORITHMS[algo][1],
                                     wanted=[ALGORITHMS[a][1] for a in spec["accept"]]))
    if all(_hash(form, salt) in hashes for form in forms):
        return correct(points)
    return wrong(points, msg("sealed.wrong"))


def _check_set(checker: Checker, spec: dict[str, Any], given: Any, points: float, salt: bytes,
               hashes: set[str]) -> CheckResult:
    if is_blank(given):
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("answer.missing"))
    try:
        items = checker.normalize(given)
    except InvalidAnswer as exc:
        return wrong(points, exc.reason)
    item = checker._item  # type: ignore[attr-defined]
    seen: set[str] = set()
    unreadable = 0
    for value in items:
        if is_blank(value):
            continue
        try:
            seen.add(str(item.normalize(value)))
        except InvalidAnswer:
            unreadable += 1
    if not seen and not unreadable:
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("answer.missing"))
    right = sum(1 for form in seen if _hash(form, salt) in hashes)
    extra, total = len(seen) - right, int(spec["items"])
    if right == total and not extra and not unreadable:
        return correct(points)
    penalty = float(checker.settings["penalty"])  # type: ignore[arg-type]
    earned = round(min(1.0, max(0.0, right - penalty * (extra + unreadable)) / total) * points, 6)
    parts = [msg("set.right", right=right, total=total)]
    if extra:
        parts.append(msg("set.extra", count=extra))
    if unreadable:
        parts.append(msg("set.unreadable", count=unreadable, kind=msg(checker._kind)))  # type: ignore[attr-defined]
    reason = msg("joined", parts=parts)
    return wrong(points, reason) if earned <= 0 else CheckResult(Outcome.PARTIAL, earned, float(points), reason)


def grade_sealed(lab: Lab, sealed: dict[str, Any], sheet: AnswerSheet) -> LabResult:
    """Self-check ``sheet`` against a sealed key: same outcomes and points as the instructor's grading."""
    hint_key = bytes.fromhex(sealed["hint_key"]) if sealed.get("hint_key") else None
    hints, warnings = hint_summary(lab, sheet, hint_key)
    costs = hint_costs(lab, hints)
    results = []
    for question in lab.questions:
        given = sheet.answers.get(question.id)
        verdict = _check_one(sealed["questions"][question.id], given, question.points)
        if verdict is None and is_blank(given):
            # An unanswered question is missing, sealed or not: nothing is left for the instructor.
            results.append(QuestionResult(question.id, Outcome.MISSING, 0.0, question.points,
                                          msg("answer.missing"), given))
            continue
        if verdict is None:
            results.append(QuestionResult(question.id, Outcome.MISSING, 0.0, question.points,
                                          msg("sealed.pending"), given, pending=True))
            continue
        results.append(apply_hints(QuestionResult(question.id, verdict.outcome, verdict.points, verdict.max_points,
                                                  verdict.reason, given), costs))
    for artefact, digest in (sealed.get("evidence_sha256") or {}).items():
        stated = sheet.evidence_sha256.get(artefact)
        if stated and stated.strip().lower() != digest:
            warnings.insert(0, msg("evidence_mismatch", artefact=artefact))
    return LabResult(lab.id, sheet.trainee_name, sheet.trainee_id, sheet.variant, tuple(results), tuple(warnings),
                     hints.count, hints.status)
