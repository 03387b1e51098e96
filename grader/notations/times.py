"""Reading a date and time the way forensic tools and reports print it.

Built from the tools' documented output formats rather than from examples:

* TSK ``istat``/``fsstat``: ``2024-04-16 22:28:34.000000000 (UTC)``, any zone label in brackets
  (``(MSK)``, ``(CEST)``, ``(+03)``); ``fls -m``/bodyfile: Unix seconds;
* ``mactime``: ``Tue Apr 16 2024 22:28:34`` (default), the ``-d`` CSV line, ``-y`` ISO 8601;
* ewf-tools (``ewfinfo``): C's ``ctime`` (``Tue Apr 16 22:28:34 2024``) and its ``-d dm|md|iso8601`` forms;
* tshark/Wireshark: ``Apr 16, 2024 22:28:34.123456789 UTC`` (also Windows zone names such as
  ``Coordinated Universal Time``), ISO 8601 with nanoseconds, epoch with nanoseconds;
* exiftool: ``2024:04:16 22:28:34+03:00`` (with or without zone or sub-seconds);
* Windows ``dir``/Explorer: ``16.04.2024  22:28``, ``04/16/2024  10:28 PM``,
  ``Tuesday, April 16, 2024, 10:28:34 PM``, Russian ``16 апреля 2024 г., 22:28:34``;
* HTTP/e-mail dates (RFC 7231, RFC 5322), FILETIME numbers, Unix milli/micro/nanoseconds.

A reading is a value: the local time, the zone it carries (or None), how precise the
answer is (a ``dir`` time has minutes only) and which source form was recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from grader.lazy_re import lazy

__all__ = ["ZONE_ABBREVIATIONS", "TimeReading", "TimeSyntaxError", "read_time"]

MAX_TEXT = 200  # no tool prints a time longer than this


class TimeSyntaxError(ValueError):
    """Text that is not a time; ``ambiguous`` when it is one of two dates (03/04/2024)."""

    def __init__(self, ambiguous: bool = False) -> None:
        super().__init__("ambiguous" if ambiguous else "invalid")
        self.ambiguous = ambiguous


@dataclass(frozen=True)
class TimeReading:
    """A parsed time: ``local`` is naive when the text named no zone."""

    local: datetime
    precision: float  # seconds the text resolves: 60 for HH:MM, 1 for HH:MM:SS, 86400 for a date
    zone_label: str | None  # the zone as written (``MSK``, ``+03:00``), None if none
    epoch: bool = False  # a count since an epoch (Unix, FILETIME): always UTC
    yearless: bool = False  # syslog's "Apr 16 22:28:34": the year is the case's (``local`` holds 2000)


#: Zone abbreviations tools print (TSK and mactime use strftime %Z; tzdata's names) -> UTC offset in minutes.
#: Ambiguous ones (IST, CST for China, BST for Bangladesh) are left out: they are refused, not guessed.
ZONE_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120, "MET": 60,
    "MEST": 120, "EET": 120, "EEST": 180, "MSK": 180, "MSD": 240, "SAMT": 240, "YEKT": 300, "OMST": 360,
    "NOVT": 420, "KRAT": 420, "IRKT": 480, "YAKT": 540, "VLAT": 600, "MAGT": 660, "PETT": 720, "KALT": 120,
    "EST": -300, "EDT": -240, "CDT": -300, "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540,
    "AKDT": -480, "HST": -600, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AEST": 600, "AEDT": 660,
    "ACST": 570, "ACDT": 630, "AWST": 480, "NZST": 720, "NZDT": 780, "TRT": 180, "GST": 240,
    "МСК": 180, "MCK": 180,  # Russian reports write МСК (and a Latin look-alike)
}
#: Windows time-zone names (Wireshark on Windows prints them after the time).
_WINDOWS_ZONES: dict[str, int] = {
    "coordinated universal time": 0, "utc": 0, "greenwich standard time": 0, "gmt standard time": 0,
    "gmt daylight time": 60, "russian standard time": 180, "russia tz 2 standard time": 180,
    "moscow standard time": 180, "russia tz 1 standard time": 120, "kaliningrad standard time": 120,
    "w. europe standard time": 60, "w. europe daylight time": 120, "central europe standard time": 60,
    "central europe daylight time": 120, "central european standard time": 60,
    "central european summer time": 120, "romance standard time": 60, "romance daylight time": 120,
    "e. europe standard time": 120, "fle standard time": 120, "fle daylight time": 180,
    "eastern standard time": -300, "eastern daylight time": -240, "central standard time": -360,
    "central daylight time": -300, "mountain standard time": -420, "mountain daylight time": -360,
    "pacific standard time": -480, "pacific daylight time": -420, "tokyo standard time": 540,
    "ekaterinburg standard time": 300, "russia tz 4 standard time": 300, "samara standard time": 240,
}
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
    "янв": 1, "фев": 2, "мар": 3, "апр": 4, "май": 5, "мая": 5, "июн": 6, "июл": 7, "авг": 8, "сен": 9,
    "окт": 10, "ноя": 11, "дек": 12,
}
_WEEKDAYS = lazy(
    r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\b\.?,?"
    r"|(?<![а-яё])(?:понедельник|вторник|среда|среду|четверг|пятница|пятницу|суббота|субботу|воскресенье"
    r"|пн|вт|ср|чт|пт|сб|вс)(?![а-яё])\.?,?",
    re.IGNORECASE,
)
_MONTH_WORD = lazy(r"(?<![a-zа-яё])([a-zа-яё]{3,10})\.?(?![a-zа-яё])", re.IGNORECASE)
_TIME = lazy(
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,9}))?)?(?![\d:])"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?",
    re.IGNORECASE,
)
_EXIF_DATE = lazy(r"^(\d{4}):(\d{2}):(\d{2})(?=[ T]|$)")
_LABEL = lazy(r"^[^\d:\n]{1,48}?:\s+(?=\S)")  # "Acquisition date: ", "Date/Time Original  : "
_MACTIME_TAIL = lazy(r"[\s,]+\d+[\s,]+[m.][a.][c.][b.](?:[\s,].*)?$", re.IGNORECASE)
_ISO = lazy(r"(?P<d>\d{4}-\d{2}-\d{2})(?:[T ](?P<t>\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)"
                  r"(?P<z>\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?", re.IGNORECASE)
_ISO_TZ = lazy(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
_ZONE_TAIL = lazy(
    r"(?:\s*\(\s*(?P<paren>[^()]{1,48})\s*\)"  # (UTC), (MSK), (UTC+03:00), (+03)
    r"|(?<=[\d\s.,mMzZ])\s*(?P<name>(?:UTC|GMT|UT)\s*[+-]\s*\d{1,2}(?::?\d{2})?"  # UTC+3, GMT+03:00
    r"|[+-]\d{2}:?\d{2}|[+-]\d{1,2}(?![\d:])"  # +03:00, +0300, +03, +3
    r"|[A-Za-zА-Яа-яЁё][A-Za-zА-Яа-яЁё_]{0,5}(?:/[A-Za-z0-9_+-]+){1,2}"  # Europe/Moscow
    r"|[A-Za-zА-Яа-яЁё]{1,5}))\s*$",  # UTC, MSK, Z
)
_BASIC_ISO = lazy(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?",
                        re.IGNORECASE)
_CLOCK_END = lazy(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[ap]\.?m\.?)?$", re.IGNORECASE)
_NUMBER = lazy(r"[+-]?\d+(?:\.\d+)?")
_HEX_FILETIME = lazy(r"0x[0-9a-fA-F]{15,16}")
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
_FILLER = lazy(r"\b(?:at|on|the|of|г|года|год|в|om|um)\b\.?", re.IGNORECASE)


def read_time(text: str) -> TimeReading:
    """Parse one time as printed by a tool or written in a report; raise :class:`TimeSyntaxError`."""
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    if not text or len(text) > MAX_TEXT:
        raise TimeSyntaxError()
    epoch = _epoch(text)
    if epoch is not None:
        return epoch
    text = _LABEL.sub("", text) if not _starts_with_date(text) else text
    text = _MACTIME_TAIL.sub("", text)
    text = _EXIF_DATE.sub(r"\1-\2-\3", text)
    text = re.sub(r"(?<=\d{4}-\d{2}-\d{2})T(?=\d)", "T", text, flags=re.IGNORECASE)
    basic = _BASIC_ISO.fullmatch(text)
    if basic:  # ISO 8601 basic format, as some tools and file names write it: 20240416T222834Z
        text = (f"{basic.group(1)}-{basic.group(2)}-{basic.group(3)}T{basic.group(4)}:{basic.group(5)}"
                f":{basic.group(6)}{basic.group(7) or ''}{basic.group(8) or ''}")
    iso = _iso(text)
    if iso is not None:
        return iso
    text = _zone_inside(text)
    body, zone_label = _split_zone(text)
    local, precision, yearless = _parse_body(body)
    return TimeReading(local, precision, zone_label, yearless=yearless)


def _zone_inside(text: str) -> str:
    """``Tue Apr 16 22:28:34 UTC 2024`` (``date``): move a zone word written before the year to the end."""
    match = re.search(r"(?<=\d)\s+([A-Za-zА-Яа-я]{2,5})\s+(\d{4})$", text)
    if match and match.group(1).upper() in ZONE_ABBREVIATIONS:
        return f"{text[: match.start()]} {match.group(2)} {match.group(1)}"
    return text


def zone_of(label: str) -> tzinfo | None:
    """The zone a label names (``MSK``, ``UTC+3``, ``+03:00``, ``Europe/Moscow``), or None if unknown."""
    label = label.strip()
    upper = label.upper()
    if upper in ZONE_ABBREVIATIONS:
        return _fixed(ZONE_ABBREVIATIONS[upper], upper)
    if label.lower() in _WINDOWS_ZONES:
        return _fixed(_WINDOWS_ZONES[label.lower()], label)
    match = re.fullmatch(r"(?:(?:UTC|GMT|UT)\s*)?([+-])\s*(\d{1,2})(?::?(\d{2}))?(?:\s+.*)?", label, re.IGNORECASE)
    if match:
        hours, minutes = int(match.group(2)), int(match.group(3) or 0)
        if hours > 14 or minutes >= 60:
            return None
        sign = -1 if match.group(1) == "-" else 1
        return _fixed(sign * (hours * 60 + minutes), None)
    if "/" in label:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only for a zone name (with sysconfig ~5 ms)

        try:
            return ZoneInfo(label)
        except (ZoneInfoNotFoundError, ValueError):
            return None
    return None


def _fixed(minutes: int, name: str | None) -> tzinfo:
    if minutes == 0:
        return UTC
    return timezone(timedelta(minutes=minutes), name) if name else timezone(timedelta(minutes=minutes))


def _starts_with_date(text: str) -> bool:
    return bool(re.match(r"\d{1,4}[-./:]\d{1,2}", text)) or _WEEKDAYS.match(text) is not None


def _epoch(text: str) -> TimeReading | None:
    """Counts since an epoch: Unix seconds (bodyfile, tshark), ms, µs, ns; FILETIME (decimal or hex)."""
    if _HEX_FILETIME.fullmatch(text):
        return _filetime(int(text, 16))
    if not _NUMBER.fullmatch(text) or text.startswith(("+", "-")):
        return None
    whole, _, fraction = text.partition(".")
    digits = len(whole)
    try:
        if 9 <= digits <= 11:
            seconds = int(whole) + (int(fraction) / 10 ** len(fraction) if fraction else 0.0)
            return TimeReading(datetime.fromtimestamp(int(whole), UTC).replace(tzinfo=None)
                               + timedelta(microseconds=round((seconds - int(whole)) * 1e6)),
                               1e-6 if fraction else 1, "UTC", epoch=True)
        if fraction:
            return None
        if digits in (17, 18):
            return _filetime(int(whole))
        scale = {12: 1_000, 13: 1_000, 15: 1_000_000, 16: 1_000_000, 19: 1_000_000_000}.get(digits)
        if scale is None:
            return None
        value = int(whole)
        base = datetime.fromtimestamp(value // scale, UTC).replace(tzinfo=None)
        return TimeReading(base + timedelta(microseconds=(value % scale) * 1_000_000 // scale), 1 / scale, "UTC",
                           epoch=True)
    except (OverflowError, OSError, ValueError):
        raise TimeSyntaxError() from None


def _filetime(ticks: int) -> TimeReading:
    try:
        when = _FILETIME_EPOCH + timedelta(microseconds=ticks // 10)
    except OverflowError:
        raise TimeSyntaxError() from None
    return TimeReading(when.replace(tzinfo=None), 1e-7, "UTC", epoch=True)


def _iso(text: str) -> TimeReading | None:
    """ISO 8601 / RFC 3339 (with up to nanoseconds, a ``Z`` or an offset), as ``mactime -y`` and tshark print."""
    match = _ISO.fullmatch(text)
    if not match:
        return None
    time_part = (match.group("t") or "00:00").replace(",", ".")
    precision = _precision(time_part) if match.group("t") else 86400
    clock = re.sub(r"(\.\d{6})\d+", r"\1", time_part)
    try:
        local = datetime.fromisoformat(f"{match.group('d')}T{clock}")
    except ValueError:
        raise TimeSyntaxError() from None
    zone = (match.group("z") or "").strip()
    return TimeReading(local, precision, zone.upper() or None)


def _precision(clock: str) -> float:
    parts = clock.split(":")
    if len(parts) == 2:
        return 60
    fraction = parts[2].partition(".")[2]
    return 10.0 ** -len(fraction) if fraction else 1


def _split_zone(text: str) -> tuple[str, str | None]:
    match = _ZONE_TAIL.search(text)
    if match:
        label = (match.group("paren") or match.group("name") or "").strip()
        before = text[: match.start()].rstrip(" ,")
        numeric = label[:1] in "+-"
        if label and zone_of(label) is not None and (not numeric or _CLOCK_END.search(before)):
            return before, label
    lowered = text.lower()
    for name in sorted(_WINDOWS_ZONES, key=len, reverse=True):
        if lowered.endswith(" " + name):
            return text[: -len(name)].rstrip(" ,"), name
    tail = re.search(r"\s([A-Za-zА-Яа-я]{2,5})$", text)
    if tail and tail.group(1).upper() not in ("AM", "PM") and not _is_month(tail.group(1)):
        raise TimeSyntaxError()  # a zone label we do not know (IST, CST): refuse rather than guess
    return text, None


def _is_month(word: str) -> bool:
    return _month(word) is not None


def _month(word: str) -> int | None:
    word = word.lower().rstrip(".")
    if word[:4] == "sept":
        return 9
    key = word[:3]
    if key in _MONTHS and (word in _ENGLISH_MONTHS or word in _RUSSIAN_MONTHS or len(word) == 3):
        return _MONTHS[key]
    return None


_ENGLISH_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
                   "october", "november", "december", "sept"}
_RUSSIAN_MONTHS = {
    "январь", "января", "февраль", "февраля", "март", "марта", "апрель", "апреля", "май", "мая", "июнь", "июня",
    "июль", "июля", "август", "августа", "сентябрь", "сентября", "октябрь", "октября", "ноябрь", "ноября",
    "декабрь", "декабря", "янв", "фев", "мар", "апр", "июн", "июл", "авг", "сен", "сент", "окт", "ноя", "дек",
}


def _parse_body(body: str) -> tuple[datetime, float, bool]:
    """Date and clock in any order, with month names or numbers; raises TimeSyntaxError."""
    text = _WEEKDAYS.sub(" ", re.sub(r"(?<=\d)T(?=\d)", " ", body, flags=re.IGNORECASE))
    clock = None
    for match in _TIME.finditer(text):
        if clock is not None:
            raise TimeSyntaxError()  # two clocks: not one time
        clock = match
    hour = minute = second = micro = 0
    precision: float = 86400
    us_style = False
    if clock is not None:
        hour, minute = int(clock.group("h")), int(clock.group("m"))
        second = int(clock.group("s") or 0)
        fraction = clock.group("f")
        micro = int((fraction or "0")[:6].ljust(6, "0"))
        precision = 10.0 ** -len(fraction) if fraction else (1 if clock.group("s") else 60)
        ampm = (clock.group("ampm") or "").lower().replace(".", "").replace(" ", "")
        if ampm:
            us_style = True
            if not 1 <= hour <= 12:
                raise TimeSyntaxError()
            hour = hour % 12 + (12 if ampm == "pm" else 0)
        text = text[: clock.start()] + " " + text[clock.end():]
    month_name = None
    for match in _MONTH_WORD.finditer(text):
        value = _month(match.group(1))
        if value is not None:
            if month_name is not None:
                raise TimeSyntaxError()
            month_name = value
            text = text[: match.start()] + " " + text[match.end():]
            break
    text = _FILLER.sub(" ", text)
    rest = re.sub(r"[\s,/.\-]+", " ", text).strip()
    if re.search(r"[^\d ]", rest):
        raise TimeSyntaxError()  # words left over that are not part of a time
    numbers = rest.split()
    separators = re.sub(r"[^./\-]", "", text)
    yearless = month_name is not None and len(numbers) == 1 and len(numbers[0]) <= 2 and clock is not None
    year, month, day = (2000, month_name, int(numbers[0])) if yearless else _date(numbers, month_name, separators,
                                                                                    us_style)
    try:
        return datetime(year, month, day, hour, minute, second, micro), precision, yearless
    except ValueError:
        raise TimeSyntaxError() from None


def _date(numbers: list[str], month_name: int | None, separators: str, us_style: bool) -> tuple[int, int, int]:
    if month_name is not None:
        if len(numbers) != 2:
            raise TimeSyntaxError()
        long = [n for n in numbers if len(n) == 4]
        if len(long) != 1:
            raise TimeSyntaxError()
        day = next(n for n in numbers if n is not long[0])
        if len(day) > 2:
            raise TimeSyntaxError()
        return int(long[0]), month_name, int(day)
    if len(numbers) != 3:
        raise TimeSyntaxError()
    a, b, c = numbers
    if len(a) == 4:
        return int(a), int(b), int(c)
    if len(c) not in (2, 4) or len(a) > 2 or len(b) > 2:
        raise TimeSyntaxError()
    year = int(c) if len(c) == 4 else 2000 + int(c) if int(c) < 70 else 1900 + int(c)
    first, second = int(a), int(b)
    if "/" in separators and not us_style:
        if first > 12 >= second:
            return year, second, first
        if second > 12 >= first:
            return year, first, second
        if first != second:
            raise TimeSyntaxError(ambiguous=True)  # 03/04/2024: March or April?
    if us_style and "/" in separators:
        return year, first, second  # 12-hour clocks with slashes: the US order, as Windows en-US prints
    return year, second, first  # 16.04.2024, 16-04-2024: day first
