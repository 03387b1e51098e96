"""File path answers (``path``): a file's place in a file system, however a tool printed it.

Tools disagree on separators (``\\`` in Windows tools, ``/`` in TSK), on whether
to show the volume (``C:``, ``p2:``, ``/dev/sda1``) and on trailing or doubled
separators. None of that changes which file is meant, so all of it is
normalised away. Letter case matters only where the file system says so: the key's
``fs`` (FAT, exFAT and NTFS ignore case; ext2/3/4 do not), or ``case_sensitive``.
NTFS streams may be written ``name:stream`` (TSK) or ``name:stream:$DATA`` (Windows), and a
deleted FAT name may show its lost first character as ``_`` or ``?`` where the key allows.
"""

from __future__ import annotations

import re
import unicodedata

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong
from grader.errors import InvalidAnswer
from grader.i18n import msg
from grader.notations.files import (
    check_fs_options,
    fat_like,
    fs_case_sensitive,
    lost_first_matches,
    lost_form,
    stream_form,
)

__all__ = ["PathChecker"]

# Volume prefixes: C:, p2:, vol3:, partition 2:, /dev/sda1, /dev/nvme0n1p2, \\?\ and \\.\ device forms.
_PREFIX = re.compile(
    r"^(?:\\\\[?.]\\)?(?:[A-Za-z]:|(?:p|part|partition|vol|volume)\s*\d+:"
    r"|/dev/(?:[sh]d[a-z]+\d*|nvme\d+n\d+(?:p\d+)?|loop\d+(?:p\d+)?|mmcblk\d+(?:p\d+)?))",
    re.IGNORECASE,
)


_FLS_LINE = re.compile(
    r"(?:[-rdlvcbshwp?]/[-rdlvcbshwp?]|-/-)\s+(?:\*\s+)?\d+(?:-\d+-\d+)?(?:\(realloc\))?:\s+(?P<path>\S.*)",
)


class PathChecker(Checker):
    """An absolute path inside one file system; ``expected`` is a path (or a list of accepted ones).

    Options:
        fs (text, default ``""``): the file system (``fat16``, ``ntfs``, ``exfat``, ``ext4``...):
            decides whether letter case counts and whether deleted FAT names may show a lost first character.
        case_sensitive (bool, default: by ``fs``; false when no ``fs`` is given, as on FAT/NTFS).
        first_char (``lost`` or ``counts``, default lost): on FAT, whether a deleted name's lost
            first character (``_`` in TSK, ``?`` elsewhere) must be recovered.
    """

    name = "path"
    options = {"case_sensitive": None, "fs": "", "first_char": "lost"}

    def _check_options(self) -> None:
        check_fs_options(self.name, self.settings["fs"], self.settings["first_char"])
        chosen = self.settings["case_sensitive"]
        if chosen is not None and not isinstance(chosen, bool):
            raise self._config_error(f"option 'case_sensitive' must be true or false, not {chosen!r}")
        if chosen is None:
            by_fs = fs_case_sensitive(str(self.settings["fs"])) if self.settings["fs"] else None
            self.settings["case_sensitive"] = bool(by_fs)

    def normalize(self, value: object) -> str:
        """``/Folder/file.txt``: one ``/`` between parts, no volume prefix, no trailing ``/``."""
        return self._read(value)[0]

    def forms(self, value: object) -> list[str]:
        """The path, then (a deleted FAT name showing its lost first character) its loose form."""
        path = self.normalize(value)
        loose = self._loose(path, True)
        return [path, loose] if loose else [path]

    def expected_forms(self, item: str) -> list[str]:
        loose = self._loose(item, False)
        return [item, loose] if loose else [item]

    def _loose(self, path: str, given: bool) -> str | None:
        folder, _, name = path.rpartition("/")
        lost = lost_form(name, str(self.settings["fs"]), str(self.settings["first_char"]), given)
        return f"{folder}/{lost}" if lost else None

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
        loose = self._loose(path, True)
        if loose and loose in {f for e in expected for f in self.expected_forms(e)}:
            return correct(max_points, msg("joined", parts=[*note, msg("fat.read_lost"), msg("answer.correct")]))
        if fat_like(str(self.settings["fs"])) and any(
                _folder(path) == _folder(e) and lost_first_matches(_name(path), _name(e), True) for e in expected):
            why = msg("fat.first_char")  # the key wants the lost first character recovered
        elif _stem(path) in {_stem(e) for e in expected}:
            why = msg("stream.wrong")
        elif self.settings["case_sensitive"] and path.casefold() in {e.casefold() for e in expected}:
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
        if "\x00" in text or len(text) > 4096:
            raise InvalidAnswer(msg("path.invalid"))
        fls = _FLS_LINE.fullmatch(text.strip())
        if fls:  # a whole fls line: "r/r * 26-128-1(realloc):	Docs/invoice.pdf"
            text = fls.group("path")
        text = re.sub(r"^file://(?:localhost)?/?(?=[A-Za-z]:|/)", "", text.strip(), flags=re.IGNORECASE)
        stripped = _PREFIX.sub("", text, count=1)
        dropped = stripped != text
        stripped, _ = stream_form(stripped)
        parts = [p for p in re.split(r"[\\/]+", stripped) if p not in ("", ".")]
        if any(p == ".." for p in parts):
            raise InvalidAnswer(msg("path.dotdot"))
        path = "/" + "/".join(parts)
        return (path if self.settings["case_sensitive"] else path.casefold()), dropped


def _stem(path: str) -> str:
    """The path without an NTFS stream name (``/a/b.txt:s`` -> ``/a/b.txt``)."""
    folder, _, name = path.rpartition("/")
    return f"{folder}/{name.partition(':')[0]}"


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0]
