"""File path answers (``path``): a file's place in a file system, however a tool printed it.

Tools disagree on separators (``\\`` in Windows tools, ``/`` in TSK), on whether
to show the volume (``C:``, ``p2:``, ``/dev/sda1``) and on trailing or doubled
separators. None of that changes which file is meant, so all of it is
normalised away. Letter case matters only where the file system says so:
FAT and NTFS ignore it (the default), ext4 does not (``case_sensitive: true``).
"""

from __future__ import annotations

import re
import unicodedata

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["PathChecker"]

# Volume prefixes: C:, p2:, vol3:, partition 2:, /dev/sda1, /dev/nvme0n1p2, \\?\ and \\.\ device forms.
_PREFIX = re.compile(
    r"^(?:\\\\[?.]\\)?(?:[A-Za-z]:|(?:p|part|partition|vol|volume)\s*\d+:"
    r"|/dev/(?:[sh]d[a-z]+\d*|nvme\d+n\d+(?:p\d+)?|loop\d+(?:p\d+)?|mmcblk\d+(?:p\d+)?))",
    re.IGNORECASE,
)


class PathChecker(Checker):
    """An absolute path inside one file system; ``expected`` is a path (or a list of accepted ones).

    Options:
        case_sensitive (bool, default false): letter case distinguishes files (ext, not FAT/NTFS).
    """

    name = "path"
    options = {"case_sensitive": False}

    def normalize(self, value: object) -> str:
        """``/Folder/file.txt``: one ``/`` between parts, no volume prefix, no trailing ``/``."""
        return self._read(value)[0]

    def prepare_expected(self, expected: object) -> list[str]:
        items = expected if isinstance(expected, list) else [expected]
        if not items:
            raise self._config_error("no expected path given")
        out = []
        for item in items:
            if not isinstance(item, str):
                raise self._config_error(f"expected path must be text, not {item!r}")
            try:
                out.append(self.normalize(item))
            except InvalidAnswer:
                raise self._config_error(f"expected {item!r} is not a usable path") from None
        return out

    def score(self, given: object, expected: list[str], max_points: float) -> CheckResult:
        path, dropped = self._read(given)
        note = [msg("path.read", path=path)] if dropped else []
        if path in expected:
            return correct(max_points, msg("joined", parts=[*note, msg("answer.correct")]))
        if self.settings["case_sensitive"] and path.casefold() in {e.casefold() for e in expected}:
            why = msg("path.case_differs")
        elif _name(path) in {_name(e) for e in expected}:
            why = msg("path.wrong_folder")
        elif _folder(path) in {_folder(e) for e in expected}:
            why = msg("path.wrong_name")
        else:
            why = msg("path.wrong")
        return wrong(max_points, msg("joined", parts=[*note, why]))

    def _read(self, value: object) -> tuple[str, bool]:
        """The normalised path, and whether a volume prefix was dropped."""
        text = unicodedata.normalize("NFC", as_text(value, "kind.path"))
        if "\x00" in text:
            raise InvalidAnswer(msg("path.invalid"))
        stripped = _PREFIX.sub("", text, count=1)
        dropped = stripped != text
        parts = [p for p in re.split(r"[\\/]+", stripped) if p not in ("", ".")]
        if any(p == ".." for p in parts):
            raise InvalidAnswer(msg("path.dotdot"))
        path = "/" + "/".join(parts)
        return (path if self.settings["case_sensitive"] else path.casefold()), dropped


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0]
