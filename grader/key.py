"""Answer keys: ``solutions/<lab>/key.yaml``.

An expected value is either literal or a reference into the dataset's ground
truth (``{truth: items.transfer.sha256}``), resolved per variant, so one key
grades every trainee's own evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.checkers import Checker, make_checker
from grader.errors import GraderError, LabDefinitionError
from grader.lab import Lab
from grader.schema import validate
from grader.yamlfile import load_document


@dataclass(frozen=True)
class KeyEntry:
    question: str
    expected: Any
    options: dict[str, Any] = field(default_factory=dict)
    explanation: str | None = None


@dataclass(frozen=True)
class AnswerKey:
    lab: str
    path: Path
    entries: dict[str, KeyEntry]

    def checker(self, lab: Lab, qid: str) -> Checker:
        """The configured checker of question ``qid`` (made once: a class asks for it per submission)."""
        cache = self.__dict__.get("_checkers")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_checkers", cache)
        made = cache.get((lab.id, qid))
        if made is None:
            entry = self.entries[qid]
            made = cache[lab.id, qid] = make_checker(lab.question(qid).type, entry.options)
        return made

    def prepared(self, lab: Lab, qid: str, truths: dict[str, dict[str, Any]]) -> tuple[Any, Any]:
        """(expected value, checker-prepared form) of ``qid`` for one variant's ``truths``, computed once."""
        cache = self.__dict__.get("_prepared")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_prepared", cache)
        hit = cache.get((lab.id, qid))
        if hit is not None and hit[0] is truths:
            return hit[1], hit[2]
        expected = resolve(self.entries[qid].expected, truths, lab.datasets[0])
        ready = self.checker(lab, qid).prepare_expected(expected)
        cache[lab.id, qid] = (truths, expected, ready)  # holding truths: an id is never reused while cached
        return expected, ready


def load_key(path: Path, lab: Lab) -> AnswerKey:
    """Load a key and check it covers exactly the lab's questions with valid checker options."""
    path = Path(path)
    document = load_document(path, LabDefinitionError)
    validate("key", document, str(path))
    if document["lab"] != lab.id:
        raise LabDefinitionError(str(path), f"key is for lab {document['lab']!r}, not {lab.id!r}")
    entries: dict[str, KeyEntry] = {}
    for qid, raw in document["answers"].items():
        if qid not in lab.question_ids:
            raise LabDefinitionError(str(path), f"question {qid}: not a question of lab {lab.id}")
        entries[qid] = KeyEntry(qid, raw["expected"], dict(raw.get("options") or {}), raw.get("explanation"))
        try:
            checker = make_checker(lab.question(qid).type, entries[qid].options)
            if not _refers_to_truth(entries[qid].expected):
                checker.validate_expected(entries[qid].expected)
        except GraderError as exc:
            raise LabDefinitionError(str(path), f"question {qid}: {exc}") from None
    missing = [q for q in lab.question_ids if q not in entries]
    if missing:
        raise LabDefinitionError(str(path), f"no expected answer for: {', '.join(missing)}")
    return AnswerKey(lab.id, path, entries)


def _refers_to_truth(value: Any) -> bool:
    if isinstance(value, dict):
        return "truth" in value or any(_refers_to_truth(v) for v in value.values())
    if isinstance(value, list):
        return any(_refers_to_truth(v) for v in value)
    return False


def lookup(truth: dict[str, Any], dotted: str) -> Any:
    """Follow a dotted path (``items.transfer.sha256``, list indexes allowed) into truth."""
    node: Any = truth
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(dotted)
    return node


def resolve(value: Any, truths: dict[str, dict[str, Any]], default_dataset: str) -> Any:
    """Replace every ``{truth: path}`` inside ``value`` with the truth's value."""
    if isinstance(value, dict) and "truth" in value:
        dataset = value.get("dataset", default_dataset)
        if dataset not in truths:
            raise GraderError(f"key refers to dataset {dataset!r}, which the lab does not use")
        try:
            return lookup(truths[dataset], value["truth"])
        except KeyError:
            raise GraderError(f"truth of {dataset} has no {value['truth']!r}") from None
    if isinstance(value, dict):
        return {k: resolve(v, truths, default_dataset) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, truths, default_dataset) for v in value]
    return value


def load_truth(path: Path) -> dict[str, Any]:
    """Read a dataset build's truth.json."""
    try:
        return json.loads(Path(path).read_text("utf-8"))
    except FileNotFoundError:
        raise GraderError(f"{path}: dataset not built (run: fklab datasets build)") from None
    except (OSError, ValueError) as exc:
        raise GraderError(f"{path}: unreadable truth file: {exc}") from None
