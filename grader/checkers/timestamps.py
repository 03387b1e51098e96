"""Date-and-time answers (``timestamp``), compared as instants with a tolerance.

Trainees copy times from tools that print them differently: ISO 8601, ``UTC``
suffixes, Russian day-first dates, Unix seconds. Each is read, the reason says
how it was read (and which zone was assumed), and a difference of a whole
number of hours is called out, because it is nearly always a time-zone slip.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, tzinfo

from grader.checkers.base import Checker, CheckResult, correct, wrong, wrong_kind
from grader.errors import InvalidAnswer
from grader.i18n import Message, msg
from grader.notations.times import TimeSyntaxError, read_time, zone_of

__all__ = ["TimestampChecker"]

_MAX_ZONE_HOURS = 14


class TimestampChecker(Checker):
    """An instant; ``expected`` is ISO 8601 text with a zone (a naive time is UTC).

    Options:
        assume_tz (text, default ``UTC``): IANA zone for answers without a zone.
        tolerance (number, default 1): accepted difference in seconds.
    """

    name = "timestamp"
    options = {"assume_tz": "UTC", "tolerance": 1}

    _year: int | None = None

    def _check_options(self) -> None:
        self._zone = _zone(self, str(self.settings["assume_tz"]))
        if float(self.settings["tolerance"]) < 0:  # type: ignore[arg-type]
            raise self._config_error("option 'tolerance' must not be negative")

    def normalize(self, value: object) -> datetime:
        """The instant in UTC (an aware datetime)."""
        return self._read(value)[0].astimezone(UTC)

    def prepare_expected(self, expected: object) -> datetime:
        if isinstance(expected, datetime):
            value = expected
        elif isinstance(expected, str):
            try:
                value = datetime.fromisoformat(_fix_z(expected.strip()))
            except ValueError:
                raise self._config_error(f"expected {expected!r} is not an ISO 8601 time") from None
        else:
            raise self._config_error(f"expected must be an ISO 8601 time, not {expected!r}")
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)

    def score(self, given: object, expected: datetime, max_points: float) -> CheckResult:
        self._year = expected.year  # a syslog time without a year is read in the case's year
        try:
            local, how, precision = self._reading(given)
        finally:
            self._year = None
        try:
            when = local.astimezone(UTC)
        except (OverflowError, ValueError):
            raise InvalidAnswer(msg("time.invalid", given=str(given)[:80])) from None
        read = msg(how.key, when=_show(when), **how.params)
        tolerance = float(self.settings["tolerance"])  # type: ignore[arg-type]
        # What was written covers [when, when + precision): "22:28" from dir is any second of that minute.
        span = precision if precision > 1 else 0.0
        if span > max(60.0, tolerance):
            return wrong(max_points, msg("joined", parts=[read, msg("time.date_only")]))
        diff = _distance(when, span, expected)
        notes = [read] + ([msg("time.read_minutes")] if span == 60 else [])
        if abs(diff) <= tolerance:
            return correct(max_points, msg("joined", parts=[*notes, msg("answer.correct")]))
        slip = zone_slip((when - expected).total_seconds(), tolerance + span)
        if slip is not None:
            return wrong(max_points, msg("joined", parts=[*notes, slip]))
        if _swapped_matches(local, expected, tolerance + span):
            return wrong(max_points, msg("joined", parts=[*notes, msg("time.day_month_swapped")]))
        return wrong(max_points, msg("joined", parts=[*notes, msg("time.wrong")]))

    def _read(self, value: object) -> tuple[datetime, Message]:
        """Parse an answer into an aware datetime (in its own zone) and how it was read."""
        return self._reading(value)[:2]

    def _reading(self, value: object) -> tuple[datetime, Message, float]:
        """(aware datetime, how it was read, precision in seconds of what was written)."""
        if isinstance(value, bool):
            raise wrong_kind("kind.time", value)
        if isinstance(value, datetime):
            return (*self._zoned(value), 1.0)
        if isinstance(value, date):
            return (*self._zoned(datetime(value.year, value.month, value.day)), 1.0)
        if isinstance(value, int | float):
            return (*_from_epoch(float(value), str(value)), 1.0)
        if not isinstance(value, str):
            raise wrong_kind("kind.time", value)
        text = re.sub(r"\s+", " ", value.strip())
        try:
            reading = read_time(text)
        except TimeSyntaxError as exc:
            shown = text[:80]
            raise InvalidAnswer(msg("time.ambiguous" if exc.ambiguous else "time.invalid", given=shown)) from None
        if reading.epoch:
            return reading.local.replace(tzinfo=UTC), msg("time.read_epoch"), reading.precision
        if reading.yearless:
            if self._year is None:
                raise InvalidAnswer(msg("time.no_year"))
            reading = replace(reading, local=reading.local.replace(year=self._year))
        if reading.zone_label is None:
            return (*self._zoned(reading.local), reading.precision)
        zone = zone_of(reading.zone_label)
        if zone is None:  # read_time only returns labels it knows
            raise InvalidAnswer(msg("time.invalid", given=text[:80]))
        try:
            aware = reading.local.replace(tzinfo=zone)
            aware.astimezone(UTC)
        except (OverflowError, ValueError):
            raise InvalidAnswer(msg("time.invalid", given=text[:80])) from None
        return aware, msg("time.read_label", zone=reading.zone_label), reading.precision

    def _zoned(self, value: datetime) -> tuple[datetime, Message]:
        if value.tzinfo is not None:
            return value, msg("time.read_zone")
        zone_name = str(self.settings["assume_tz"])
        return value.replace(tzinfo=self._zone), msg("time.read_assumed", zone=zone_name)


def _from_epoch(seconds: float, original: str) -> tuple[datetime, Message]:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC), msg("time.read_epoch")
    except (OverflowError, OSError, ValueError):
        raise InvalidAnswer(msg("time.invalid", given=original)) from None


def _distance(when: datetime, span: float, expected: datetime) -> float:
    """Seconds from the written span [when, when + span] to ``expected`` (0 inside it)."""
    start = (expected - when).total_seconds()
    if 0 <= start <= span:
        return 0.0
    return -start if start < 0 else -(start - span)


def zone_slip(diff: float, tolerance: float) -> Message | None:
    """A reason when ``diff`` seconds is a whole number of hours (or a half/quarter-hour zone) off."""
    for step in (3600, 1800, 900):
        count = round(diff / step)
        if count and abs(diff - count * step) <= tolerance and abs(count * step) <= _MAX_ZONE_HOURS * 3600:
            minutes = abs(count * step) // 60
            if minutes % 60 == 0:
                return msg("time.off_hours", hours=minutes // 60)
            return msg("time.off_zone", hours=minutes // 60, minutes=minutes % 60)
    return None


def _swapped_matches(local: datetime, expected: datetime, tolerance: float) -> bool:
    if local.day > 12 or local.day == local.month:
        return False
    swapped = local.replace(month=local.day, day=local.month).astimezone(UTC)
    return abs((swapped - expected).total_seconds()) <= tolerance


def _fix_z(text: str) -> str:
    """``fromisoformat`` wants an upper-case ``Z``; accept a lower-case one too."""
    return text[:-1] + "Z" if text.endswith("z") else text


def _show(value: datetime) -> str:
    text = value.strftime("%Y-%m-%d %H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + " UTC"


def _zone(checker: Checker, name: str) -> tzinfo:
    if name.upper() in ("UTC", "Z"):
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # imported for a zone name only (sysconfig, ~5 ms)

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise checker._config_error(f"option 'assume_tz': unknown time zone '{name}'") from None
