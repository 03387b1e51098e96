"""Text answers: exact text (``text``), a list of accepted texts (``one_of``), ``regex``.

``text`` and ``one_of`` compare in a notation (the key's ``kind``): free text by default
(Unicode NFC, trimmed, whitespace collapsed, case folded), or a password, an account name, a
host name, a mailbox, a URL, a port, an IBAN, a phone number, a file type or a file name, each
read the way tools print it and compared with its own case rule (see :mod:`grader.notations`).
A right value inside a longer form (a path where a file name is asked) earns the key's
``container_credit`` with a reason that says what is asked.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from grader.checkers.base import Checker, CheckResult, Outcome, as_text, correct, wrong
from grader.errors import InvalidAnswer
from grader.i18n import msg
from grader.notations import Reading, clean, get_notation, known_notations
from grader.notations.files import check_fs_options
from grader.notations.numbers import PhoneNotation, PortNotation

__all__ = ["OneOfChecker", "RegexChecker", "TextChecker"]



def _notation_options() -> dict[str, object]:
    """Every notation's option, defaulting to None: the chosen kind supplies its own default."""
    return {key: None for name in known_notations() for key in get_notation(name).options}


class TextChecker(Checker):
    """Text in one notation (``kind``); ``expected`` is a string or a list of accepted strings.

    Options:
        kind (text, default ``text``): the notation, one of :func:`grader.notations.known_notations`
            (``password``, ``username``, ``domain``, ``email``, ``url``, ``uri``, ``port``, ``iban``,
            ``phone``, ``file_type``, ``filename``, ``identifier``, ``windows_user``, ``usb_device``,
            ``usb_serial``, ``volume_serial``, ``text``).
        case_sensitive (bool, default: the kind's own rule): compare letter case too.
        The kind's own options (``fs``, ``first_char``, ``container_credit``, ``protocol``,
        ``country``, ``local_case_sensitive``): see :mod:`grader.notations`.
    """

    name = "text"
    options = {"case_sensitive": None, "kind": "text", **_notation_options()}
    _wrong_key = "text.wrong"

    def __init__(self, **options: object) -> None:
        self._given = set(options)
        super().__init__(**options)

    def _check_options(self) -> None:
        kind = self.settings["kind"]
        cls = get_notation(kind)
        allowed = {"case_sensitive", "kind", *cls.options}
        stray = sorted(self._given - allowed)
        if stray:
            raise self._config_error(f"option '{stray[0]}' does not apply to kind '{kind}'")
        for key, default in cls.options.items():
            value = self.settings[key] if key in self._given else default
            if isinstance(default, bool) and not isinstance(value, bool) or isinstance(default, str) and not \
                    isinstance(value, str) or isinstance(default, float) and (isinstance(value, bool) or
                                                                             not isinstance(value, int | float)):
                raise self._config_error(f"option '{key}' must be like {default!r}, not {value!r}")
            self.settings[key] = value
        chosen = self.settings["case_sensitive"]
        if chosen is not None and not isinstance(chosen, bool):
            raise self._config_error(f"option 'case_sensitive' must be true or false, not {chosen!r}")
        credit = self.settings.get("container_credit")
        if isinstance(credit, int | float) and not 0 <= float(credit) <= 1:
            raise self._config_error("option 'container_credit' must be between 0 and 1")
        if kind == "filename":
            check_fs_options(self.name, self.settings.get("fs"), self.settings.get("first_char"))
        if kind == "port" and self.settings.get("protocol") not in ("", "tcp", "udp", "sctp"):
            raise self._config_error("option 'protocol' must be tcp, udp or sctp")
        self.notation = cls({k: self.settings[k] for k in allowed if k in self.settings})

    def normalize(self, value: object) -> str:
        """The canonical form of the answer in the key's notation (NFC, trimmed, case per kind)."""
        return self.forms(value)[0]

    def forms(self, value: object) -> list[str]:
        """Every canonical reading of the answer (as written, then without a label or quotes)."""
        readings = self.notation.readings(as_text(value))
        forms = [r.value for r in readings]
        return list(dict.fromkeys(forms + [f for f in (self.notation.loose(v, True) for v in forms) if f]))

    def expected_forms(self, item: str) -> list[str]:
        """The forms of one expected value an answer may match (itself, then its loose form)."""
        loose = self.notation.loose(item, False)
        return [item, loose] if loose and loose != item else [item]

    def prepare_expected(self, expected: object) -> list[str]:
        items = expected if isinstance(expected, list) else [expected]
        return self._accepted(items)

    def normalize_expected(self, value: object) -> str:
        """One expected value in canonical form (a phone number also sets the country for answers)."""
        return self._accepted([value])[0]

    def score(self, given: object, expected: list[str], max_points: float) -> CheckResult:
        readings = self.notation.readings(as_text(given))
        accepted = set(expected)
        loose = {f: e for e in expected for f in self.expected_forms(e)}
        for reading in readings:
            if isinstance(self.notation, PortNotation):
                slip = self.notation.protocol_slip(reading)
                if slip is not None:
                    return wrong(max_points, slip)
            hit = reading.value in accepted
            note = reading.note
            if not hit and self.notation.loose(reading.value, True) in loose:
                hit, note = True, msg(self.notation.loose_note)
            if not hit:
                continue
            notes = [note] if note else []
            if reading.asked is not None:
                chosen = self.settings.get("container_credit")
                credit = 1.0 if chosen is None else float(chosen)  # type: ignore[arg-type]
                if credit < 1:
                    points = round(credit * max_points, 6)
                    reason = msg("joined", parts=[*notes, reading.asked])
                    if points <= 0:
                        return wrong(max_points, reason)
                    return CheckResult(Outcome.PARTIAL, points, float(max_points), reason)
                notes.append(reading.asked)
            return correct(max_points, msg("joined", parts=[*notes, msg("answer.correct")]) if notes else None)
        expected_readings = [Reading(e) for e in expected]
        slip = None
        for reading in readings:
            slip = self.notation.slip(reading, expected_readings)
            if slip is not None:
                break
        note = readings[0].note
        why = slip or msg(self._wrong_key)
        return wrong(max_points, msg("joined", parts=[note, why]) if note else why)

    def _accepted(self, items: list[Any]) -> list[str]:
        accepted = []
        for item in items:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise self._config_error(f"expected answers must be text, not {item!r}")
            text = clean(str(item))
            if not text:
                raise self._config_error("an expected answer is empty")
            try:
                if isinstance(self.notation, PhoneNotation):
                    reading = self.notation.expect(text)
                else:
                    reading = self.notation.read(text)
            except InvalidAnswer as exc:
                raise self._config_error(f"expected {item!r} is not a valid {self.settings['kind']}: "
                                         f"{exc.reason.render('en')}") from None
            accepted.append(reading.value)
        if not accepted:
            raise self._config_error("no expected answer given")
        return accepted


class OneOfChecker(TextChecker):
    """Any one of several accepted texts; ``expected`` must be a list.

    Options: as ``text`` (``kind``, ``case_sensitive`` and the kind's options).
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
