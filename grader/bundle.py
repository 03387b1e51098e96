"""The trainee bundle: everything a class needs on a laptop with no network, and no answer.

``fklab bundle --out DIR`` writes the folder ``DIR`` and ``DIR.zip`` with the same files:

- ``wheels/``: fklab and every dependency as wheels per Python version and platform
  (:mod:`grader.wheelhouse`), with ``install.sh`` (Linux, macOS) and ``install.bat``
  (Windows) that install them offline into ``.venv``;
- the labs (``lab.yaml``, briefs, materials), the built evidence of the default variant and
  of every trainee on the roster, each build folder with ``evidence.json`` (file names and
  SHA-256 only: what ``lab start`` needs to copy and check the evidence);
- one sealed key and one answers template per lab and variant, instructions in English and
  Russian.

It never holds plain keys, solvers, recipes or ``truth.json`` (a recipe plus the builder
would give the truth back), so trainee variants are prebuilt here, never built offline.
The zip is deterministic (sorted entries, fixed times); both are written to a fresh
temporary sibling first and moved into place, so nothing is written through a link.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.answers import answers_template
from grader.course import EVIDENCE_MANIFEST, Course
from grader.errors import GraderError
from grader.hints import DEFAULT_SECRET, course_secret
from grader.lab import list_labs
from grader.sealed import sealed_path
from grader.wheelhouse import TargetReport
from grader.workflow import BuildFn, open_lab, seal

__all__ = ["FORBIDDEN_NAMES", "BundleError", "BundleReport", "NoCourseSecret", "make_bundle", "read_roster"]

FORBIDDEN_NAMES = ("key.yaml", "solve.py", "truth.json", "course-secret")
_EPOCH = (1980, 1, 1, 0, 0, 0)
_TRAINEE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

Progress = Callable[[str, int, int], None]
Wheelhouse = Callable[[Path], list[TargetReport]]
"""``fill(wheels_dir) -> reports``: puts the wheels into the folder (see :mod:`grader.wheelhouse`)."""


class BundleError(GraderError):
    """The bundle cannot be made as asked (no course secret, a bad roster, a folder in the way)."""


class NoCourseSecret(BundleError):
    """The course has no secret of its own (``solutions/course-secret``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"{path}: no course secret is set, so trainees could forge hint records; "
                         "set one (see README) or pass --allow-default-secret for practice")


@dataclass
class BundleReport:
    """What was packed: where, which labs and variants, the files, the wheels per target."""

    folder: Path
    zip: Path
    labs: list[str]
    variants: list[str]
    files: list[str]
    evidence_bytes: int
    wheels: list[TargetReport] = field(default_factory=list)
    default_secret: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "folder": str(self.folder), "zip": str(self.zip), "labs": self.labs, "variants": self.variants,
            "files": len(self.files), "evidence_bytes": self.evidence_bytes, "default_secret": self.default_secret,
            "wheels": [{"python": r.target.python, "os": r.target.os, "complete": r.complete,
                        "missing": r.missing, "packages": len(r.packages)} for r in self.wheels],
        }


def read_roster(path: Path) -> list[str]:
    """Trainee ids from a roster: CSV with an ``id`` (or ``trainee_id``) column, else the first column.

    Blank lines and ``#`` comments are skipped; every id must be a plain name (letters,
    digits, ``.``, ``_``, ``-``; at most 64), since it names folders in the bundle.
    """
    try:
        text = Path(path).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: cannot read the roster: {exc}") from None
    rows = [row for row in csv.reader(line for line in text.splitlines() if line.strip()
                                      and not line.lstrip().startswith("#")) if row]
    if not rows:
        raise BundleError(f"{path}: the roster lists no trainee")
    header = [cell.strip().lower() for cell in rows[0]]
    column = next((header.index(name) for name in ("id", "trainee_id", "trainee") if name in header), None)
    body = rows[1:] if column is not None else rows
    ids = []
    for number, row in enumerate(body, 2 if column is not None else 1):
        value = row[column or 0].strip() if len(row) > (column or 0) else ""
        if not _TRAINEE_ID.fullmatch(value):
            raise BundleError(f"{path}: row {number}: {value[:40]!r} is not a trainee id "
                              "(letters, digits, '.', '_', '-'; at most 64)")
        ids.append(value)
    return list(dict.fromkeys(ids))


def make_bundle(
    course: Course,
    out: Path,
    build: BuildFn,
    variants: Iterable[str] | None = None,
    *,
    labs: Iterable[str] | None = None,
    wheelhouse: Wheelhouse | None = None,
    allow_default_secret: bool = False,
    progress: Progress | None = None,
) -> BundleReport:
    """Write the bundle folder and its zip (``out`` names either); return what was packed.

    Refuses (:class:`BundleError`) when the course has no secret of its own, unless
    ``allow_default_secret``: sealed keys and hint records made with the built-in secret can
    be forged by anyone who has fklab.
    """
    default_secret = course_secret(course) == DEFAULT_SECRET
    if default_secret and not allow_default_secret:
        raise NoCourseSecret(course.solutions / "course-secret")
    out = Path(out)
    folder, archive = (out.with_suffix(""), out) if out.suffix == ".zip" else (out, out.with_name(out.name + ".zip"))
    for path in (folder, archive):
        if path.exists() or path.is_symlink():
            raise BundleError(f"{path}: already exists; remove it or choose another --out")
    wanted = list(dict.fromkeys(v for v in (variants or []) if v))
    for variant in wanted:
        if not _TRAINEE_ID.fullmatch(variant) or variant == "default":
            raise BundleError(f"{variant[:40]!r} is not a trainee id (letters, digits, '.', '_', '-'; at most 64)")
    chosen = _labs(course, labs)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        evidence_bytes = _fill(course, chosen, wanted, build, scratch, progress)
        reports = wheelhouse(scratch / "wheels") if wheelhouse else []
        if reports:
            _put(scratch, "wheels.txt", _wheels_text(reports).encode())
        names = sorted(p.relative_to(scratch).as_posix() for p in scratch.rglob("*") if p.is_file())
        bad = [name for name in names if Path(name).name in FORBIDDEN_NAMES]
        assert not bad, bad  # a programming error, never a trainee's
        _write_zip(scratch, names, archive, progress)
        os.rename(scratch, folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return BundleReport(folder, archive, [lab.id for lab in chosen], ["default", *wanted], names,
                        evidence_bytes, reports, default_secret)


def _wheels_text(reports: list[TargetReport]) -> str:
    lines = ["# Platforms this bundle installs on offline / Платформы, для которых пакеты собраны полностью", ""]
    for report in reports:
        state = "complete / полный" if report.complete else "INCOMPLETE / НЕПОЛНЫЙ: no wheel for " + ", ".join(
            report.missing)
        lines.append(f"{report.target}: {state}")
    return "\n".join(lines) + "\n"


def _labs(course: Course, labs: Iterable[str] | None):
    every = list_labs(course.labs)
    if labs is None:
        return every
    wanted = list(dict.fromkeys(labs))
    known = {lab.id: lab for lab in every}
    unknown = [lab for lab in wanted if lab not in known]
    if unknown:
        raise BundleError(f"no lab {unknown[0]!r} (labs: {', '.join(known)})")
    return [known[lab] for lab in wanted]


def _put(root: Path, name: str, data: bytes) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _fill(course: Course, labs, variants: list[str], build: BuildFn, root: Path,
          progress: Progress | None) -> int:
    """Write labs, evidence, manifests, sealed keys, templates, READMEs and installers into ``root``."""
    for name, text in (("README.md", README["en"]), ("README.ru.md", README["ru"]),
                       ("install.sh", INSTALL_SH), ("install.bat", INSTALL_BAT)):
        _put(root, name, text.encode())
    (root / "install.sh").chmod(0o755)
    evidence_bytes = 0
    steps = len(labs) * (1 + len(variants))
    done = 0
    for lab in labs:
        for name in ("lab.yaml", "README.md", "README.ru.md"):
            if (lab.directory / name).exists():
                _put(root, f"labs/{lab.id}/{name}", (lab.directory / name).read_bytes())
        for material in lab.materials:
            _put(root, f"labs/{lab.id}/{material.name}", material.read_bytes())
        for variant in [None, *variants]:
            if progress:
                progress("packing", done, steps)
            ctx = open_lab(course, lab.id, variant, build)
            for dataset, truth in ctx.truths.items():
                manifest = {"case": dataset, "variant": variant or "default", "artefacts": {
                    artefact: {"file": entry["file"], "sha256": entry["sha256"]}
                    for artefact, entry in sorted(truth.get("artefacts", {}).items())}}
                _put(root, f"datasets/build/{dataset}/{variant or 'default'}/{EVIDENCE_MANIFEST}",
                     (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
            for ref in lab.evidence:
                source = ctx.evidence[ref.artefact]
                target = root / f"datasets/build/{ref.dataset}/{variant or 'default'}/{source.name}"
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)
                    evidence_bytes += target.stat().st_size
            sealed = seal(course, lab.id, variant, build, root / ".sealing")
            _put(root, sealed_path(Path("solutions"), lab.id, variant).as_posix(), sealed.read_bytes())
            template = answers_template(lab, "en", trainee_id=variant, variant=variant,
                                        evidence_sha256=ctx.evidence_sha256())
            _put(root, f"answers/{lab.id}/{variant or 'default'}.yaml", template.encode())
            done += 1
    shutil.rmtree(root / ".sealing", ignore_errors=True)
    if progress:
        progress("packing", steps, steps)
    return evidence_bytes


def _write_zip(root: Path, names: list[str], out: Path, progress: Progress | None) -> None:
    """A deterministic zip of ``names`` under ``root``, streamed to a temporary file then moved."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with os.fdopen(fd, "wb") as stream, zipfile.ZipFile(stream, "w") as archive:
            for number, name in enumerate(names, 1):
                info = zipfile.ZipInfo(name, date_time=_EPOCH)
                info.external_attr = (0o755 if name == "install.sh" else 0o644) << 16
                info.compress_type = zipfile.ZIP_STORED if name.endswith(".whl") else zipfile.ZIP_DEFLATED
                with open(root / name, "rb") as source, archive.open(info, "w", force_zip64=True) as member:
                    shutil.copyfileobj(source, member, 1 << 20)
                if progress and number % 50 == 0:
                    progress("zipping", number, len(names))
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


INSTALL_SH = """#!/bin/sh
# Install fklab from the wheels beside this script, with no network, into ./.venv
# (Linux and macOS; needs CPython 3.11-3.13 as python3, or set PYTHON=/path/to/python3.12).
set -e
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
"$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --no-index --find-links wheels fklab
echo "fklab is installed. Run:  . .venv/bin/activate   then:  fklab lab list"
echo "fklab установлен. Выполните:  . .venv/bin/activate   затем:  fklab --lang ru lab list"
"""

INSTALL_BAT = """@echo off
rem Install fklab from the wheels beside this script, with no network, into .venv
rem (Windows x86-64; needs CPython 3.11-3.13 from python.org, "py" launcher or python.exe).
cd /d "%~dp0"
py -3 -m venv .venv 2>nul || python -m venv .venv || goto :error
.venv\\Scripts\\python -m pip install --quiet --no-index --find-links wheels fklab || goto :error
echo fklab is installed. Run:  .venv\\Scripts\\activate   then:  fklab lab list
echo fklab установлен. Выполните:  .venv\\Scripts\\activate   затем:  fklab --lang ru lab list
exit /b 0
:error
echo Installation failed / Установка не удалась
exit /b 1
"""

README = {
    "en": """# fklab course bundle (trainees)

Everything here works with no network. Copy the folder (or unpack the zip) anywhere.

## 1. Install once

- Linux, macOS: `sh install.sh`, then `. .venv/bin/activate`
- Windows: double-click `install.bat` (or run it in a terminal), then `.venv\\Scripts\\activate`

It needs CPython 3.11, 3.12 or 3.13; the wheels for each platform are in `wheels/`
(`wheels.txt` says which platforms are complete).

## 2. Work a lab

Inside this folder (or anywhere, with `FKLAB_HOME` set to it):

    fklab lab list
    fklab lab start disk-01 --trainee t-01      # your id from your instructor
    fklab lab show disk-01                      # the questions
    fklab disk ls disk-01/evidence/usb.dd --deleted
    # write your answers into disk-01/answers.yaml
    fklab lab check disk-01 disk-01/answers.yaml   # self-check against the sealed key
    fklab lab hint disk-01 iban --answers disk-01/answers.yaml   # a hint costs points

`lab start` copies your variant's evidence (read-only) into `disk-01/evidence/`, with the brief
and an answers file. Self-check uses sealed keys: slow salted hashes of the answers, not the
answers. Questions that cannot be checked that way say "will be graded by your instructor".
Hints you take are recorded in your answers file with check codes; do not edit the `hints:` list
(edits are reported). Hand in your answers file as your instructor says.
""",
    "ru": """# Комплект курса fklab (для слушателей)

Всё здесь работает без сети. Скопируйте папку (или распакуйте zip) куда угодно.

## 1. Установка (один раз)

- Linux, macOS: `sh install.sh`, затем `. .venv/bin/activate`
- Windows: дважды щёлкните `install.bat` (или запустите его в терминале), затем `.venv\\Scripts\\activate`

Нужен CPython 3.11, 3.12 или 3.13; пакеты для каждой платформы лежат в `wheels/`
(в `wheels.txt` сказано, для каких платформ набор полный).

## 2. Работа с лабораторной

В этой папке (или в любой другой, если `FKLAB_HOME` указывает на неё):

    fklab --lang ru lab list
    fklab --lang ru lab start disk-01 --trainee t-01     # ваш идентификатор выдаст преподаватель
    fklab --lang ru lab show disk-01                     # вопросы
    fklab disk ls disk-01/evidence/usb.dd --deleted
    # впишите ответы в disk-01/answers.yaml
    fklab --lang ru lab check disk-01 disk-01/answers.yaml   # самопроверка по запечатанному ключу
    fklab --lang ru lab hint disk-01 iban --answers disk-01/answers.yaml   # подсказка стоит баллов

`lab start` копирует объекты исследования вашего варианта (только для чтения) в
`disk-01/evidence/` вместе с описанием и файлом ответов. Самопроверка идёт по запечатанным
ключам: это медленные хеши ответов с солью, а не сами ответы. Вопросы, которые так проверить
нельзя, помечены «оценит преподаватель». Взятые подсказки записываются в файл ответов с
контрольными кодами; не правьте вручную список `hints:` (правки будут видны). Сдайте файл
ответов так, как скажет преподаватель.
""",
}
