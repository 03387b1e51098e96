"""Lab definitions: ``labs/<id>/lab.yaml``, checked against ``schemas/lab.schema.json``.

A lab names its evidence (dataset recipe id + artefact id) and its questions,
each with an answer type from :mod:`grader.checkers`, points and costed hints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.checkers import known_types
from grader.errors import LabDefinitionError
from grader.schema import validate
from grader.yamlfile import parse_text, read_text


@dataclass(frozen=True)
class Hint:
    text: dict[str, str]
    cost: float


@dataclass(frozen=True)
class Question:
    id: str
    text: dict[str, str]
    type: str
    points: float
    format: dict[str, str] | None = None
    hints: tuple[Hint, ...] = ()

    def text_in(self, lang: str) -> str:
        return self.text.get(lang) or self.text["en"]


@dataclass(frozen=True)
class EvidenceRef:
    dataset: str
    artefact: str
    description: dict[str, str] | None = None


@dataclass(frozen=True)
class Lab:
    id: str
    path: Path
    title: dict[str, str]
    summary: dict[str, str]
    difficulty: str
    minutes: int
    objectives: tuple[dict[str, str], ...]
    evidence: tuple[EvidenceRef, ...]
    questions: tuple[Question, ...] = field(default_factory=tuple)
    order: int | None = None
    feedback: str = "full"  # full | kind | none: how much reasons show the trainee
    self_checks: int | None = None  # different answers per question self-checked before reasons are withheld

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def datasets(self) -> list[str]:
        """Dataset ids the lab uses, in order, without repeats."""
        return list(dict.fromkeys(ref.dataset for ref in self.evidence))

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise LabDefinitionError(str(self.path), f"no question {qid!r} (questions: {', '.join(self.question_ids)})")

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.questions]

    @property
    def materials(self) -> list[Path]:
        """Files the trainee works with besides the evidence (a YARA rules file, a hash list).

        Every regular, visible file of the lab folder other than ``lab.yaml`` and the briefs.
        """
        skip = {"lab.yaml", "README.md", "README.ru.md"}
        return sorted(
            p for p in self.directory.iterdir() if p.is_file() and not p.is_symlink()
            and p.name not in skip and not p.name.startswith(".")
        )

    def readme(self, lang: str) -> Path:
        ru = self.directory / "README.ru.md"
        return ru if lang == "ru" and ru.exists() else self.directory / "README.md"


def parse_lab(document: Any, source: Path) -> Lab:
    """Build a Lab from a loaded document, checking schema, ids and answer types."""
    validate("lab", document, str(source))
    if document["id"] != source.parent.name:
        raise LabDefinitionError(str(source), f"id {document['id']!r} does not match its folder {source.parent.name!r}")
    seen: set[str] = set()
    questions = []
    types = set(known_types())
    for raw in document["questions"]:
        qid = raw["id"]
        if qid in seen:
            raise LabDefinitionError(str(source), f"question {qid}: duplicate question id")
        seen.add(qid)
        if raw["type"] not in types:
            raise LabDefinitionError(
                str(source), f"question {qid}: unknown answer type {raw['type']!r} (known: {', '.join(sorted(types))})"
            )
        hints = tuple(Hint(h["text"], float(h["cost"])) for h in raw.get("hints", []))
        if sum(h.cost for h in hints) > raw["points"]:
            raise LabDefinitionError(str(source), f"question {qid}: hints cost more than the question is worth")
        questions.append(Question(qid, raw["text"], raw["type"], float(raw["points"]), raw.get("format"), hints))
    return Lab(
        id=document["id"],
        path=source,
        title=document["title"],
        summary=document["summary"],
        difficulty=document["difficulty"],
        minutes=document["minutes"],
        objectives=tuple(document["objectives"]),
        evidence=tuple(EvidenceRef(e["dataset"], e["artefact"], e.get("description")) for e in document["evidence"]),
        questions=tuple(questions),
        order=document.get("order"),
        feedback=document.get("feedback", "full"),
        self_checks=document.get("self_checks"),
    )


def load_lab(path: Path) -> Lab:
    """Load and check ``lab.yaml`` (or a lab folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "lab.yaml"
    text = read_text(path, LabDefinitionError)
    memo_key = (str(path), text)
    lab = _LOADED.get(memo_key)
    if lab is None:
        lab = parse_lab(parse_text(text, path, LabDefinitionError), path)
        if len(_LOADED) >= 64:
            _LOADED.clear()
        _LOADED[memo_key] = lab
    return lab


_LOADED: dict[tuple[str, str], Lab] = {}
"""Labs already parsed in this process, by path and text: one ``lab check`` finds its lab twice."""


def list_labs(labs_dir: Path) -> list[Lab]:
    """Every lab under ``labs_dir``, in timetable order (``order``), then by id."""
    labs = [load_lab(p) for p in sorted(Path(labs_dir).glob("*/lab.yaml"))]
    return sorted(labs, key=lambda lab: (lab.order is None, lab.order or 0, lab.id))
