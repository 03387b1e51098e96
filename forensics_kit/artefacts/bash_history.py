"""``.bash_history``: the commands a user typed, with their times when HISTTIMEFORMAT was set.

With HISTTIMEFORMAT, bash writes ``#<epoch seconds>`` before each entry; the lines
up to the next stamp are one entry (a multi-line command). Lines before the
first stamp (history from before the variable was set) have no time.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from forensics_kit.artefacts._source import load_text
from forensics_kit.timefmt import iso_utc

_STAMP = re.compile(r"^#(\d{9,11})\s*$")


@dataclass(frozen=True)
class Command:
    """One history entry: ``time`` ISO UTC (None without HISTTIMEFORMAT), the command, its first line number."""

    line: int
    time: str | None
    command: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_bash_history(text: str | bytes | Path, name: str | None = None) -> list[Command]:
    """Every entry of a bash history file, in file order."""
    text, _ = load_text(text, name)
    commands: list[Command] = []
    stamp: int | None = None
    pending: list[str] = []
    first_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        match = _STAMP.match(line)
        if match:
            _flush(commands, first_line, stamp, pending)
            pending = []
            stamp, first_line = int(match.group(1)), number + 1
            continue
        if stamp is None:
            if line.strip():
                commands.append(Command(number, None, line))
            continue
        if not pending:
            first_line = number
        pending.append(line)
    _flush(commands, first_line, stamp, pending)
    return commands


def _flush(commands: list[Command], line: int, stamp: int | None, pending: list[str]) -> None:
    body = "\n".join(pending).strip("\n")
    if body:
        commands.append(Command(line, iso_utc(stamp) if stamp else None, body))
