"""Event order answers (``ordered``): a timeline, with chance-corrected credit for a near-right order.

Kendall's tau compares the answer's order with the expected one: ``d`` is the number of
discordant pairs of expected events (pairs in the wrong order, plus half of every pair with an
event the answer left out, which is what guessing its place would give) out of
``P = n(n-1)/2``, and ``tau = 1 - 2d/P`` (1 right, 0 what a random
order gives on average, -1 reversed). Credit is

    credit = max(0, (tau - 0.2) / 0.8) ** 2 - penalty * extra / n

so a random order earns on average at most 10% of the points for four or more events (9.0%
for 4, 5.4% for 5, 3.5% for 6; exact by enumeration, checked in the tests), one adjacent swap
in six events still earns 69%, and orders the key lists as worthless (``zero_orders``: the
example order printed in the question, a known core mistake) earn nothing unless right. With
three events or fewer no partial credit can beat chance, so only the right order counts.
Each event that should not be there costs ``penalty / n``. The reason says how many pairs
were in order without saying which.
"""

from __future__ import annotations

from typing import Any

from grader.checkers.base import CheckResult, Outcome, correct, wrong
from grader.checkers.sets import ExpectedItems, SetChecker, expected_items
from grader.i18n import msg

__all__ = ["CHANCE_FLOOR", "OrderedChecker", "kendall_distance", "order_credit"]

#: tau at or below which an order earns nothing; chosen so random orders average <= 10% for n >= 4.
CHANCE_FLOOR = 0.2
MIN_PARTIAL_EVENTS = 4


def order_credit(distance: float, n: int) -> float:
    """Share of the points for an order ``distance`` discordant pairs from the right one of ``n`` events."""
    pairs = n * (n - 1) // 2
    if distance == 0:
        return 1.0
    if n < MIN_PARTIAL_EVENTS or pairs == 0:
        return 0.0
    tau = 1 - 2 * distance / pairs
    return max(0.0, (tau - CHANCE_FLOOR) / (1 - CHANCE_FLOOR)) ** 2


class OrderedChecker(SetChecker):
    """Items in one right order; ``expected`` is a list of at least two distinct items.

    The answer is a list, or text with items separated by commas, semicolons or new lines.

    Options:
        item_type (text, default ``text``): how items are read (as for ``set``; its options pass on).
        penalty (number, default 1.0): share of one item's worth each extra item costs.
        zero_orders (list of orders, default none): orders that earn nothing unless right, such as
            the example order printed in the question (one order may be given as a flat list).

    ``expected`` may also be ``{order: [...], zero_orders: [[...]]}``, so worthless orders can
    name items from the variant's truth (a lab's known core mistake).
    """

    name = "ordered"
    options = {"item_type": "text", "penalty": 1.0, "zero_orders": None}

    def _check_options(self) -> None:
        super()._check_options()
        orders = self.settings["zero_orders"]
        if orders is None:
            self._zero: list[list[Any]] = []
            return
        if not isinstance(orders, list) or not orders:
            raise self._config_error(f"option 'zero_orders' must list orders, not {orders!r}")
        if not all(isinstance(o, list) for o in orders):
            orders = [orders]
        self._zero_raw = orders

    def prepare_expected(self, expected: object) -> ExpectedItems:
        extra_zero: list[Any] = []
        if isinstance(expected, dict):  # {order: [...], zero_orders: [[...]]}: worthless orders from the truth too
            unknown = sorted(set(expected) - {"order", "zero_orders"})
            if unknown or "order" not in expected:
                raise self._config_error(f"expected must be a list or {{order: [...], zero_orders: [...]}}, "
                                         f"not {expected!r}")
            extra_zero = list(expected.get("zero_orders") or [])
            if extra_zero and not all(isinstance(o, list) for o in extra_zero):
                extra_zero = [extra_zero]
            expected = expected["order"]
        if not isinstance(expected, list) or len(expected) < 2:
            raise self._config_error(f"expected must list at least two items, not {expected!r}")
        prepared = expected_items(self, self._item, expected)
        self._zero = [self._positions(order, prepared)[0] for order in [*getattr(self, "_zero_raw", []), *extra_zero]]
        return prepared

    def _positions(self, given: object, expected: ExpectedItems) -> tuple[list[int], int, int]:
        """(expected indexes in the answer's order, items not expected, unreadable items)."""
        items, unreadable, _ = self.read_items(given, self.too_many(expected.count))
        order: list[int] = []
        placed: set[int] = set()
        extra = 0
        for forms in items:
            hit = next((expected.index[f] for f in forms if f in expected.index), None)
            if hit is None:
                extra += 1
            elif hit not in placed:
                placed.add(hit)
                order.append(hit)
        return order, extra, unreadable

    def score(self, given: object, expected: ExpectedItems, max_points: float) -> CheckResult:
        order, extra, unreadable = self._positions(given, expected)
        if not order and not extra and not unreadable:
            return CheckResult(Outcome.MISSING, 0.0, float(max_points), msg("answer.missing"))
        extra += unreadable
        n = expected.count
        pairs = n * (n - 1) // 2
        distance = kendall_distance(order, n)
        if distance == 0 and extra == 0:
            return correct(max_points)
        placed = len(order) * (len(order) - 1) // 2
        parts = [msg("ordered.pairs", right=placed - _inversions(list(order)), total=pairs)]
        if len(order) < n:
            parts.append(msg("ordered.missing", count=n - len(order)))
        if extra:
            parts.append(msg("set.extra", count=extra))
        if order in self._zero and distance:
            return wrong(max_points, msg("joined", parts=[*parts, msg("ordered.zero_order")]))
        if n < MIN_PARTIAL_EVENTS and distance:
            parts.append(msg("ordered.no_partial"))
        penalty = float(self.settings["penalty"])  # type: ignore[arg-type]
        earned = max(0.0, order_credit(distance, n) - penalty * extra / n)
        points = round(earned * max_points, 6)
        reason = msg("joined", parts=parts)
        if points <= 0:
            return wrong(max_points, reason)
        return CheckResult(Outcome.PARTIAL, points, float(max_points), reason)


def kendall_distance(order: list[int], n: int) -> float:
    """Discordant pairs of ``n`` expected events, ``order`` holding the indexes the answer placed, in its order.

    Pairs in the wrong order (inversions, counted by merge sort: O(k log k)), plus half of every
    pair with an event the answer left out: an absent event is worth what a guess is.
    """
    k = len(order)
    absent_pairs = n * (n - 1) // 2 - k * (k - 1) // 2
    return _inversions(list(order)) + absent_pairs / 2


def _inversions(values: list[int]) -> int:
    count = 0
    width = 1
    size = len(values)
    buffer = values[:]
    while width < size:
        for start in range(0, size, 2 * width):
            mid, end = min(start + width, size), min(start + 2 * width, size)
            i, j, k = start, mid, start
            while i < mid and j < end:
                if values[i] <= values[j]:
                    buffer[k] = values[i]
                    i += 1
                else:
                    buffer[k] = values[j]
                    count += mid - i
                    j += 1
                k += 1
            buffer[k:end] = values[i:mid] + values[j:end]
        values, buffer = buffer, values
        width *= 2
    return count
