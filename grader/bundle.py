"""The trainee bundle: everything a class needs offline, and no answer.

``course.zip`` holds the labs (``lab.yaml``, briefs), the built evidence of the
default variant and of each trainee variant asked for, one sealed key per lab
and variant, an answers template per lab and variant, and instructions in
English and Russian. It never holds plain keys, solvers, recipes or
``truth.json`` (a recipe plus the builder would give the truth back). The zip is
deterministic (sorted entries, fixed times) and written atomically.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

from grader.answers import answers_template
from grader.course import Course
from grader.lab import list_labs
from grader.sealed import sealed_path
from grader.workflow import BuildFn, open_lab, seal

__all__ = ["FORBIDDEN_NAMES", "make_bundle"]

FORBIDDEN_NAMES = ("key.yaml", "solve.py", "truth.json", "course-secret")
_EPOCH = (1980, 1, 1, 0, 0, 0)

README = {
    "en": """# fklab course bundle (trainees)

Unpack this folder anywhere; it works offline. Each lab has a brief in `labs/<lab>/README.md`,
its evidence in `datasets/build/<case>/<variant>/` (`default` unless your instructor gave you an
id), and an answers file to fill in: `answers/<lab>/<variant>.yaml`.

    export FKLAB_HOME=$PWD                     # this folder
    fklab lab show disk-01                     # questions
    fklab disk ls datasets/build/disk-01/default/usb.dd --deleted
    cp answers/disk-01/default.yaml my-answers.yaml   # write your answers there
    fklab lab check disk-01 my-answers.yaml    # self-check against the sealed key, offline
    fklab lab hint disk-01 iban --answers my-answers.yaml   # a hint costs points

Self-check uses sealed keys: slow salted hashes of the answers, not the answers. Questions that
cannot be checked that way say "will be graded by your instructor". Hints you take are recorded
in your answers file with check codes; do not edit the `hints:` list (edits are reported).
Hand in your answers file as your instructor says.
""",
    "ru": """# Комплект курса fklab (для слушателей)

Распакуйте папку куда угодно; всё работает офлайн. У каждой лабораторной есть описание
`labs/<lab>/README.ru.md`, улики в `datasets/build/<case>/<variant>/` (`default`, если
преподаватель не выдал вам идентификатор) и файл ответов `answers/<lab>/<variant>.yaml`.

    export FKLAB_HOME=$PWD                     # эта папка
    fklab --lang ru lab show disk-01           # вопросы
    fklab disk ls datasets/build/disk-01/default/usb.dd --deleted
    cp answers/disk-01/default.yaml my-answers.yaml   # впишите ответы сюда
    fklab --lang ru lab check disk-01 my-answers.yaml # самопроверка по запечатанному ключу, офлайн
    fklab --lang ru lab hint disk-01 iban --answers my-answers.yaml   # подсказка стоит баллов

Самопроверка идёт по запечатанным ключам: это медленные хеши с солью, а не сами ответы. Вопросы,
которые так проверить нельзя, помечены «оценит преподаватель». Взятые подсказки записываются в
файл ответов с контрольными кодами; не редактируйте список `hints:` (правки будут видны).
Сдайте файл ответов так, как скажет преподаватель.
""",
}


def make_bundle(course: Course, out: Path, build: BuildFn, variants: list[str] | None = None) -> list[str]:
    """Write the bundle zip to ``out``; return the names of its members."""
    files: dict[str, bytes] = {"README.md": README["en"].encode(), "README.ru.md": README["ru"].encode()}
    with tempfile.TemporaryDirectory(prefix="fklab-bundle-") as scratch:
        for lab in list_labs(course.labs):
            for name in ("lab.yaml", "README.md", "README.ru.md"):
                path = lab.directory / name
                if path.exists():
                    files[f"labs/{lab.id}/{name}"] = path.read_bytes()
            for material in lab.materials:
                files[f"labs/{lab.id}/{material.name}"] = material.read_bytes()
            for variant in [None, *(variants or [])]:
                ctx = open_lab(course, lab.id, variant, build)
                for ref in lab.evidence:
                    source = ctx.evidence[ref.artefact]
                    files[f"datasets/build/{ref.dataset}/{variant or 'default'}/{source.name}"] = source.read_bytes()
                sealed = seal(course, lab.id, variant, build, Path(scratch))
                files[sealed_path(Path("solutions"), lab.id, variant).as_posix()] = sealed.read_bytes()
                template = answers_template(lab, "en", trainee_id=variant, variant=variant,
                                            evidence_sha256=ctx.evidence_sha256())
                files[f"answers/{lab.id}/{variant or 'default'}.yaml"] = template.encode()
    bad = [name for name in files if Path(name).name in FORBIDDEN_NAMES]
    assert not bad, bad  # a programming error, never a trainee's
    _write_zip(Path(out), files)
    return sorted(files)


def _write_zip(out: Path, files: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(buffer.getvalue())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
