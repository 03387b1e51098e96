"""Text answers: exact text (``text``), a list of accepted texts (``one_of``), ``regex``.

Comparison is on normalised text: Unicode NFC, trimmed, runs of whitespace
collapsed to one space, and case folded unless the key says case matters, so
``  Evil.EXE `` matches ``evil.exe`` but ``evil .exe`` does not.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

from grader.checkers.base import Checker, CheckResult, as_text, correct, wrong
from grader.i18n import msg

__all__ = ["OneOfChecker", "RegexChecker", "TextChecker"]

_SPACES = re.compile(r"\s+")


class TextChecker(Checker):
    """Exact text after normalisation; ``expected`` is a string or a list of accepted strings.

    Options:
        case_sensitive (bool, default false): compare letter case too.
    """

    name = "text"
    options = {"case_sensitive": False}

    def normalize(self, value: object) -> str:
        """NFC, trimmed, whitespace collapsed, case folded unless ``case_sensitive``."""
        text = _SPACES.sub(" ", unicodedata.normalize("NFC", as_text(value)))
        return text if self.settings["case_sensitive"] else text.casefold()

    def prepare_expected(self, expected: object) -> list[str]:
        items = expected if isinstance(expected, list) else [expected]
        return self._accepted(items)

    def score(self, given: object, expected: list[str], max_points: float) -> CheckResult:
        answer = self.normalize(given)
        if answer in expected:
            return correct(max_points)
        folded = {item.casefold() for item in expected}
        if self.settings["case_sensitive"] and answer.casefold() in folded:
            return wrong(max_points, msg("text.case_differs"))
        return wrong(max_points, msg(self._wrong_key))

    _wrong_key = "text.wrong"

    def _accepted(self, items: list[Any]) -> list[str]:
        accepted = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise self._config_error(f"expected answers must be text, not {item!r}")
            text = self.normalize(item)
            if not text:
                raise self._config_error("an expected answer is empty")
            accepted.append(text)
        if not accepted:
            raise self._config_error("no expected answer given")
        return accepted


class OneOfChecker(TextChecker):
    """Any one of several accepted texts; ``expected`` must be a list.

    Options:
        case_sensitive (bool, default false): compare letter case too.
    """

    name = "one_of"
    _wrong_key = "one_of.wrong"

    def prepare_expected(self, expected: object) -> list[str]:
        if not isinstance(expected, list):
            raise self._config_error(f"expected must be a list of answers, not {expected!r}")
        return self._accepted(expected)


class RegexChecker(Checker):
    """The trimmed answer must fully match a pattern (or one of a list of patterns).

    Options:
        ignore_case (bool, default true): match letters in any case.
    """

    name = "regex"
    options = {"ignore_case": True}

    def normalize(self, value: object) -> str:
        """The answer trimmed (patterns decide about inner whitespace)."""
        return as_text(value)

    def prepare_expected(self, expected: object) -> list[re.Pattern[str]]:
        patterns = expected if isinstance(expected, list) else [expected]
        if not patterns:
            raise self._config_error("no pattern given")
        compiled = []
        for pattern in patterns:
            if not isinstance(pattern, str) or not pattern:
                raise self._config_error(f"a pattern must be non-empty text, not {pattern!r}")
            try:
                compiled.append(_compile(pattern, bool(self.settings["ignore_case"])))
            except re.error as exc:
                raise self._config_error(f"pattern {pattern!r} does not compile: {exc}") from None
        return compiled

    def score(
        self, given: object, expected: list[re.Pattern[str]], max_points: float
    ) -> CheckResult:
        answer = self.normalize(given)
        if any(pattern.fullmatch(answer) for pattern in expected):
            return correct(max_points)
        return wrong(max_points, msg("regex.wrong"))


@lru_cache(maxsize=256)
def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)
