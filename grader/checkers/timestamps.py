"""Date-and-time answers (``timestamp``), compared as instants with a tolerance.

Trainees copy times from tools that print them differently: ISO 8601, ``UTC``
suffixes, Russian day-first dates, Unix seconds. Each is read, the reason says
how it was read (and which zone was assumed), and a difference of a whole
number of hours is called out, because it is nearly always a time-zone slip.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grader.checkers.base import Checker, CheckResult, correct, wrong, wrong_kind
from grader.errors import InvalidAnswer
from grader.i18n import Message, msg

__all__ = ["TimestampChecker"]

_ZONE_SUFFIX = re.compile(
    r"^(?P<base>.*?)\s*(?:(?P<utc>UTC|GMT|Z)(?P<offset>[+-]\d{1,2}(?::?\d{2})?)?"
    r"|(?P<iana>[A-Za-z_]+/[A-Za-z0-9_/+-]+))$",
    re.IGNORECASE,
)
_FORMATS = (  # day-first dates as Russian tools print them, and year-first with slashes
    "%d.%m.%Y %H:%M:%S.%f", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
    "%d.%m.%Y, %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    # tshark/Wireshark ("Mar  1, 2024 10:00:00.123456"), and HTTP/e-mail dates without the zone
    "%b %d, %Y %H:%M:%S.%f", "%b %d, %Y %H:%M:%S", "%a, %d %b %Y %H:%M:%S", "%d %b %Y %H:%M:%S",
    # C's asctime, as ewfinfo / fklab disk info print an E01's acquisition date ("Fri Mar  1 10:00:00 2024")
    "%a %b %d %H:%M:%S %Y",
)
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")  # tshark prints nanoseconds; Python reads microseconds
_MONTH_LAST_AMBIGUOUS = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}\b.*")
_EPOCH = re.compile(r"[+-]?\d{9,11}(\.\d+)?")
_MAX_ZONE_HOURS = 14


class TimestampChecker(Checker):
    """An instant; ``expected`` is ISO 8601 text with a zone (a naive time is UTC).

    Options:
        assume_tz (text, default ``UTC``): IANA zone for answers without a zone.
        tolerance (number, default 1): accepted difference in seconds.
    """

    name = "timestamp"
    options = {"assume_tz": "UTC", "tolerance": 1}

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
        local, how = self._read(given)
        when = local.astimezone(UTC)
        read = msg(how.key, when=_show(when), **how.params)
        tolerance = float(self.settings["tolerance"])  # type: ignore[arg-type]
        diff = (when - expected).total_seconds()
        if abs(diff) <= tolerance:
            return correct(max_points, msg("joined", parts=[read, msg("answer.correct")]))
        hours = round(diff / 3600)
        if 1 <= abs(hours) <= _MAX_ZONE_HOURS and abs(diff - hours * 3600) <= tolerance:
            return wrong(max_points, msg("joined", parts=[read, msg("time.off_hours",
                                                                      hours=abs(hours))]))
        if _swapped_matches(local, expected, tolerance):
            return wrong(max_points, msg("joined", parts=[read, msg("time.day_month_swapped")]))
        return wrong(max_points, msg("joined", parts=[read, msg("time.wrong")]))

    def _read(self, value: object) -> tuple[datetime, Message]:
        """Parse an answer into an aware datetime (in its own zone) and how it was read."""
        if isinstance(value, bool):
            raise wrong_kind("kind.time", value)
        if isinstance(value, datetime):
            return self._zoned(value)
        if isinstance(value, date):
            return self._zoned(datetime(value.year, value.month, value.day))
        if isinstance(value, int | float):
            return _from_epoch(float(value), str(value))
        if not isinstance(value, str):
            raise wrong_kind("kind.time", value)
        text = re.sub(r"\s+", " ", value.strip())
        if _EPOCH.fullmatch(text):
            return _from_epoch(float(text), text)
        base, zone = text, None
        suffix = _ZONE_SUFFIX.match(text)
        if suffix and suffix.group("base") and not _parses_iso(text):
            base, zone = suffix.group("base").rstrip(" ,"), _suffix_zone(suffix, text)
        parsed = _parse_local(base, text)
        if parsed.tzinfo is None and zone is not None:
            parsed = parsed.replace(tzinfo=zone)
        return self._zoned(parsed)

    def _zoned(self, value: datetime) -> tuple[datetime, Message]:
        if value.tzinfo is not None:
            return value, msg("time.read_zone")
        zone_name = str(self.settings["assume_tz"])
        return value.replace(tzinfo=self._zone), msg("time.read_assumed", zone=zone_name)


def _parse_local(base: str, original: str) -> datetime:
    base = _LONG_FRACTION.sub(r"\1", base)
    try:
        return datetime.fromisoformat(_fix_z(base))
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(base, fmt)
        except ValueError:
            continue
    if _MONTH_LAST_AMBIGUOUS.fullmatch(base):
        raise InvalidAnswer(msg("time.ambiguous", given=original))
    raise InvalidAnswer(msg("time.invalid", given=original))


def _parses_iso(text: str) -> bool:
    try:
        datetime.fromisoformat(_fix_z(text))
    except ValueError:
        return False
    return True


def _suffix_zone(match: re.Match[str], original: str) -> tzinfo:
    if match.group("iana"):
        try:
            return ZoneInfo(match.group("iana"))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidAnswer(msg("time.invalid", given=original)) from None
    offset = match.group("offset")
    if not offset:
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > _MAX_ZONE_HOURS or minutes >= 60:
        raise InvalidAnswer(msg("time.invalid", given=original))
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_epoch(seconds: float, original: str) -> tuple[datetime, Message]:
    try:
        return datetime.fromtimestamp(seconds, tz=UTC), msg("time.read_epoch")
    except (OverflowError, OSError, ValueError):
        raise InvalidAnswer(msg("time.invalid", given=original)) from None


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
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise checker._config_error(f"option 'assume_tz': unknown time zone '{name}'") from None
