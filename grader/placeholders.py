"""Placeholder text a trainer left in a lab (from ``fklab datasets new``, or a draft's TODO).

``lab show`` warns about it, so a lab does not reach a class with "Describe the case here" in
its brief. The grader does not import the builder: the scaffold's phrases are listed here, and
a test checks the scaffold's brief, lab and key are all caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Placeholder", "find_placeholders"]

_PHRASES = re.compile(
    r"(?i:Describe the case here|Опишите дело:|— New case|— Новое дело|Lorem ipsum|<(?:write|describe|fill)[^>]*>)"
    r"|__[A-Z]+__|\bTODO\b|\bTBD\b|\bFIXME\b|\?\?\?",  # markers in capitals only: a brief may name todo.txt
)


@dataclass(frozen=True)
class Placeholder:
    """Where placeholder text stands: the file, its line and the words found."""

    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: placeholder text left: {self.text!r}"


def find_placeholders(lab_dir: Path) -> list[Placeholder]:
    """Placeholder text in a lab's ``lab.yaml`` and briefs (``README*.md``), in file and line order."""
    found = []
    for path in sorted([Path(lab_dir) / "lab.yaml", *Path(lab_dir).glob("README*.md")]):
        try:
            lines = path.read_text("utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            found.extend(Placeholder(path, number, m.group(0)) for m in _PHRASES.finditer(line))
    return found
