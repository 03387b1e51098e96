"""Set answers (``set``): several items in any order, with partial credit.

Score = max(0, right - penalty * wrong) / len(expected) * max_points, where
``wrong`` counts items that should not be there (including unreadable ones).
With the default penalty of 1 each wrong item cancels a right one, so listing
everything cannot earn marks. Repeated items count once.
"""

from __future__ import annotations

import re
from typing import Any

from grader.checkers.base import (
    Checker,
    CheckResult,
    Outcome,
    correct,
    is_blank,
    wrong,
    wrong_kind,
)
from grader.checkers.hashes import HashChecker
from grader.checkers.network import IpChecker, MacChecker
from grader.checkers.numeric import IntegerChecker
from grader.checkers.paths import PathChecker
from grader.checkers.text import TextChecker
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["SetChecker"]

#: item_type -> (checker that normalises one item, kind message for reasons).
_ITEM_TYPES: dict[str, tuple[type[Checker], str]] = {
    "text": (TextChecker, "kind.text"),
    "ip": (IpChecker, "kind.ip"),
    "hash": (HashChecker, "kind.hash"),
    "integer": (IntegerChecker, "kind.integer"),
    "path": (PathChecker, "kind.path"),
    "mac": (MacChecker, "kind.mac"),
}
_SPLIT = re.compile(r"[,;\n]")


class SetChecker(Checker):
    """Items in any order; ``expected`` is a non-empty list.

    The answer is a list, or text with items separated by commas, semicolons
    or new lines.

    Options:
        item_type (text, default ``text``): how items are read and compared:
            ``text`` (case-insensitive), ``ip``, ``hash``, ``integer``, ``path``
            (case-insensitive, as on FAT/NTFS) or ``mac``.
        penalty (number, default 1.0): right items each wrong item cancels.
    """

    name = "set"
    options = {"item_type": "text", "penalty": 1.0}

    def _check_options(self) -> None:
        item_type = self.settings["item_type"]
        if item_type not in _ITEM_TYPES:
            known = ", ".join(_ITEM_TYPES)
            raise self._config_error(f"unknown item_type '{item_type}' (known: {known})")
        if float(self.settings["penalty"]) < 0:  # type: ignore[arg-type]
            raise self._config_error("option 'penalty' must not be negative")
        self._item = _ITEM_TYPES[str(item_type)][0]()
        self._kind = _ITEM_TYPES[str(item_type)][1]

    def normalize(self, value: object) -> list[Any]:
        """The items of an answer as a list, before per-item normalisation."""
        if isinstance(value, str):
            return [part.strip() for part in _SPLIT.split(value) if part.strip()]
        if isinstance(value, list | tuple | set):
            return list(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [value]
        raise wrong_kind("kind.list", value)

    def prepare_expected(self, expected: object) -> set[Any]:
        if not isinstance(expected, list) or not expected:
            raise self._config_error(f"expected must be a non-empty list, not {expected!r}")
        items: set[Any] = set()
        for item in expected:
            try:
                key = self._item.normalize(item)
            except InvalidAnswer:
                raise self._config_error(f"expected item {item!r} is not a valid "
                                         f"{self.settings['item_type']}") from None
            if key in items:
                raise self._config_error(f"expected item {item!r} is listed twice")
            items.add(key)
        return items

    def score(self, given: object, expected: set[Any], max_points: float) -> CheckResult:
        seen: set[Any] = set()
        unreadable = duplicates = 0
        for item in self.normalize(given):
            if is_blank(item):
                continue
            try:
                key = self._item.normalize(item)
            except InvalidAnswer:
                unreadable += 1
                continue
            if key in seen:
                duplicates += 1
            seen.add(key)
        if not seen and not unreadable:
            return CheckResult(Outcome.MISSING, 0.0, float(max_points), msg("answer.missing"))
        right = len(seen & expected)
        extra = len(seen - expected)
        if right == len(expected) and extra == 0 and unreadable == 0:
            return correct(max_points)
        penalty = float(self.settings["penalty"])  # type: ignore[arg-type]
        earned = max(0.0, right - penalty * (extra + unreadable)) / len(expected)
        points = round(min(1.0, earned) * max_points, 6)
        parts = [msg("set.right", right=right, total=len(expected))]
        if extra:
            parts.append(msg("set.extra", count=extra))
        if unreadable:
            parts.append(msg("set.unreadable", count=unreadable, kind=msg(self._kind)))
        if duplicates:
            parts.append(msg("set.duplicates", count=duplicates))
        reason = msg("joined", parts=parts)
        if points <= 0:
            return wrong(max_points, reason)
        return CheckResult(Outcome.PARTIAL, points, float(max_points), reason)
