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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from grader.answers import AnswerSheet, answers_template, load_answers, parse_answers
from grader.course import EVIDENCE_MANIFEST, Course
from grader.errors import GraderError
from grader.feedback import apply_level, count_checks, limit_reasons
from grader.grade import LabResult, grade_sheet
from grader.hints import course_secret, hint_key_for, new_record, verify_hints, write_hints
from grader.i18n import Message, msg
from grader.key import AnswerKey, load_key, load_truth
from grader.lab import Hint, Lab, load_lab

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
        prebuilt = folder / EVIDENCE_MANIFEST  # a trainee bundle's evidence: names and hashes only
        truths[dataset] = load_truth(prebuilt if prebuilt.exists() and not (folder / "truth.json").exists()
                                     else folder / "truth.json")
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
    """A started lab: its folder, the answers file and the evidence copies; ``moved_aside`` is
    where an older workspace went when ``force`` replaced it."""

    directory: Path
    answers: Path
    evidence: dict[str, Path]
    moved_aside: Path | None = None


class WorkspaceConflict(GraderError):
    """The folder already holds a workspace for another lab or variant (or an unreadable one).

    Starting there would swap the evidence under answers written for other evidence, so
    :func:`start_lab` refuses unless told to move the old workspace aside.
    """

    def __init__(self, directory: Path, lab: str | None, variant: str | None) -> None:
        self.directory, self.lab, self.variant = Path(directory), lab, variant
        found = "an unreadable answers file" if lab is None else f"lab {lab}, variant {variant or 'default'}"
        super().__init__(f"{directory}: already a workspace for {found}; start in another folder "
                         f"(--dir) or move it aside with --force (answers are kept)")


EVIDENCE_HASHES = ".sha256.json"
"""In a workspace's ``evidence/``: the SHA-256 of each copy with its size and mtime, so
``lab check`` can tell a swapped copy without hashing unchanged evidence again."""


def _existing_workspace(workdir: Path, lab_id: str, variant: str | None) -> None:
    """Raise :class:`WorkspaceConflict` if ``workdir`` holds a workspace for other evidence."""
    answers = workdir / "answers.yaml"
    if not answers.exists():
        return
    try:
        sheet = load_answers(answers)
    except GraderError:
        raise WorkspaceConflict(workdir, None, None) from None
    if sheet.lab != lab_id or (sheet.variant or None) != (variant or None):
        raise WorkspaceConflict(workdir, sheet.lab, sheet.variant)


def _move_aside(workdir: Path) -> Path | None:
    """Rename an existing workspace to ``<name>.previous-N`` (never delete a trainee's work)."""
    if not workdir.exists() or not any(workdir.iterdir()):
        return None
    number = 1
    while (aside := workdir.with_name(f"{workdir.name}.previous-{number}")).exists():
        number += 1
    workdir.rename(aside)
    return aside


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
    force: bool = False,
) -> Workspace:
    """Make a trainee workspace: read-only copies of the evidence, the brief, an answers template.

    An existing answers file is never overwritten: a trainee's work is not lost. A folder that
    holds a workspace for another lab or variant is refused (:class:`WorkspaceConflict`);
    with ``force`` it is moved aside to ``<folder>.previous-N`` and a new one is made.
    """
    ctx = open_lab(course, lab_id, variant, build)
    workdir = Path(workdir)
    moved_aside = None
    try:
        _existing_workspace(workdir, lab_id, variant)
    except WorkspaceConflict:
        if not force:
            raise
        moved_aside = _move_aside(workdir)
    import shutil  # only here: lab check, the command run most, does not pay for it (bz2, lzma)

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
    _record_hashes(evidence_dir, {copies[a].name: d for a, d in ctx.evidence_sha256().items()})
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
    return Workspace(workdir, answers, copies, moved_aside)


def _record_hashes(evidence_dir: Path, digests: dict[str, str]) -> None:
    entries = {}
    for name, digest in sorted(digests.items()):
        info = (evidence_dir / name).stat()
        entries[name] = {"sha256": digest, "size": info.st_size, "mtime_ns": info.st_mtime_ns}
    (evidence_dir / EVIDENCE_HASHES).write_text(json.dumps(entries, indent=1) + "\n", "utf-8")


def workspace_evidence_sha256(evidence_dir: Path) -> dict[str, str]:
    """SHA-256 of each evidence copy in a workspace (file name -> digest).

    A copy whose size and mtime are those recorded at ``lab start`` keeps its recorded digest;
    any other file is hashed, so a swapped or changed copy is always seen.
    """
    try:
        recorded = json.loads((evidence_dir / EVIDENCE_HASHES).read_text("utf-8"))
    except (OSError, ValueError):
        recorded = {}
    if not isinstance(recorded, dict):
        recorded = {}
    out: dict[str, str] = {}
    for path in sorted(evidence_dir.iterdir()) if evidence_dir.is_dir() else []:
        if path.name == EVIDENCE_HASHES or not path.is_file() or path.is_symlink():
            continue
        info, entry = path.stat(), recorded.get(path.name)
        if (isinstance(entry, dict) and entry.get("size") == info.st_size
                and entry.get("mtime_ns") == info.st_mtime_ns and isinstance(entry.get("sha256"), str)):
            out[path.name] = entry["sha256"]
        else:
            out[path.name] = _sha256(path)
    return out


def _workspace_warnings(lab: Lab, sheet: AnswerSheet, answers_path: Path) -> list[Message]:
    """Warn when the workspace's evidence copies are not the evidence the answers file names."""
    evidence_dir = Path(answers_path).parent / "evidence"
    if not evidence_dir.is_dir():
        return []
    present = workspace_evidence_sha256(evidence_dir)
    digests = set(present.values())
    warnings = []
    for ref in lab.evidence:
        stated = (sheet.evidence_sha256.get(ref.artefact) or "").strip().lower()
        if stated and stated not in digests:
            warnings.append(msg("workspace_evidence_differs", artefact=ref.artefact, folder=str(evidence_dir)))
    return warnings


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
        from grader.sealed import grade_sealed, load_sealed, sealed_path  # its thread pool and HMACs: only here

        result = grade_sealed(lab, load_sealed(sealed_path(course.solutions, lab.id, sheet.variant), lab), sheet)
    else:
        result = grade_lab_sheet(course, sheet, build)
    if lab.self_checks is not None:  # after N different answers to a question, its reason is withheld
        result = limit_reasons(result, count_checks(Path(answers_path), result), lab.self_checks)
    result = apply_level(result, lab.feedback)
    extra = _workspace_warnings(lab, sheet, Path(answers_path))
    return replace(result, warnings=tuple(result.warnings) + tuple(extra)) if extra else result


def seal(course: Course, lab_id: str, variant: str | None, build: BuildFn, out_root: Path | None = None) -> Path:
    """Write the sealed key of ``lab_id`` for ``variant`` (default: under ``solutions/``); return its path."""
    from grader.sealed import seal_lab, sealed_path

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


def next_hint(course: Course, lab_id: str, question: str, answers_path: Path) -> HintTaken:
    """The hint :func:`take_hint` would show next, recording nothing (so a prompt can show its cost).

    ``new`` is False when every hint of the question was already taken: showing it again is free.
    """
    lab = find_lab(course, lab_id)
    q = lab.question(question)
    if not q.hints:
        raise GraderError(f"question {question} of {lab.id} has no hints")
    sheet = load_answers(Path(answers_path), lab)
    taken = verify_hints(sheet.hints, hint_key_for(course, lab.id, sheet.variant), lab).taken.get(question, set())
    number = len(taken) + 1
    if number > len(q.hints):
        return HintTaken(question, len(q.hints), len(q.hints), q.hints[-1], False)
    return HintTaken(question, number, len(q.hints), q.hints[number - 1], True)


def take_hint(course: Course, lab_id: str, question: str, answers_path: Path) -> HintTaken:
    """Show the next hint for ``question`` and record it in the answers file (chained HMAC).

    When every hint of the question was already taken, the last one is shown again
    and nothing is recorded (it costs nothing more).
    """
    shown = next_hint(course, lab_id, question, answers_path)
    if not shown.new:
        return shown
    lab = find_lab(course, lab_id)
    path = Path(answers_path)
    sheet = load_answers(path, lab)
    key = hint_key_for(course, lab.id, sheet.variant)
    records = [r for r in sheet.hints if isinstance(r, dict)]
    records.append(new_record(key, sheet.hints, question, shown.number))
    write_hints(path, records)
    if load_answers(path, lab).answers != sheet.answers:  # never damage a trainee's answers
        raise GraderError(f"{path}: could not record the hint without changing the answers")
    return shown


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
