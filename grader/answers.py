"""Answers files: the YAML a trainee fills in, and the template ``fklab lab start`` writes.

Every scalar is kept as the text the trainee typed (see :mod:`grader.yamlfile`),
so ``0x400``, ``010.0.0.1`` or ``2024-03-01 10:00`` reach the checkers unchanged.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from grader.errors import AnswerFileError, LabDefinitionError
from grader.i18n import format_template
from grader.lab import Lab
from grader.schema import validate
from grader.yamlfile import decode, load_document, parse_text


@dataclass
class AnswerSheet:
    """One trainee's answers to one lab."""

    lab: str
    answers: dict[str, Any]
    trainee_name: str | None = None
    trainee_id: str | None = None
    variant: str | None = None
    evidence_sha256: dict[str, str | None] = field(default_factory=dict)
    hints: list[Any] = field(default_factory=list)
    source: str = "<answers>"
    lang: str | None = None


def parse_answers(document: Any, source: str, lab: Lab | None = None) -> AnswerSheet:
    """Check an answers document's shape and (given the lab) its question ids."""
    if not isinstance(document, dict):
        raise AnswerFileError(source, "expected a mapping with 'lab' and 'answers' at the top")
    try:
        if not _conforms(document):  # the schema's validator only for the error message: it is slow
            validate("answers", document, source)
    except LabDefinitionError as exc:
        raise AnswerFileError(source, exc.args[0].split(": ", 1)[-1]) from None
    answers = dict(document.get("answers") or {})
    if lab is not None:
        if document["lab"] != lab.id:
            raise AnswerFileError(source, f"answers are for lab {document['lab']!r}, not {lab.id!r}")
        unknown = [q for q in answers if q not in lab.question_ids]
        if unknown:
            raise AnswerFileError(
                source,
                f"unknown question id(s) {', '.join(map(str, unknown))} "
                f"(lab {lab.id} has {', '.join(lab.question_ids)})",
            )
    trainee = document.get("trainee") or {}
    variant = document.get("variant")
    return AnswerSheet(
        lab=document["lab"],
        answers=answers,
        trainee_name=trainee.get("name") or None,
        trainee_id=str(trainee["id"]) if trainee.get("id") not in (None, "") else None,
        variant=variant if variant not in ("", "null", "~") else None,
        evidence_sha256=dict(document.get("evidence_sha256") or {}),
        hints=list(document.get("hints") or []),
        source=source,
        lang=document.get("lang") or None,
    )


_TOP = {"lab", "trainee", "variant", "lang", "evidence_sha256", "answers", "hints"}
_SCALAR = (str, int, float, bool)


def _conforms(document: dict[str, Any]) -> bool:
    """True only when ``document`` certainly meets ``schemas/answers.schema.json`` (a fast path, same rules)."""
    if not _TOP.issuperset(document) or not isinstance(document.get("lab"), str) or "answers" not in document:
        return False
    trainee = document.get("trainee")
    if trainee is not None and not (isinstance(trainee, dict) and {"name", "id"}.issuperset(trainee)
                                    and isinstance(trainee.get("name"), str | type(None))
                                    and isinstance(trainee.get("id"), str | int | float | type(None))
                                    and not isinstance(trainee.get("id"), bool)):
        return False
    if not isinstance(document.get("variant"), str | type(None)) or document.get("lang") not in ("en", "ru", None):
        return False
    evidence = document.get("evidence_sha256")
    if evidence is not None and not (isinstance(evidence, dict)
                                     and all(isinstance(v, str | type(None)) for v in evidence.values())):
        return False
    if not isinstance(document.get("hints"), list | type(None)):
        return False
    answers = document.get("answers")
    if answers is None:
        return True
    if not isinstance(answers, dict):
        return False
    for value in answers.values():
        if value is None or isinstance(value, _SCALAR):
            continue
        if not isinstance(value, list) or not all(isinstance(i, str | int | float) and not isinstance(i, bool)
                                                  for i in value):
            return False
    return True


def load_answers(path: Path, lab: Lab | None = None) -> AnswerSheet:
    """Load a trainee's answers file (YAML or JSON, UTF-8, at most 1 MiB)."""
    path = Path(path)
    return _answers_document(load_document(path, AnswerFileError, as_text=True), str(path), lab)


def load_answers_bytes(data: bytes, name: str, lab: Lab | None = None) -> AnswerSheet:
    """An answers file read elsewhere (e.g. a zip member held in memory), with the same checks."""
    text = decode(data, name, AnswerFileError)
    return _answers_document(parse_text(text, Path(name), AnswerFileError, as_text=True), name, lab)


def _answers_document(document: Any, source: str, lab: Lab | None) -> AnswerSheet:
    # BaseLoader reads an empty value as '' and 'null' as text: normalise those to None.
    if isinstance(document, dict):
        for key in ("trainee", "evidence_sha256", "variant"):
            if document.get(key) in ("", "null", "~"):
                document[key] = None
        if document.get("answers") in ("", "null", "~"):
            document["answers"] = None
        if document.get("lang") in ("", "null", "~"):
            document["lang"] = None
    return parse_answers(document, source, lab)


def _comment(text: str, width: int = 92) -> str:
    return "\n".join("  # " + line for line in textwrap.wrap(" ".join(text.split()), width - 4))


def _worth(points: float, lang: str) -> str:
    """``1 point``, ``2 балла``: a question's points in the template's language."""
    forms = "{n:g} {n:plural:балл|балла|баллов}" if lang == "ru" else "{n:g} {n:plural:point|points}"
    return format_template(forms, lang, n=float(points))


def answers_template(
    lab: Lab,
    lang: str = "en",
    *,
    trainee_name: str | None = None,
    trainee_id: str | None = None,
    variant: str | None = None,
    evidence_sha256: dict[str, str] | None = None,
) -> str:
    """The answers file a trainee fills in: header, then one commented entry per question."""
    header = {
        "lab": lab.id,
        "trainee": {"name": trainee_name or "", "id": trainee_id or ""},
        "variant": variant,
        "evidence_sha256": evidence_sha256 or {},
    }
    intro = {
        "en": f"# fklab answers for {lab.id}: {lab.title['en']}\n"
        f"# Write each answer after its question id. Check with: fklab lab check {lab.id} answers.yaml\n",
        "ru": f"# Ответы fklab для {lab.id}: {lab.title['ru']}\n"
        f"# Впишите ответ после идентификатора вопроса. Проверка: fklab lab check {lab.id} answers.yaml\n",
    }[lang if lang in ("en", "ru") else "en"]
    lines = [intro, yaml.safe_dump(header, allow_unicode=True, sort_keys=False).rstrip(), "answers:"]
    for q in lab.questions:
        lines.append(_comment(f"{q.id} ({q.type}, {_worth(q.points, lang)}): {q.text_in(lang)}"))
        if q.format:
            lines.append(_comment(q.format.get(lang) or q.format["en"]))
        lines.append(f"  {q.id}:")
    return "\n".join(lines) + "\n"
