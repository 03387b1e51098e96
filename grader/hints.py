"""Hints with a cost, recorded in the trainee's answers file as an HMAC chain.

Each hint taken appends ``{question, hint, at, mac}`` to the file's ``hints:``
list, where ``mac`` is an HMAC-SHA256 over the previous record's ``mac`` and
this record, keyed per lab and variant (``HMAC(course secret, lab | variant)``).
Editing, reordering or deleting a record in the middle breaks the chain, and the
grader reports it.

What this does not do, honestly: the key a trainee's ``fklab lab hint`` uses
ships with their sealed keys, so a determined trainee who reads the code can
forge records offline, and rolling the whole file back to a copy made before a
hint (or cutting the newest records) leaves a valid shorter chain. The point is
to make casual editing of the record visible, not to be a proof.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grader.course import Course
from grader.errors import GraderError
from grader.lab import Hint, Lab

__all__ = [
    "HintCheck",
    "course_secret",
    "derive_key",
    "hint_costs",
    "hint_key_for",
    "new_record",
    "verify_hints",
    "write_hints",
]

#: Used when a course has no ``solutions/course-secret``: fine for practice, not for exams.
DEFAULT_SECRET = b"fklab default course secret: put your own in solutions/course-secret"
_FIELDS = ("question", "hint", "at", "mac")


def course_secret(course: Course) -> bytes:
    """The instructor's secret: ``solutions/course-secret`` (first line), else the default."""
    path = course.solutions / "course-secret"
    try:
        text = path.read_text("utf-8").strip()
    except OSError:
        return DEFAULT_SECRET
    return text.encode() or DEFAULT_SECRET


def derive_key(secret: bytes, lab: str, variant: str | None) -> bytes:
    """The per lab and variant key: HMAC(secret, lab | variant)."""
    return hmac.new(secret, f"fklab-hints\x00{lab}\x00{variant or 'default'}".encode(), hashlib.sha256).digest()


def hint_key_for(course: Course, lab: str, variant: str | None) -> bytes:
    """The hint key: from the course secret where the plain keys are, else from the sealed key file."""
    if (course.solutions / lab / "key.yaml").exists():
        return derive_key(course_secret(course), lab, variant)
    sealed = course.solutions / lab / "sealed" / f"{variant or 'default'}.json"
    try:
        if sealed.stat().st_size > 8 << 20:  # a sealed key is a few KiB: a huge file is not one
            raise ValueError("too large")
        key = bytes.fromhex(json.loads(sealed.read_text("utf-8"))["hint_key"])
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        raise GraderError(f"{sealed}: no usable sealed key for this lab and variant (ask your instructor)") from None
    if len(key) != 32:
        raise GraderError(f"{sealed}: no usable sealed key for this lab and variant (ask your instructor)")
    return key


def _mac(key: bytes, previous: str, question: str, number: int, at: str) -> str:
    data = "\x00".join((previous, question, str(number), at)).encode()
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:32]


def new_record(
    key: bytes, records: list[Any], question: str, number: int, now: datetime | None = None
) -> dict[str, str]:
    """The record for taking hint ``number`` of ``question``, chained after ``records``."""
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    previous = str(records[-1].get("mac", "")) if records and isinstance(records[-1], dict) else ""
    return {"question": question, "hint": str(number), "at": at, "mac": _mac(key, previous, question, number, at)}


@dataclass(frozen=True)
class HintCheck:
    """Hints recorded in a sheet: which were taken, and whether the record is intact."""

    taken: dict[str, set[int]] = field(default_factory=dict)
    tampered: bool = False
    verified: bool = False

    @property
    def count(self) -> int:
        return sum(len(numbers) for numbers in self.taken.values())

    @property
    def status(self) -> str:
        """``none``, ``ok``, ``tampered`` or ``unverified`` (no key to check with)."""
        if self.tampered:
            return "tampered"
        if not self.count:
            return "none"
        return "ok" if self.verified else "unverified"


def verify_hints(records: list[Any], key: bytes | None, lab: Lab | None = None) -> HintCheck:
    """Read the ``hints:`` list; with ``key``, check the chain. Unreadable records count as tampering."""
    taken: dict[str, set[int]] = {}
    tampered = False
    previous = ""
    for record in records:
        if not isinstance(record, Mapping) or set(record) != set(_FIELDS):
            tampered = True
            continue
        question, at, mac = (str(record[k]) for k in ("question", "at", "mac"))
        number = str(record["hint"])
        if not number.isdigit() or (lab is not None and question not in lab.question_ids):
            tampered = True
            continue
        if key is not None and not hmac.compare_digest(_mac(key, previous, question, int(number), at), mac):
            tampered = True
        previous = mac
        taken.setdefault(question, set()).add(int(number))
    if key is not None and lab is not None:
        for question, numbers in taken.items():
            if max(numbers) > len(lab.question(question).hints) or numbers != set(range(1, max(numbers) + 1)):
                tampered = True  # hints are taken in order, so a gap means a record went missing
    return HintCheck(taken, tampered, key is not None)


def hint_costs(lab: Lab, check: HintCheck) -> dict[str, float]:
    """Points each question loses for the hints taken on it."""
    costs: dict[str, float] = {}
    for question in lab.questions:
        hints: tuple[Hint, ...] = question.hints
        numbers = check.taken.get(question.id, set())
        cost = sum(hints[n - 1].cost for n in numbers if 1 <= n <= len(hints))
        if cost:
            costs[question.id] = cost
    return costs


_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def write_hints(path: Path, records: list[dict[str, str]]) -> None:
    """Replace the file's top-level ``hints:`` block with ``records``, keeping every other line as written."""
    text = path.read_text("utf-8")
    kept: list[str] = []
    in_hints = False
    for line in text.splitlines():
        if line.startswith("hints:"):
            in_hints = True
            continue
        if in_hints and _TOP_KEY.match(line):
            in_hints = False
        if not in_hints:
            kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    block = ["hints:"] + [
        "- {" + ", ".join(f"{k}: {json.dumps(str(r[k]), ensure_ascii=False)}" for k in _FIELDS) + "}"
        for r in records
    ]
    _atomic_text(path, "\n".join(kept + block) + "\n")


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, "utf-8")
    tmp.replace(path)
