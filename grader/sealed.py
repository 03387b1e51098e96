"""Sealed keys: offline self-check without the plain answer key.

A sealed key (``solutions/<lab>/sealed/<variant>.json``) stores, for each question, slow
salted hashes (scrypt, n=2**14, r=8, p=1; a salt per lab, variant and question) of the
*normalised* accepted answers, so ``0x400`` and ``1024`` seal alike and a short answer (a port,
a count) costs ~50 ms per guess instead of nanoseconds. What is sealed:

* exact answers: every accepted canonical form (text in its notation, hashes, addresses, paths...);
* sets: each item's forms as one group, so partial credit still works;
* tolerances: every accepted whole value (an integer within 2 is five values, a timestamp within
  2 s five seconds plus the one or two minutes a minute-precise answer such as ``dir``'s may name);
* real numbers with a tolerance: cells of a grid a tenth of the tolerance wide (an answer within
  a tenth of the tolerance of its edge may be judged differently from the plain key);
* slips, so reasons keep the kind of mistake without the value: the case-folded form of a
  case-sensitive answer, a path's folder and its file name on their own. A time-zone slip and a
  unit slip are found by re-hashing the answer shifted by whole hours or read in the other unit
  at check time, which seals nothing more.

Regex, ordered and datetime_range questions are left to the instructor, and self-check says so.
What an offline attacker with the sealed key learns is stated in the README (measured per guess).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from grader.answers import AnswerSheet
from grader.checkers import Checker, CheckResult, Outcome, known_types, make_checker
from grader.checkers.base import correct, is_blank, wrong
from grader.checkers.hashes import _BY_LENGTH, ALGORITHMS
from grader.checkers.sets import MAX_SEALED_ITEMS, ExpectedItems, set_result, tally
from grader.checkers.timestamps import zone_slip
from grader.errors import GraderError, InvalidAnswer
from grader.grade import LabResult, QuestionResult, apply_hints, hint_summary
from grader.hints import derive_key, hint_costs
from grader.i18n import Message, msg
from grader.key import AnswerKey, resolve
from grader.lab import Lab
from grader.notations.files import fs_family

__all__ = ["FORMAT", "MAX_SEALED_BYTES", "grade_sealed", "load_sealed", "seal_lab", "sealed_path"]

FORMAT = "fklab-sealed-key/2"
KDF = {"name": "scrypt", "n": 2**14, "r": 8, "p": 1, "dklen": 16}
MAX_SEALED_BYTES = 8 << 20
_MAX_SPREAD = 120  # widest tolerance sealed as individual values (each costs one hash to seal)
_GRID = 10  # cells per tolerance for real numbers
_MODES = ("exact", "set", "instructor")
_ZONE_SHIFTS = [h * sign for h in range(1, 15) for sign in (1, -1)]


def _hash(form: str, salt: bytes) -> str:
    return hashlib.scrypt(form.encode("utf-8", "surrogatepass"), salt=salt, n=KDF["n"], r=KDF["r"], p=KDF["p"],
                          dklen=KDF["dklen"], maxmem=64 << 20).hex()


def _hashes(forms: list[str], salt: bytes) -> list[str]:
    """Several hashes at once (scrypt releases the GIL, so two cores halve the wait)."""
    if len(forms) <= 1:
        return [_hash(f, salt) for f in forms]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda f: _hash(f, salt), forms))


def sealed_path(root: Path, lab: str, variant: str | None) -> Path:
    """Where the sealed key of ``lab`` and ``variant`` lives under a solutions folder."""
    return Path(root) / lab / "sealed" / f"{variant or 'default'}.json"


# --- canonical forms ------------------------------------------------------------------


def _forms(checker: Checker, type_: str, given: Any) -> list[str]:
    """Canonical text(s) of one answer, best first; raises InvalidAnswer."""
    if type_ == "timestamp":
        local, _, precision = checker._reading(given)  # type: ignore[attr-defined]
        seconds = local.timestamp()
        if precision >= 60:
            return [f"min:{math.floor(seconds / 60)}"] if precision == 60 else ["coarse"]
        return sorted({f"s:{math.floor(seconds)}", f"s:{math.ceil(seconds)}"})
    if type_ == "location":
        return [checker.normalize(given).replace("mft:", "inode:")]
    if type_ == "number":
        step = _step(checker, None)
        return [f"cell:{math.floor(checker.normalize(given) / step)}"] if step else []
    if hasattr(checker, "forms"):
        return [str(f) for f in checker.forms(given)]  # type: ignore[attr-defined]
    return [str(checker.normalize(given))]


def _step(checker: Checker, expected: float | None) -> float | None:
    """Grid cell width for a real number: a tenth of its absolute tolerance (relative ones made absolute)."""
    settings = checker.settings
    tolerance = float(settings["abs_tol"])  # type: ignore[arg-type]
    if expected is not None and float(settings["rel_tol"]) > 1e-6:  # type: ignore[arg-type]
        tolerance = max(tolerance, float(settings["rel_tol"]) * abs(expected))  # type: ignore[arg-type]
    if expected is None:
        return float(settings.get("_step") or 0) or None
    return tolerance / _GRID if tolerance > 0 else None


def _expected_forms(checker: Checker, type_: str, prepared: Any) -> list[str] | None:
    """Every accepted canonical text, or None when the question cannot be sealed."""
    settings = checker.settings
    if type_ in ("text", "one_of", "path"):
        return [f for item in prepared for f in checker.expected_forms(item)]  # type: ignore[attr-defined]
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
        forms = [f"s:{seconds + d}" for d in range(-int(tolerance), int(tolerance) + 1)]
        # A minute-precise answer covers [m*60, m*60 + 60): right when that span is within the tolerance.
        minutes = {m for m in range((seconds - int(tolerance) - 60) // 60, (seconds + int(tolerance)) // 60 + 1)
                   if m * 60 - tolerance <= seconds <= m * 60 + 60 + tolerance}
        return forms + [f"min:{m}" for m in sorted(minutes)]
    if type_ == "number":
        step = _step(checker, prepared)
        if step is None:
            return None
        tolerance = step * _GRID
        first, last = math.floor((prepared - tolerance) / step), math.floor((prepared + tolerance) / step)
        # a cell counts when its centre is within the tolerance
        cells = [c for c in range(first, last + 1) if abs((c + 0.5) * step - prepared) <= tolerance]
        settings["_step"] = step
        return [f"cell:{c}" for c in cells]
    return None


def _slip_forms(checker: Checker, type_: str, prepared: Any) -> dict[str, str]:
    """Extra sealed forms that name a kind of slip: ``{form: message key}``."""
    out: dict[str, str] = {}
    if type_ == "path":
        for item in prepared:
            folder, _, name = item.rpartition("/")
            out[f"name:{name.casefold()}"] = "path.wrong_folder"
            out[f"folder:{folder.casefold()}"] = "path.wrong_name"
            if checker.settings.get("case_sensitive"):
                out[f"fold:{item.casefold()}"] = "path.case_differs"
    elif type_ in ("text", "one_of") and getattr(checker, "notation", None) is not None:
        if checker.notation.sensitive:  # type: ignore[attr-defined]
            for item in prepared:
                out[f"fold:{item.casefold()}"] = "text.case_differs"
    return out


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
        spec: dict[str, Any] = {"type": question.type, "options": _public_options(entry.options), "salt": salt.hex()}
        if question.type == "set":
            assert isinstance(prepared, ExpectedItems)
            groups = [sorted(_hashes([str(f) for f in forms], salt)) for forms in prepared.forms]
            spec.update(mode="set", items=prepared.count, groups=sorted(groups))
        else:
            forms = _expected_forms(checker, question.type, prepared)
            if forms is None:
                spec.update(mode="instructor")
            else:
                spec.update(mode="exact", hashes=sorted(set(_hashes(sorted(set(forms)), salt))))
                slips = _slip_forms(checker, question.type, prepared)
                if slips:
                    names = sorted(slips)
                    spec["slips"] = dict(sorted(zip(_hashes(names, salt), (slips[n] for n in names), strict=True)))
                if question.type == "hash":
                    spec["accept"] = sorted(prepared)
                if question.type == "number":
                    spec["step"] = checker.settings["_step"]
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


def _public_options(options: dict[str, Any]) -> dict[str, Any]:
    """Options as a sealed key shows them: a file system only by how it compares names (not FAT16 itself,
    which may be another question's answer); orders that earn nothing are the instructor's business."""
    out = dict(options)
    if out.get("fs"):
        out["fs"] = fs_family(str(out["fs"]))
    out.pop("zero_orders", None)
    return out


def load_sealed(path: Path, lab: Lab) -> dict[str, Any]:
    """Read a sealed key and check every field it holds; a hostile or broken file is one-line error."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SEALED_BYTES:
            raise GraderError(f"{path}: sealed key too large ({size} bytes, at most {MAX_SEALED_BYTES})")
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise GraderError(f"{path}: no sealed key for this lab and variant (ask your instructor)") from None
    except RecursionError:
        raise GraderError(f"{path}: unreadable sealed key: nested too deeply") from None
    except (OSError, ValueError) as exc:
        raise GraderError(f"{path}: unreadable sealed key: {str(exc)[:120]}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("lab") != lab.id:
        raise GraderError(f"{path}: not a sealed key of lab {lab.id} (format {FORMAT})")
    if document.get("kdf") != KDF:
        raise GraderError(f"{path}: sealed key: unsupported kdf (want {KDF})")
    questions = document.get("questions")
    if not isinstance(questions, dict):
        raise GraderError(f"{path}: sealed key: 'questions' must be a mapping")
    missing = [q for q in lab.question_ids if q not in questions]
    if missing:
        raise GraderError(f"{path}: sealed key lacks {', '.join(missing)} (re-seal the lab)")
    for qid in lab.question_ids:
        problem = _spec_problem(questions[qid], lab.question(qid).type)
        if problem:
            raise GraderError(f"{path}: sealed key: question {qid}: {problem}")
    for name in ("hint_key",):
        value = document.get(name)
        if value is not None and not _is_hex(value, 64):
            raise GraderError(f"{path}: sealed key: '{name}' must be 64 hex digits")
    evidence = document.get("evidence_sha256") or {}
    if not isinstance(evidence, dict) or not all(isinstance(v, str) for v in evidence.values()):
        raise GraderError(f"{path}: sealed key: 'evidence_sha256' must map artefacts to hashes")
    return document


def _is_hex(value: object, length: int | None = None) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"[0-9a-f]+", value)) and (
        length is None or len(value) == length)


def _spec_problem(spec: object, type_: str) -> str | None:
    """What is wrong with one question's sealed spec, or None."""
    if not isinstance(spec, dict):
        return "not a mapping"
    mode = spec.get("mode")
    if mode not in _MODES:
        return f"'mode' must be one of {', '.join(_MODES)}"
    if spec.get("type") != type_ or type_ not in known_types():
        return f"'type' must be {type_!r}"
    if mode == "instructor":
        return None
    if not _is_hex(spec.get("salt"), 32):
        return "'salt' must be 32 hex digits"
    if not isinstance(spec.get("options"), dict):
        return "'options' must be a mapping"
    try:
        make_checker("set" if mode == "set" else type_, spec["options"])
    except GraderError as exc:
        return f"'options': {str(exc)[:120]}"
    if mode == "set":
        groups = spec.get("groups")
        if not isinstance(groups, list) or not all(isinstance(g, list) and g and all(_is_hex(h, 32) for h in g)
                                                  for g in groups):
            return "'groups' must be lists of 32-hex-digit hashes"
        items = spec.get("items")
        if isinstance(items, bool) or not isinstance(items, int) or items != len(groups) or items < 1:
            return "'items' must count the groups"
        return None
    hashes = spec.get("hashes")
    if not isinstance(hashes, list) or not hashes or not all(_is_hex(h, 32) for h in hashes):
        return "'hashes' must be a list of 32-hex-digit hashes"
    slips = spec.get("slips", {})
    if not isinstance(slips, dict) or not all(_is_hex(h, 32) and isinstance(k, str) and re.fullmatch(r"[a-z_.]+", k)
                                              for h, k in slips.items()):
        return "'slips' must map hashes to reason keys"
    if type_ == "hash":
        accept = spec.get("accept")
        if not isinstance(accept, list) or not accept or any(a not in ALGORITHMS for a in accept):
            return "'accept' must list hash algorithms"
    if type_ == "number":
        step = spec.get("step")
        if isinstance(step, bool) or not isinstance(step, int | float) or not math.isfinite(step) or step <= 0:
            return "'step' must be a positive number"
    return None


# --- self-check -------------------------------------------------------------------------------


def _check_one(spec: dict[str, Any], given: Any, points: float) -> CheckResult | None:
    """Judge one answer against its sealed spec; None when the instructor grades it."""
    if spec["mode"] == "instructor":
        return None
    salt = bytes.fromhex(spec["salt"])
    if spec["mode"] == "set":
        checker = make_checker("set", spec["options"])
        return _check_set(checker, spec, given, points, salt)
    checker = make_checker(spec["type"], spec["options"])
    if spec["type"] == "number":
        checker.settings["_step"] = spec["step"]
    if is_blank(given):
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("answer.missing"))
    try:
        forms = _forms(checker, spec["type"], given)
    except InvalidAnswer as exc:
        return wrong(points, exc.reason)
    except (ValueError, OverflowError, RecursionError):
        return wrong(points, msg("answer.unreadable"))
    hashes = set(spec["hashes"])
    early = _before_hashing(checker, spec, given, forms, points)
    if early is not None:
        return early
    if spec["type"] == "timestamp":
        if forms == ["coarse"]:
            return wrong(points, msg("time.date_only"))
        if all(h in hashes for h in _hashes(forms, salt)):
            return correct(points)
        return wrong(points, _time_slip(forms, salt, hashes, float(checker.settings["tolerance"])))  # type: ignore[arg-type]
    if spec["type"] in ("text", "one_of"):
        verdict = _text_verdict(checker, given, salt, hashes, points)
        if verdict is not None:
            return verdict
    else:
        digests = _hashes(forms[:4], salt)
        if any(h in hashes for h in digests):
            return correct(points)
    return wrong(points, _slip(checker, spec, given, forms, salt, hashes) or msg("sealed.wrong"))


def _text_verdict(checker: Checker, given: Any, salt: bytes, hashes: set[str], points: float) -> CheckResult | None:
    """A text answer: each reading and its loose form hashed; a right value inside a longer form earns
    the key's ``container_credit``, as with the plain key."""
    notation = checker.notation  # type: ignore[attr-defined]
    for reading in notation.readings(str(given))[:4]:
        forms = [reading.value] + [f for f in [notation.loose(reading.value, True)] if f and f != reading.value]
        if not any(h in hashes for h in _hashes(forms, salt)):
            continue
        chosen = checker.settings.get("container_credit")
        credit = 1.0 if chosen is None else float(chosen)  # type: ignore[arg-type]
        if reading.asked is not None and credit < 1:
            earned = round(credit * points, 6)
            if earned <= 0:
                return wrong(points, reading.asked)
            return CheckResult(Outcome.PARTIAL, earned, float(points), reading.asked)
        return correct(points)
    return None


def _before_hashing(checker: Checker, spec: dict[str, Any], given: Any, forms: list[str],
                    points: float) -> CheckResult | None:
    """Verdicts the key's options give without hashing: another hash algorithm, another protocol."""
    if spec["type"] == "hash":
        algo = _BY_LENGTH.get(len(forms[0]))
        if algo is None:
            return wrong(points, msg("hash.bad_length", digits=len(forms[0])))
        if algo not in spec["accept"]:
            return wrong(points, msg("hash.wrong_algorithm", digits=len(forms[0]), algorithm=ALGORITHMS[algo][1],
                                     wanted=[ALGORITHMS[a][1] for a in spec["accept"]]))
    notation = getattr(checker, "notation", None)
    if notation is not None and hasattr(notation, "protocol_slip"):
        for reading in notation.readings(str(given)):
            slip = notation.protocol_slip(reading)
            if slip is not None:
                return wrong(points, slip)
    return None


def _time_slip(forms: list[str], salt: bytes, hashes: set[str], tolerance: float) -> Message:
    """Re-hash the answer shifted by whole hours: a hit is a time-zone slip (nothing extra is sealed)."""
    unit, _, value = forms[0].partition(":")
    scale = 60 if unit == "min" else 1
    shifted = [f"{unit}:{int(value) + hours * 3600 // scale}" for hours in _ZONE_SHIFTS]
    for hours, digest in zip(_ZONE_SHIFTS, _hashes(shifted, salt), strict=True):
        if digest in hashes:
            return msg("joined", parts=[zone_slip(-hours * 3600.0, tolerance) or msg("time.wrong")])
    return msg("sealed.wrong")


def _slip(checker: Checker, spec: dict[str, Any], given: Any, forms: list[str], salt: bytes,
          hashes: set[str]) -> Message | None:
    """The kind of slip, from sealed slip forms or the other unit; None if none is known."""
    slips: dict[str, str] = spec.get("slips") or {}
    candidates: list[str] = []
    if spec["type"] == "path":
        folder, _, name = forms[0].rpartition("/")
        candidates = [f"name:{name.casefold()}", f"folder:{folder.casefold()}"]
        if checker.settings.get("case_sensitive"):
            candidates.insert(0, f"fold:{forms[0].casefold()}")
    elif slips:
        candidates = [f"fold:{f.casefold()}" for f in forms[:2]]
    if candidates and slips:
        for digest in _hashes(candidates, salt):
            if digest in slips:
                return msg(slips[digest])
    if spec["type"] == "offset":
        _, _, number = checker._read(given)  # type: ignore[attr-defined]
        size = int(checker.settings["sector_size"])  # type: ignore[call-overload]
        if any(h in hashes for h in _hashes([f"{number} bytes", f"{number * size} bytes"], salt)):
            return msg("offset.unit_slip")
    return None


def _check_set(checker: Checker, spec: dict[str, Any], given: Any, points: float, salt: bytes) -> CheckResult:
    if is_blank(given):
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("answer.missing"))
    total = int(spec["items"])
    try:
        items, unreadable, duplicates = checker.read_items(given, checker.too_many(total))  # type: ignore[attr-defined]
    except InvalidAnswer as exc:
        return wrong(points, exc.reason)
    if not items and not unreadable:
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("answer.missing"))
    penalty = float(checker.settings["penalty"])  # type: ignore[arg-type]
    given_count = len(items) + unreadable
    # Wrong items beyond the missing ones number (given - total) whatever is right: if they cancel
    # every right item, the answer is wrong without hashing one item (a 60,000-item list is instant).
    if given_count > total and penalty * (given_count - total) >= total:
        return wrong(points, msg("set.too_many", count=given_count, total=total))
    if len(items) > MAX_SEALED_ITEMS:
        return CheckResult(Outcome.MISSING, 0.0, float(points), msg("set.too_many_sealed"))
    group_of = {h: i for i, group in enumerate(spec["groups"]) for h in group}

    def find(forms: list[Any]) -> int | None:
        return next((group_of[d] for d in _hashes([str(f) for f in forms[:3]], salt) if d in group_of), None)

    right, extra, repeated = tally(items, find)
    return set_result(right, total, extra, unreadable, duplicates + repeated, penalty, points,
                      checker._kind)  # type: ignore[attr-defined]


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
        if verdict is None or verdict.reason.key == "set.too_many_sealed":
            results.append(QuestionResult(question.id, Outcome.MISSING, 0.0, question.points,
                                          verdict.reason if verdict else msg("sealed.pending"), given, pending=True))
            continue
        results.append(apply_hints(QuestionResult(question.id, verdict.outcome, verdict.points, verdict.max_points,
                                                  verdict.reason, given), costs))
    for artefact, digest in (sealed.get("evidence_sha256") or {}).items():
        stated = sheet.evidence_sha256.get(artefact)
        if stated and str(stated).strip().lower() != digest:
            warnings.insert(0, msg("evidence_mismatch", artefact=artefact))
    return LabResult(lab.id, sheet.trainee_name, sheet.trainee_id, sheet.variant, tuple(results), tuple(warnings),
                     hints.count, hints.status)
