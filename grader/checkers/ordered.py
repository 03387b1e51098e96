"""Event order answers (``ordered``): a timeline, with partial credit for a near-right order.

Credit is ``1 - d / P``, where ``P`` is the number of pairs of expected events
and ``d`` their Kendall tau distance from the answer: pairs in the wrong order,
plus every pair with an event the answer left out. Each event that should not
be there costs ``penalty / n`` of the credit. So swapping two neighbours of ten
events loses 1/45 of the marks, a reversed timeline loses all of them, and the
reason says how many pairs were in order without saying which.
"""

from __future__ import annotations

from typing import Any

from grader.checkers.base import Checker, CheckResult, Outcome, correct, is_blank, wrong
from grader.checkers.sets import SetChecker
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["OrderedChecker", "kendall_distance"]


class OrderedChecker(Checker):
    """Items in one right order; ``expected`` is a list of at least two distinct items.

    The answer is a list, or text with items separated by commas, semicolons or new lines.

    Options:
        item_type (text, default ``text``): how items are read (as for ``set``).
        penalty (number, default 1.0): share of one item's worth each extra item costs.
    """

    name = "ordered"
    options = {"item_type": "text", "penalty": 1.0}

    def _check_options(self) -> None:
        SetChecker._check_options(self)  # same item types and penalty as a set

    def normalize(self, value: object) -> list[Any]:
        """The answer's readable items, normalised, first occurrence of each kept, in order."""
        seen: list[Any] = []
        for item in SetChecker.normalize(self, value):  # same splitting rules as a set
            if is_blank(item):
                continue
            key = self._item.normalize(item)
            if key not in seen:
                seen.append(key)
        return seen

    def prepare_expected(self, expected: object) -> list[Any]:
        if not isinstance(expected, list) or len(expected) < 2:
            raise self._config_error(f"expected must list at least two items, not {expected!r}")
        try:
            items = [self._item.normalize(item) for item in expected]
        except InvalidAnswer:
            raise self._config_error(f"an expected item is not a valid {self.settings['item_type']}") from None
        if len(set(map(repr, items))) != len(items):
            raise self._config_error("expected lists an item twice")
        return items

    def score(self, given: object, expected: list[Any], max_points: float) -> CheckResult:
        answer: list[Any] = []
        unreadable = 0
        for item in SetChecker.normalize(self, given):
            if is_blank(item):
                continue
            try:
                key = self._item.normalize(item)
            except InvalidAnswer:
                unreadable += 1
                continue
            if key not in answer:
                answer.append(key)
        if not answer and not unreadable:
            return CheckResult(Outcome.MISSING, 0.0, float(max_points), msg("answer.missing"))
        known = [item for item in answer if item in expected]
        extra = len(answer) - len(known) + unreadable
        n = len(expected)
        pairs = n * (n - 1) // 2
        distance = kendall_distance(expected, known)
        if distance == 0 and extra == 0:
            return correct(max_points)
        penalty = float(self.settings["penalty"])  # type: ignore[arg-type]
        earned = max(0.0, 1.0 - distance / pairs - penalty * extra / n)
        points = round(earned * max_points, 6)
        parts = [msg("ordered.pairs", right=pairs - distance, total=pairs)]
        if len(known) < n:
            parts.append(msg("ordered.missing", count=n - len(known)))
        if extra:
            parts.append(msg("set.extra", count=extra))
        reason = msg("joined", parts=parts)
        if points <= 0:
            return wrong(max_points, reason)
        return CheckResult(Outcome.PARTIAL, points, float(max_points), reason)


def kendall_distance(expected: list[Any], answer: list[Any]) -> int:
    """Pairs of ``expected`` not in the same order in ``answer`` (a pair with an absent item counts).

    ``answer`` holds distinct items of ``expected``. O(n^2), fine for timelines of a few dozen events.
    """
    rank = {repr(item): i for i, item in enumerate(answer)}
    positions = [rank.get(repr(item)) for item in expected]
    distance = 0
    for i in range(len(positions)):
        for j in range(i + 1, len(positions)):
            a, b = positions[i], positions[j]
            if a is None or b is None or a > b:
                distance += 1
    return distance
