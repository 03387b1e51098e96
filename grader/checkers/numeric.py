"""Numeric answers: ``integer`` (counts, sizes, offsets) and ``number`` (floats).

Trainees copy numbers from tools that group digits (``1 024``, ``1,024``) or
print hex (``0x400``); those are read as the same value. Anything ambiguous
(``1,024`` for a float: thousands or decimals?) is rejected with a reason
rather than guessed.
"""

from __future__ import annotations

import math
import re

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong, wrong_kind
from grader.errors import InvalidAnswer
from grader.i18n import msg
from grader.lazy_re import lazy

__all__ = ["IntegerChecker", "NumberChecker"]

# One kind of group separator, used consistently: 1 024 / 1,024 / 1_024 / 1'024.
_GROUPED = lazy(r"[+-]?\d{1,3}(?P<sep>[ \u00a0\u202f,_'])\d{3}(?:(?P=sep)\d{3})*")
_DECIMAL = lazy(r"[+-]?\d+")
_INTEGRAL_FLOAT = lazy(r"[+-]?\d+\.0+")
_PREFIXED = lazy(r"[+-]?0[xXoObB][0-9a-fA-F_]+")
#: A number with words around it, as tools and people label it: "inode 26", "MFT entry #26", "26 (inode)",
#: "3 packets", "TSK 26-128-1" (the entry of an NTFS attribute address).
_LABELLED = lazy(
    r"(?P<pre>[^\d#№:=]{0,40}?)\s*[:#№=]?\s*(?P<num>0[xX][0-9a-fA-F]+|\d+(?:[ \u00a0\u202f,_']\d{3})*)"
    r"(?:-\d+(?:-\d+)?)?(?P<post>\s*[(\[]?\s*[^\d]{0,40}?[)\]]?)\.?",
)
_MAX_DIGITS = 40  # no count, size or offset in a lab has more digits; longer text is not read as a number


class IntegerChecker(Checker):
    """A whole number; ``expected`` is an int (or text of one).

    Options:
        tolerance (number, default 0): accepted absolute difference.
    """

    name = "integer"
    options = {"tolerance": 0}

    def normalize(self, value: object) -> int:
        """The int of ``value``: int, integral float, or text like ``1 024`` / ``0x400`` / ``inode 26``."""
        return self._read(value)[0]

    def _read(self, value: object) -> tuple[int, bool]:
        """(the number, whether words around it were set aside: ``inode 26``, ``26 packets``)."""
        if isinstance(value, bool):
            raise wrong_kind("kind.integer", value)
        if isinstance(value, int):
            return value, False
        if isinstance(value, float):
            if value.is_integer():
                return int(value), False
            raise InvalidAnswer(msg("integer.invalid", given=str(value)[:40]))
        text = as_text(value, "kind.integer", numbers=False)
        if len(text) > _MAX_DIGITS:
            raise InvalidAnswer(msg("integer.too_long", limit=_MAX_DIGITS))
        number = _parse_int(text)
        if number is not None:
            return number, False
        labelled = _LABELLED.fullmatch(text)
        if labelled and len((labelled.group("pre") + " " + labelled.group("post")).split()) <= 4:
            number = _parse_int(labelled.group("num").strip())
            if number is not None:
                return number, True
        raise InvalidAnswer(msg("integer.invalid", given=text[:40]))

    def prepare_expected(self, expected: object) -> int:
        try:
            return self.normalize(expected)
        except InvalidAnswer:
            raise self._config_error(f"expected must be a whole number, not {expected!r}") from None

    def score(self, given: object, expected: int, max_points: float) -> CheckResult:
        number, labelled = self._read(given)
        notes = [msg("integer.read", number=number)] if labelled else []
        if abs(number - expected) <= float(self.settings["tolerance"]):  # type: ignore[arg-type]
            return correct(max_points, msg("joined", parts=[*notes, msg("answer.correct")]) if notes else None)
        return wrong(max_points, msg("joined", parts=[*notes, msg("integer.wrong")]) if notes else msg("integer.wrong"))

    def _check_options(self) -> None:
        if float(self.settings["tolerance"]) < 0:  # type: ignore[arg-type]
            raise self._config_error("option 'tolerance' must not be negative")


class NumberChecker(Checker):
    """A real number compared with tolerances, as :func:`math.isclose` does.

    Options:
        abs_tol (number, default 0): accepted absolute difference.
        rel_tol (number, default 1e-9): accepted difference relative to the larger value.
    """

    name = "number"
    options = {"abs_tol": 0.0, "rel_tol": 1e-9}

    def normalize(self, value: object) -> float:
        """The float of ``value``; text may use a decimal comma (``12,5``) or digit groups."""
        if isinstance(value, bool):
            raise wrong_kind("kind.number", value)
        if isinstance(value, int | float):
            number = float(value)
        else:
            text = as_text(value, "kind.number", numbers=False)
            if len(text) > _MAX_DIGITS:
                raise InvalidAnswer(msg("integer.too_long", limit=_MAX_DIGITS))
            number = _degrees(text)
            if number is None:
                number = _parse_float(_UNIT_WORD.sub("", text).strip())
        if not math.isfinite(number):
            raise InvalidAnswer(msg("number.invalid", given=str(value)))
        return number

    def prepare_expected(self, expected: object) -> float:
        try:
            return self.normalize(expected)
        except InvalidAnswer:
            raise self._config_error(f"expected must be a number, not {expected!r}") from None

    def score(self, given: object, expected: float, max_points: float) -> CheckResult:
        answer = self.normalize(given)
        rel_tol = float(self.settings["rel_tol"])  # type: ignore[arg-type]
        abs_tol = float(self.settings["abs_tol"])  # type: ignore[arg-type]
        if math.isclose(answer, expected, rel_tol=rel_tol, abs_tol=abs_tol):
            return correct(max_points)
        return wrong(max_points, msg("number.wrong"))

    def _check_options(self) -> None:
        for key in ("abs_tol", "rel_tol"):
            if float(self.settings[key]) < 0:  # type: ignore[arg-type]
                raise self._config_error(f"option '{key}' must not be negative")


#: Unit words after a number that do not change it (a mean interval "60.2 s", a jitter "7 %").
_UNIT_WORD = lazy(r"(?<=\d)\s*(?:s|sec|secs|seconds?|с|сек|секунд[аы]?|%|percent|per cent|процент(?:а|ов)?"
                        r"|°|deg|degrees?|град(?:ус(?:а|ов)?)?)\.?$", re.IGNORECASE)
_DMS = lazy(
    r"(?P<h1>[NSEWСЮВЗ])?\s*(?P<d>\d{1,3}(?:[.,]\d+)?)\s*(?:°|deg|Deg|DEG|º)\s*(?:(?P<m>\d{1,2}(?:[.,]\d+)?)\s*['′’]\s*"
    r"(?:(?P<s>\d{1,2}(?:[.,]\d+)?)\s*(?:\"|″|''|”))?)?\s*(?P<h2>[NSEWСЮВЗ])?",
)  # hemisphere letters in upper case only, as exiftool prints them: "60.2 s" is seconds, not south
_HEMI = lazy(r"(?P<h1>[NSEWСЮВЗ])\s+(?P<v>\d{1,3}[.,]\d+)|(?P<w>\d{1,3}[.,]\d+)\s*(?P<h2>[NSEWСЮВЗ])")


def _degrees(text: str) -> float | None:
    """A coordinate as exiftool prints it by default (``55 deg 45' 4.32" N``), in DMS (``55°45'04.3"N``),
    or decimal with a hemisphere (``55.7512 N``, ``W 37.6``); S and W are negative. None if not one."""
    match = _DMS.fullmatch(text.strip())
    value = None
    hemisphere = None
    if match and (match.group("m") or "°" in text or "º" in text or "deg" in text.lower()):
        parts = [float((match.group(k) or "0").replace(",", ".")) for k in ("d", "m", "s")]
        if parts[1] >= 60 or parts[2] >= 60:
            return None
        value = parts[0] + parts[1] / 60 + parts[2] / 3600
        hemisphere = match.group("h1") or match.group("h2")
    else:
        match = _HEMI.fullmatch(text.strip())
        if not match:
            return None
        value = float((match.group("v") or match.group("w")).replace(",", "."))
        hemisphere = match.group("h1") or match.group("h2")
    if hemisphere and hemisphere.upper() in ("S", "W", "Ю", "З"):
        value = -value
    return value


def _parse_int(text: str) -> int | None:
    """Whole number from text, or None; leading zeros are decimal (``007`` is 7)."""
    if len(text) > _MAX_DIGITS:
        return None
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[ \u00a0\u202f,_']", "", text)
    if _DECIMAL.fullmatch(text):
        return int(text, 10)
    if _INTEGRAL_FLOAT.fullmatch(text):
        return int(text.split(".")[0], 10)
    if _PREFIXED.fullmatch(text):
        try:
            return int(text, 0)
        except ValueError:
            return None
    return None


def _parse_float(text: str) -> float:
    """Float from text: digit groups, a decimal point, or one decimal comma."""
    grouped = _GROUPED.fullmatch(text)
    if grouped:
        if grouped.group("sep") == "," and text.count(",") == 1:
            raise InvalidAnswer(msg("number.ambiguous", given=text))
        return float(re.sub(r"[ \u00a0\u202f,_']", "", text))
    cleaned = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", text)
    if re.fullmatch(r"[+-]?\d+,\d+", cleaned):
        cleaned = cleaned.replace(",", ".")
    elif "," in cleaned and "." in cleaned and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+\.\d*", cleaned):
        cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", cleaned):
        raise InvalidAnswer(msg("number.invalid", given=text))
    return float(cleaned)
