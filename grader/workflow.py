"""The trainee's and instructor's lab workflow: start a workspace, check answers, run a solver.

The grader never imports the analysis or building code: whoever drives the
workflow (the CLI, a test) passes a ``build`` callable that makes sure a dataset
is built and returns its build folder. This keeps ``grader`` free of pytsk3/scapy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.answers import AnswerSheet, answers_template, load_answers, parse_answers
from grader.course import Course
from grader.errors import GraderError
from grader.grade import LabResult, grade_sheet
from grader.hints import course_secret, hint_key_for, new_record, verify_hints, write_hints
from grader.key import AnswerKey, load_key, load_truth
from grader.lab import Hint, Lab, load_lab
from grader.sealed import grade_sealed, load_sealed, seal_lab, sealed_path

BuildFn = Callable[[str, str | None], Path]
"""``build(dataset_id, variant) -> build folder`` holding the artefacts and truth.json."""


@dataclass(frozen=True)
class LabContext:
    """A lab with its key, the truth of each dataset and the evidence files, for one variant."""

    lab: Lab
    variant: str | None
    truths: dict[str, dict[str, Any]]
    evidence: dict[str, Path]

    def evidence_sha256(self) -> dict[str, str]:
        out = {}
        for ref in self.lab.evidence:
            out[ref.artefact] = self.truths[ref.dataset]["artefacts"][ref.artefact]["sha256"]
        return out


def find_lab(course: Course, lab_id: str) -> Lab:
    """Load a lab by id; an unknown id gets an error listing the labs there are."""
    lab_dir = course.lab_dir(lab_id)
    if not lab_id or "/" in lab_id or not (lab_dir / "lab.yaml").exists():
        known = ", ".join(p.parent.name for p in sorted(course.labs.glob("*/lab.yaml")))
        raise GraderError(f"no lab {lab_id!r} (labs: {known})")
    return load_lab(lab_dir)


def open_lab(course: Course, lab_id: str, variant: str | None, build: BuildFn) -> LabContext:
    """Load the lab and make sure its datasets are built for ``variant``."""
    lab = find_lab(course, lab_id)
    truths: dict[str, dict[str, Any]] = {}
    evidence: dict[str, Path] = {}
    for dataset in lab.datasets:
        folder = build(dataset, variant)
        truths[dataset] = load_truth(folder / "truth.json")
    for ref in lab.evidence:
        artefacts = truths[ref.dataset].get("artefacts", {})
        if ref.artefact not in artefacts:
            raise GraderError(f"{lab.path}: dataset {ref.dataset} has no artefact {ref.artefact!r}")
        evidence[ref.artefact] = course.build_dir(ref.dataset, variant) / artefacts[ref.artefact]["file"]
    return LabContext(lab, variant, truths, evidence)


def lab_key(course: Course, lab: Lab) -> AnswerKey:
    return load_key(course.solutions / lab.id / "key.yaml", lab)


@dataclass(frozen=True)
class Workspace:
    directory: Path
    answers: Path
    evidence: dict[str, Path]


def start_lab(
    course: Course,
    lab_id: str,
    workdir: Path,
    build: BuildFn,
    *,
    lang: str = "en",
    trainee_name: str | None = None,
    trainee_id: str | None = None,
    variant: str | None = None,
) -> Workspace:
    """Make a trainee workspace: read-only copies of the evidence, the brief, an answers template.

    An existing answers file is never overwritten: a trainee's work is not lost.
    """
    ctx = open_lab(course, lab_id, variant, build)
    workdir = Path(workdir)
    evidence_dir = workdir / "evidence"
    evidence_dir.mkdir(parents=True, exist_ok=True)
    copies: dict[str, Path] = {}
    for artefact, source in ctx.evidence.items():
        target = evidence_dir / source.name
        if not target.exists() or _sha256(target) != ctx.evidence_sha256()[artefact]:
            if target.exists():
                os.chmod(target, 0o644)
            shutil.copyfile(source, target)
            os.chmod(target, 0o444)
        copies[artefact] = target
    shutil.copyfile(ctx.lab.readme(lang), workdir / ctx.lab.readme(lang).name)
    for material in ctx.lab.materials:  # rules files, hash lists: the trainee may edit their copy
        if not (workdir / material.name).exists():
            shutil.copyfile(material, workdir / material.name)
    answers = workdir / "answers.yaml"
    if not answers.exists():
        answers.write_text(
            answers_template(
                ctx.lab,
                lang,
                trainee_name=trainee_name,
                trainee_id=trainee_id,
                variant=variant,
                evidence_sha256=ctx.evidence_sha256(),
            ),
            "utf-8",
        )
    return Workspace(workdir, answers, copies)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_answers(
    course: Course, lab_id: str, answers_path: Path, build: BuildFn, *, sealed: bool | None = None
) -> LabResult:
    """Grade one answers file against the variant it names.

    With the plain key (an instructor's checkout) the answers are graded against
    the dataset truth; without it (a trainee's bundle), or with ``sealed=True``,
    against the sealed key of that variant, offline and without building anything.
    """
    lab = find_lab(course, lab_id)
    sheet = load_answers(Path(answers_path), lab)
    if sealed or (sealed is None and not (course.solutions / lab.id / "key.yaml").exists()):
        return grade_sealed(lab, load_sealed(sealed_path(course.solutions, lab.id, sheet.variant), lab), sheet)
    return grade_lab_sheet(course, sheet, build)


def seal(course: Course, lab_id: str, variant: str | None, build: BuildFn, out_root: Path | None = None) -> Path:
    """Write the sealed key of ``lab_id`` for ``variant`` (default: under ``solutions/``); return its path."""
    ctx = open_lab(course, lab_id, variant, build)
    document = seal_lab(ctx.lab, lab_key(course, ctx.lab), ctx.truths, variant, course_secret(course),
                        ctx.evidence_sha256())
    path = sealed_path(out_root or course.solutions, ctx.lab.id, variant)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", "utf-8")
    tmp.replace(path)
    return path


def grade_lab_sheet(course: Course, sheet: AnswerSheet, build: BuildFn) -> LabResult:
    """Grade an already parsed sheet (the class grader reuses this)."""
    ctx = open_lab(course, sheet.lab, sheet.variant, build)
    key = hint_key_for(course, ctx.lab.id, sheet.variant)
    return grade_sheet(ctx.lab, lab_key(course, ctx.lab), ctx.truths, sheet, hint_key=key)


@dataclass(frozen=True)
class HintTaken:
    """The hint shown to a trainee: its text and cost, which one of how many, and if it is new."""

    question: str
    number: int
    total: int
    hint: Hint
    new: bool


def take_hint(course: Course, lab_id: str, question: str, answers_path: Path) -> HintTaken:
    """Show the next hint for ``question`` and record it in the answers file (chained HMAC).

    When every hint of the question was already taken, the last one is shown again
    and nothing is recorded (it costs nothing more).
    """
    lab = find_lab(course, lab_id)
    q = lab.question(question)
    if not q.hints:
        raise GraderError(f"question {question} of {lab.id} has no hints")
    path = Path(answers_path)
    sheet = load_answers(path, lab)
    key = hint_key_for(course, lab.id, sheet.variant)
    taken = verify_hints(sheet.hints, key, lab).taken.get(question, set())
    number = len(taken) + 1
    if number > len(q.hints):
        return HintTaken(question, len(q.hints), len(q.hints), q.hints[-1], False)
    records = [r for r in sheet.hints if isinstance(r, dict)]
    records.append(new_record(key, sheet.hints, question, number))
    write_hints(path, records)
    if load_answers(path, lab).answers != sheet.answers:  # never damage a trainee's answers
        raise GraderError(f"{path}: could not record the hint without changing the answers")
    return HintTaken(question, number, len(q.hints), q.hints[number - 1], True)


@dataclass(frozen=True)
class Solution:
    answers: dict[str, Any]
    walkthrough: list[str]


def run_solver(course: Course, lab_id: str, variant: str | None, build: BuildFn) -> tuple[LabContext, Solution]:
    """Run ``solutions/<lab>/solve.py`` on the evidence alone (it never sees truth.json)."""
    ctx = open_lab(course, lab_id, variant, build)
    script = course.solutions / lab_id / "solve.py"
    spec = importlib.util.spec_from_file_location(f"fklab_solver_{lab_id.replace('-', '_')}", script)
    if spec is None or spec.loader is None or not script.exists():
        raise GraderError(f"{script}: no reference solver")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    notes: list[str] = []
    answers = module.solve(dict(ctx.evidence), notes.append)
    return ctx, Solution(dict(answers), notes)


def solution_document(ctx: LabContext, solution: Solution) -> dict[str, Any]:
    """The solver's answers as an answers-file document for that variant."""
    return {
        "lab": ctx.lab.id,
        "trainee": {"name": "reference solver", "id": "solver"},
        "variant": ctx.variant,
        "evidence_sha256": ctx.evidence_sha256(),
        "answers": _plain(solution.answers),
    }


def solution_sheet(ctx: LabContext, solution: Solution) -> AnswerSheet:
    """The solver's answers as a parsed sheet, ready to grade."""
    return parse_answers(solution_document(ctx, solution), f"solutions/{ctx.lab.id}/solve.py", ctx.lab)


def _plain(answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as a trainee would write them: text, or lists of text."""
    out: dict[str, Any] = {}
    for qid, value in answers.items():
        if isinstance(value, (list, tuple, set)):
            out[qid] = [str(v) for v in value]
        else:
            out[qid] = None if value is None else str(value)
    return out


def write_sheet(path: Path, sheet_document: dict[str, Any]) -> None:
    Path(path).write_text(yaml.safe_dump(sheet_document, allow_unicode=True, sort_keys=False), "utf-8")
