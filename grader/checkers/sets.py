"""Set answers (``set``): several items in any order, with partial credit.

Score = max(0, right - penalty * max(0, wrong - missing)) / len(expected) * max_points,
where ``wrong`` counts items that should not be there (including unreadable ones) and
``missing`` the expected items not given. A wrong item in the place of a missing one (a
misspelling) costs that one item, not two; wrong items beyond that cost ``penalty`` each,
so with the default of 1 listing everything cannot earn marks. Repeated items count once.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
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
from grader.checkers.locations import LocationChecker, OffsetChecker
from grader.checkers.network import CidrChecker, IpChecker, MacChecker
from grader.checkers.numeric import IntegerChecker
from grader.checkers.paths import PathChecker
from grader.checkers.text import TextChecker
from grader.checkers.timestamps import TimestampChecker
from grader.errors import CheckerConfigError, InvalidAnswer
from grader.i18n import msg
from grader.notations import known_notations

__all__ = ["ExpectedItems", "SetChecker", "expected_items", "item_checker", "item_types", "set_result"]

#: item_type -> (checker that normalises one item, kind message for reasons).
_ITEM_TYPES: dict[str, tuple[type[Checker], str]] = {
    "text": (TextChecker, "kind.text"),
    "ip": (IpChecker, "kind.ip"),
    "hash": (HashChecker, "kind.hash"),
    "integer": (IntegerChecker, "kind.integer"),
    "path": (PathChecker, "kind.path"),
    "mac": (MacChecker, "kind.mac"),
    "location": (LocationChecker, "kind.location"),
    "offset": (OffsetChecker, "kind.offset"),
    "cidr": (CidrChecker, "kind.network"),
    "timestamp": (TimestampChecker, "kind.time"),
}
_SPLIT = re.compile(r"[,;\n]")
#: Most items a sealed self-check hashes for one answer (each costs one scrypt, ~50 ms).
MAX_SEALED_ITEMS = 64


def item_types() -> list[str]:
    """Every ``item_type`` a set or ordered answer may use: answer types and text kinds."""
    return sorted(set(_ITEM_TYPES) | set(known_notations()))


def item_checker(owner: Checker, item_type: object, item_options: dict[str, object]) -> tuple[Checker, str]:
    """The checker reading one item of ``owner`` (a set or ordered answer), and its kind message."""
    if item_type in _ITEM_TYPES:
        cls, kind = _ITEM_TYPES[str(item_type)]
        return cls(**item_options), kind
    if item_type in known_notations():
        return TextChecker(kind=item_type, **item_options), "kind.text"
    raise owner._config_error(f"unknown item_type '{item_type}' (known: {', '.join(item_types())})")


class SetChecker(Checker):
    """Items in any order; ``expected`` is a non-empty list.

    The answer is a list, or text with items separated by commas, semicolons or new lines.

    Options:
        item_type (text, default ``text``): how items are read and compared: an answer type
            (``text``, ``ip``, ``hash``, ``integer``, ``path``, ``mac``, ``location``, ``offset``,
            ``cidr``, ``timestamp``) or a text kind (``domain``, ``email``, ``port``, ``phone``,
            ``filename``, ``username``, ``password``, ``url``, ``uri``, ``iban``, ``file_type``...).
        penalty (number, default 1.0): right items each wrong item cancels, for wrong items beyond
            the missing ones (a misspelled item costs that item, not two).
        Any option of the item type (``fs``, ``case_sensitive``, ``protocol``, ``country``...) is
        passed on to it.
    """

    name = "set"
    options = {"item_type": "text", "penalty": 1.0}

    def __init__(self, **options: object) -> None:
        own = {k: v for k, v in options.items() if k in self.options}
        self._item_options = {k: v for k, v in options.items() if k not in self.options}
        super().__init__(**own)
        self.settings.update(self._item_options)

    def _check_options(self) -> None:
        if float(self.settings["penalty"]) < 0:  # type: ignore[arg-type]
            raise self._config_error("option 'penalty' must not be negative")
        try:
            self._item, self._kind = item_checker(self, self.settings["item_type"], self._item_options)
        except CheckerConfigError as exc:
            if exc.checker == self.name:
                raise
            raise self._config_error(f"item_type '{self.settings['item_type']}': {exc.problem}") from None

    def normalize(self, value: object) -> list[Any]:
        """The items of an answer as a list, before per-item normalisation."""
        if isinstance(value, str):
            return [part.strip() for part in _SPLIT.split(value) if part.strip()]
        if isinstance(value, list | tuple | set):
            return list(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return [value]
        raise wrong_kind("kind.list", value)

    def prepare_expected(self, expected: object) -> ExpectedItems:
        if not isinstance(expected, list) or not expected:
            raise self._config_error(f"expected must be a non-empty list, not {expected!r}")
        return expected_items(self, self._item, expected)

    def too_many(self, total: int) -> int | None:
        """Items given (distinct, or unreadable) from which no answer can earn anything, or None.

        Wrong items beyond the missing ones number (given - total) whatever is right, so once
        ``penalty * (given - total) >= total`` the answer is worth nothing: reading stops there,
        and a 60,000-item list costs what its first few items cost.
        """
        penalty = float(self.settings["penalty"])  # type: ignore[arg-type]
        return math.ceil(total + total / penalty) if penalty > 0 else None

    def read_items(self, given: object, stop_at: int | None = None) -> tuple[list[list[Any]], int, int]:
        """(forms of each distinct readable item, in order; unreadable count; repeats), up to ``stop_at`` items."""
        out: list[list[Any]] = []
        seen: set[Any] = set()
        unreadable = duplicates = 0
        forms_of = getattr(self._item, "forms", None)
        for item in self.normalize(given):
            if stop_at is not None and len(out) + unreadable >= stop_at:
                break
            if is_blank(item):
                continue
            try:
                forms = forms_of(item) if forms_of else [self._item.normalize(item)]
            except InvalidAnswer:
                unreadable += 1
                continue
            if forms[0] in seen:
                duplicates += 1
                continue
            seen.add(forms[0])
            out.append(forms)
        return out, unreadable, duplicates

    def score(self, given: object, expected: ExpectedItems, max_points: float) -> CheckResult:
        limit = self.too_many(expected.count)
        items, unreadable, duplicates = self.read_items(given, limit)
        if not items and not unreadable:
            return CheckResult(Outcome.MISSING, 0.0, float(max_points), msg("answer.missing"))
        if limit is not None and len(items) + unreadable >= limit:
            return wrong(max_points, msg("set.too_many", count=len(items) + unreadable, total=expected.count))
        right, extra, repeated = tally(items, lambda forms: next(
            (expected.index[f] for f in forms if f in expected.index), None))
        return set_result(right, expected.count, extra, unreadable, duplicates + repeated,
                          float(self.settings["penalty"]), max_points, self._kind)  # type: ignore[arg-type]


class ExpectedItems:
    """Expected items of a set or timeline: every accepted form -> the item's index, and their count."""

    def __init__(self, index: dict[Any, int], count: int, forms: list[list[Any]]) -> None:
        self.index, self.count, self.forms = index, count, forms

    def __iter__(self) -> Any:
        return iter(form[0] for form in self.forms)

    def __len__(self) -> int:
        return self.count


def expected_items(owner: Checker, item: Checker, expected: list[Any]) -> ExpectedItems:
    """Read a key's list of items (each once) with ``item``; key errors name the bad one."""
    index: dict[Any, int] = {}
    forms: list[list[Any]] = []
    read = getattr(item, "normalize_expected", item.normalize)
    for number, value in enumerate(expected):
        try:
            key = read(value)
        except (InvalidAnswer, CheckerConfigError):
            raise owner._config_error(f"expected item {value!r} is not a valid "
                                      f"{owner.settings['item_type']}") from None
        if key in index:
            raise owner._config_error(f"expected item {value!r} is listed twice")
        accepted = item.expected_forms(key) if hasattr(item, "expected_forms") else [key]
        forms.append(accepted)
        for form in accepted:
            index.setdefault(form, number)
    return ExpectedItems(index, len(expected), forms)


def tally(items: Iterable[Any], find: Callable[[Any], int | None]) -> tuple[int, int, int]:
    """(expected items matched, extra items, repeats of one already matched) of a set answer, where
    ``find(forms)`` gives the expected item an answer item is, or None (plain and sealed keys alike)."""
    matched: set[int] = set()
    extra = repeated = 0
    for forms in items:
        hit = find(forms)
        if hit is None:
            extra += 1
        elif hit in matched:
            repeated += 1
        else:
            matched.add(hit)
    return len(matched), extra, repeated


def set_result(right: int, total: int, extra: int, unreadable: int, duplicates: int, penalty: float,
               max_points: float, kind: str) -> CheckResult:
    """Score of a set answer: ``max(0, right - penalty * wrong beyond the missing) / total``."""
    if right == total and extra == 0 and unreadable == 0:
        return correct(max_points)
    missing = total - right
    wrong_items = extra + unreadable
    charged = max(0, wrong_items - missing)  # a wrong item in place of a missing one costs that item only
    earned = max(0.0, right - penalty * charged) / total
    points = round(min(1.0, earned) * max_points, 6)
    parts = [msg("set.right", right=right, total=total)]
    if extra:
        parts.append(msg("set.extra", count=extra))
    if unreadable:
        parts.append(msg("set.unreadable", count=unreadable, kind=msg(kind)))
    if wrong_items and missing:
        parts.append(msg("set.instead", count=min(wrong_items, missing)))
    if duplicates:
        parts.append(msg("set.duplicates", count=duplicates))
    reason = msg("joined", parts=parts)
    if points <= 0:
        return wrong(max_points, reason)
    return CheckResult(Outcome.PARTIAL, points, float(max_points), reason)
