"""``fklab datasets new NAME``: a new case that builds, solves and grades at 100% from the start.

Writes a commented recipe (``datasets/NAME.yaml``: a 12 MiB MBR disk with a
FAT16 partition, a live note and a deleted one holding a per-trainee code), the
lab (``labs/NAME/lab.yaml`` with two questions, English and Russian README
stubs) and its answer key and reference solver (``solutions/NAME/``). The
trainer then edits all of them together; the tests keep the scaffold honest.
"""

from __future__ import annotations

import re
from pathlib import Path

from forensics_kit.errors import ForensicsKitError

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*$")


class ScaffoldError(ForensicsKitError):
    """The case name is invalid or a file of the case exists already."""


RECIPE = """\
# __NAME__: a new case (scaffolded by `fklab datasets new`). Edit freely, then:
#   fklab datasets build __NAME__     # evidence + truth.json in datasets/build/__NAME__/default/
#   fklab lab solve __NAME__          # the reference solver must still score 100%
# Every key is explained in datasets/README.md.
case: __NAME__
title:
  en: "New case __NAME__"
  ru: "Новое дело __NAME__"
seed: 1                                # seed of the default build; trainees get their own
window: {start: "2024-03-01T00:00:00Z", end: "2024-03-31T00:00:00Z"}   # every planted time inside

parameters:                            # values that differ per trainee: use them as {{ name }}
  code: {type: pattern, pattern: "AAA-####"}
  t_note: {type: time, start: "2024-03-02T08:00:00Z", end: "2024-03-10T20:00:00Z"}
  t_secret: {type: time, start: "2024-03-11T08:00:00Z", end: "2024-03-20T20:00:00Z"}

evidence:
  - id: disk                           # the key of this evidence in truth.json and lab.yaml
    type: disk
    file: disk.dd                      # or disk.E01 with container: {format: e01, examiner: ...}
    size: 12MiB
    scheme: mbr                        # none (one file system), mbr or gpt
    partitions:
      - id: data
        size: 9MiB                     # starts at 1MiB unless `start:` says otherwise
        filesystem: {type: fat16, label: DATA}   # fat12/16/32, ext2/3/4, ntfs
        items:
          - id: note
            path: "/Notes/todo.txt"
            content: {text: "buy stamps\\ncall the bank\\n"}
            times: {modified: "{{ t_note }}"}
          - id: secret
            path: "/Notes/access.txt"
            deleted: true              # recoverable with icat / fklab disk cat
            content: {text: "door code {{ code }}\\n"}
            times: {modified: "{{ t_secret }}"}
"""

LAB = """\
id: __NAME__
title:
  en: "New case __NAME__"
  ru: "Новое дело __NAME__"
summary:
  en: "A disk image with one deleted note. Find it and read the code it holds."
  ru: "Образ диска с одной удалённой заметкой. Найдите её и прочитайте код."
difficulty: beginner
minutes: 30
objectives:
  - en: "List deleted files in a partitioned image"
    ru: "Находить удалённые файлы в образе с разделами"
evidence:
  - dataset: __NAME__
    artefact: disk
    description:
      en: "Raw (dd) image of the disk"
      ru: "Побитовый (dd) образ диска"
questions:
  - id: deleted_path
    text:
      en: "Give the full path of the deleted file."
      ru: "Укажите полный путь удалённого файла."
    type: path
    points: 1
    hints:
      - text: {en: "fklab disk ls IMAGE --deleted", ru: "fklab disk ls ОБРАЗ --deleted"}
        cost: 0.25
  - id: code
    text:
      en: "Which door code does the deleted file give?"
      ru: "Какой код двери указан в удалённом файле?"
    type: text
    points: 2
"""

KEY = """\
lab: __NAME__
answers:
  deleted_path:
    expected: {truth: items.secret.path}
    options: {fs: fat16}              # FAT ignores case; ext2/3/4 paths are compared case-sensitively
  code:
    expected: {truth: parameters.code}
"""

SOLVER = '''\
"""Reference solver for __NAME__: answers from the image alone, as a trainee would."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forensics_kit.disk import open_image

CODE = re.compile(rb"door code ([A-Z]{3}-[0-9]{4})")


def solve(evidence: dict[str, Path], log: Callable[[str], None]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    with open_image(evidence["disk"]) as image:
        deleted = [r for r in image.walk() if r.deleted and r.type == "file"]
        log(f"disk ls --deleted: {', '.join(r.path for r in deleted)}")
        for record in deleted:
            match = CODE.search(image.read(inode=record.inode, partition=record.partition))
            if match:
                log(f"disk cat --inode {record.inode}: {record.path} gives the code {match.group(1).decode()}")
                answers["deleted_path"] = record.path
                answers["code"] = match.group(1).decode()
    return answers
'''

README_EN = """\
# __NAME__ — New case

## The case
Describe the case here: who, what was seized, what the investigator needs to know.

## Tools you may need
- `fklab disk info disk.dd` — partitions and file systems
- `fklab disk ls disk.dd --deleted` — deleted files
- `fklab disk cat disk.dd --inode N` — a file's content
"""

README_RU = """\
# __NAME__ — Новое дело

## Фабула
Опишите дело: кто, что изъято, что нужно установить.

## Полезные команды
- `fklab disk info disk.dd` — разделы и файловые системы
- `fklab disk ls disk.dd --deleted` — удалённые файлы
- `fklab disk cat disk.dd --inode N` — содержимое файла
"""


def scaffold_case(root: str | Path, name: str) -> list[Path]:
    """Write the new case's recipe, lab and solution under the course ``root``; return the files.

    Raises:
        ScaffoldError: the name is not ``^[a-z][a-z0-9-]*$`` or one of the files exists
            (nothing is written then).
    """
    if not NAME_PATTERN.match(name):
        raise ScaffoldError(f"case name {name!r}: use lower-case letters, digits and '-', starting with a letter")
    root = Path(root)
    files = {
        root / "datasets" / f"{name}.yaml": RECIPE,
        root / "labs" / name / "lab.yaml": LAB,
        root / "labs" / name / "README.md": README_EN,
        root / "labs" / name / "README.ru.md": README_RU,
        root / "solutions" / name / "key.yaml": KEY,
        root / "solutions" / name / "solve.py": SOLVER,
    }
    existing = [path for path in files if path.exists()]
    if existing:
        raise ScaffoldError(f"{existing[0]} exists already: choose another name (nothing was written)")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("__NAME__", name), encoding="utf-8")
    return list(files)
