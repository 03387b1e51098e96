"""Time span answers (``datetime_range``): when an activity started and ended.

Both ends within the tolerance earn full marks; otherwise the credit is the
overlap of the two spans divided by their union (so a span that is right but
a little too wide earns most of the marks, one that misses entirely none).
Each end is read like a ``timestamp`` answer, and the reason says how.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from grader.checkers.base import Checker, CheckResult, Outcome, correct, wrong, wrong_kind
from grader.checkers.timestamps import TimestampChecker, _show
from grader.errors import InvalidAnswer
from grader.i18n import msg

__all__ = ["DatetimeRangeChecker"]

# "A - B", "A – B", "A/B" (ISO 8601 interval), "A to B", "A .. B", "с A по B", "от A до B".
_SPLIT = re.compile(r"\s+(?:-|–|—|to|until|till|до|по|\.\.)\s+|\s*/\s*(?=\d)|\s*\.\.\s*|\s*[–—]\s*", re.IGNORECASE)
_LEAD = re.compile(r"^(?:from|between|с|от)\s+", re.IGNORECASE)

Span = tuple[datetime, datetime]


class DatetimeRangeChecker(Checker):
    """A from/to pair; ``expected`` is ``{from: ..., to: ...}`` or a two-item list of ISO 8601 times.

    The answer is a two-item list ``[from, to]`` or text such as
    ``2024-03-01 10:00 - 2024-03-01 11:30`` or ``2024-03-01T10:00Z/2024-03-01T11:30Z``.

    Options:
        assume_tz (text, default ``UTC``): zone for times without one.
        tolerance (number, default 60): seconds each end may be off and still count as right.
    """

    name = "datetime_range"
    options = {"assume_tz": "UTC", "tolerance": 60}

    def _check_options(self) -> None:
        self._time = TimestampChecker(assume_tz=self.settings["assume_tz"], tolerance=self.settings["tolerance"])

    def normalize(self, value: object) -> Span:
        """(start, end) in UTC; a pair of datetimes reads back as itself."""
        if isinstance(value, tuple | list) and len(value) == 2:
            ends = list(value)
        elif isinstance(value, str):
            text = _LEAD.sub("", value.strip())
            ends = [part for part in _SPLIT.split(text, maxsplit=1) if part is not None]
            if len(ends) != 2:
                raise InvalidAnswer(msg("range.invalid"))
        else:
            raise wrong_kind("kind.range", value)
        start, end = (self._time.normalize(end) for end in ends)
        if end < start:
            raise InvalidAnswer(msg("range.reversed"))
        return start, end

    def prepare_expected(self, expected: object) -> Span:
        if isinstance(expected, dict) and set(expected) == {"from", "to"}:
            ends = [expected["from"], expected["to"]]
        elif isinstance(expected, list) and len(expected) == 2:
            ends = expected
        else:
            raise self._config_error(f"expected must be {{from: ..., to: ...}} or [from, to], not {expected!r}")
        start, end = (self._time.prepare_expected(e) for e in ends)
        if end < start:
            raise self._config_error("expected range ends before it starts")
        return start, end

    def score(self, given: object, expected: Span, max_points: float) -> CheckResult:
        start, end = self.normalize(given)
        read = msg("range.read", start=_show(start), end=_show(end))
        tolerance = float(self.settings["tolerance"])  # type: ignore[arg-type]
        if abs((start - expected[0]).total_seconds()) <= tolerance and \
                abs((end - expected[1]).total_seconds()) <= tolerance:
            return correct(max_points, msg("joined", parts=[read, msg("answer.correct")]))
        share = overlap_share((start, end), expected)
        points = round(share * max_points, 6)
        if points <= 0:
            return wrong(max_points, msg("joined", parts=[read, msg("range.no_overlap")]))
        return CheckResult(Outcome.PARTIAL, points, float(max_points),
                           msg("joined", parts=[read, msg("range.overlap", percent=round(share * 100))]))


def overlap_share(a: Span, b: Span) -> float:
    """Length of the intersection over length of the union (1.0 for equal instants)."""
    union = (max(a[1], b[1]) - min(a[0], b[0])).total_seconds()
    inter = (min(a[1], b[1]) - max(a[0], b[0])).total_seconds()
    if union <= 0:
        return 1.0 if a == b else 0.0
    return max(0.0, inter) / union


def utc(text: str) -> datetime:
    """ISO 8601 text as an aware UTC datetime (for tests and keys)."""
    value = datetime.fromisoformat(text)
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
