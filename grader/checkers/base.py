"""The answer-type contract: one abstract :class:`Checker` plus a registry.

Like CTFd's flag types, each answer type is one small class with a ``name``;
unlike CTFd, subclasses register themselves, options are declared and checked,
a key can be validated at load time, and every verdict carries a bilingual
reason. Adding a type is one class in one module imported by the package.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from grader.errors import CheckerConfigError, InvalidAnswer
from grader.i18n import DEFAULT_LANG, Message, msg

__all__ = [
    "CheckResult",
    "Checker",
    "Outcome",
    "get_checker",
    "known_types",
    "make_checker",
]

_REGISTRY: dict[str, type[Checker]] = {}
#: The built-in answer types and the module that defines each, imported the first time a lab
#: asks for one: ``fklab lab check`` pays only for the types its questions use.
BUILT_IN: dict[str, str] = {
    "cidr": "grader.checkers.network",
    "datetime_range": "grader.checkers.ranges",
    "hash": "grader.checkers.hashes",
    "integer": "grader.checkers.numeric",
    "ip": "grader.checkers.network",
    "location": "grader.checkers.locations",
    "mac": "grader.checkers.network",
    "number": "grader.checkers.numeric",
    "offset": "grader.checkers.locations",
    "one_of": "grader.checkers.text",
    "ordered": "grader.checkers.ordered",
    "path": "grader.checkers.paths",
    "regex": "grader.checkers.text",
    "set": "grader.checkers.sets",
    "text": "grader.checkers.text",
    "timestamp": "grader.checkers.timestamps",
}


class Outcome(StrEnum):
    """How an answer was judged."""

    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"
    MISSING = "missing"


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one answer: outcome, points out of ``max_points``, and why."""

    outcome: Outcome
    points: float
    max_points: float
    reason: Message

    def to_dict(self, lang: str = DEFAULT_LANG) -> dict[str, Any]:
        """JSON-ready form with the reason rendered in ``lang`` (and as a key for machines)."""
        return {
            "outcome": self.outcome.value,
            "points": self.points,
            "max_points": self.max_points,
            "reason": self.reason.render(lang),
            "reason_key": self.reason.key,
            "reason_params": self.reason.to_dict()["params"],
        }


class Checker(ABC):
    """Base of every answer type.

    Contract for subclasses:

    * ``name``: the answer type as written in answer keys (``type: set``).
    * ``options``: every allowed option with its default. Values are checked
      against the default's type (bool, number, str); override
      :meth:`_check_options` for more.
    * :meth:`prepare_expected`: check the key's expected value and return it in
      normalised form; raise :class:`CheckerConfigError` if it is unusable.
    * :meth:`score`: judge a non-empty answer against the prepared expected
      value. Raise :class:`InvalidAnswer` for answers of the wrong kind.
    * :meth:`normalize` (where meaningful): canonical form of one answer.

    :meth:`check` wraps these: empty answers are ``missing``, unreadable ones
    are ``wrong`` with a reason; a trainee's answer never raises.
    """

    name: ClassVar[str]
    options: ClassVar[dict[str, object]] = {}

    def __init__(self, **options: object) -> None:
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            raise self._config_error(f"unknown option '{unknown[0]}' (known: {known})")
        self.settings: dict[str, object] = {**self.options, **options}
        for key, value in options.items():
            _check_option_type(self, key, value, self.options[key])
        self._check_options()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            return
        previous = _REGISTRY.get(name)
        if previous is not None and previous.__qualname__ != cls.__qualname__:
            raise CheckerConfigError(
                f"answer type '{name}' is already defined by {previous.__qualname__}"
            )
        _REGISTRY[name] = cls

    def check(self, given: object, expected: object, max_points: float = 1.0, *,
              prepared: Any = None) -> CheckResult:
        """Judge ``given`` against ``expected``, worth ``max_points``.

        ``prepared`` may pass ``prepare_expected(expected)`` computed once for many answers
        (a class graded against one variant's truth).

        Raises:
            CheckerConfigError: ``expected`` or ``max_points`` is unusable (a key
                problem, not the trainee's).
        """
        if isinstance(max_points, bool) or not isinstance(max_points, int | float):
            raise self._config_error(f"max_points must be a number, not {max_points!r}")
        if max_points < 0:
            raise self._config_error(f"max_points must not be negative ({max_points})")
        if prepared is None:
            prepared = self.prepare_expected(expected)
        if is_blank(given):
            return CheckResult(Outcome.MISSING, 0.0, float(max_points), msg("answer.missing"))
        try:
            return self.score(given, prepared, float(max_points))
        except InvalidAnswer as exc:
            return wrong(max_points, exc.reason)
        except (ValueError, OverflowError, RecursionError, UnicodeError):
            # A trainee's answer never raises: one a reader chokes on (a 100,000-digit number,
            # a nested list thousands deep) is simply not readable as this kind of answer.
            return wrong(max_points, msg("answer.unreadable"))

    def validate_expected(self, expected: object) -> None:
        """Check an answer key's expected value at load time (raises CheckerConfigError)."""
        self.prepare_expected(expected)

    @abstractmethod
    def prepare_expected(self, expected: object) -> Any:
        """Return ``expected`` normalised for :meth:`score`, or raise CheckerConfigError."""

    @abstractmethod
    def score(self, given: object, expected: Any, max_points: float) -> CheckResult:
        """Judge a non-empty ``given`` against prepared ``expected``."""

    def normalize(self, value: object) -> Any:
        """Canonical form of one answer; raises :class:`InvalidAnswer` if unreadable."""
        return value

    def _check_options(self) -> None:  # noqa: B027 - optional hook, empty by default
        """Hook: check option values beyond their type (raise via :meth:`_config_error`)."""

    def _config_error(self, problem: str) -> CheckerConfigError:
        return CheckerConfigError(problem, checker=self.name)


def get_checker(name: str) -> type[Checker]:
    """The checker class for answer type ``name``.

    Raises:
        CheckerConfigError: unknown type; the message lists the known ones.
    """
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None and isinstance(name, str) and name in BUILT_IN:
        importlib.import_module(BUILT_IN[name])  # its classes register themselves
        cls = _REGISTRY.get(name)
    if cls is None:
        import difflib  # only to suggest a name

        known = ", ".join(known_types())
        problem = f"unknown answer type {name!r} (known: {known})"
        close = difflib.get_close_matches(str(name), known_types(), n=1)
        if close:
            problem += f"; did you mean '{close[0]}'?"
        raise CheckerConfigError(problem)
    return cls


def make_checker(name: str, options: dict[str, object] | None = None) -> Checker:
    """A configured checker for answer type ``name`` with ``options`` from a key."""
    cls = get_checker(name)
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise CheckerConfigError(f"options must be a mapping, not {options!r}", checker=name)
    bad = [key for key in options if not isinstance(key, str)]
    if bad:
        raise CheckerConfigError(f"option names must be text, not {bad[0]!r}", checker=name)
    return cls(**options)


def known_types() -> list[str]:
    """Names of every answer type, built-in (imported or not yet) and registered, sorted."""
    return sorted(_REGISTRY.keys() | BUILT_IN.keys())


def is_blank(value: object) -> bool:
    """True for no answer: None, blank text, or an empty list/mapping."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | dict):
        return len(value) == 0
    return False


def wrong(max_points: float, reason: Message) -> CheckResult:
    """A ``wrong`` result worth 0 of ``max_points``."""
    return CheckResult(Outcome.WRONG, 0.0, float(max_points), reason)


def correct(max_points: float, reason: Message | None = None) -> CheckResult:
    """A ``correct`` result worth all ``max_points``."""
    return CheckResult(Outcome.CORRECT, float(max_points), float(max_points),
                       reason or msg("answer.correct"))


def kind_of(value: object) -> Message:
    """The kind of a value, as a message for "expected X, got Y" reasons."""
    if isinstance(value, bool):
        return msg("kind.bool")
    if isinstance(value, int):
        return msg("kind.integer")
    if isinstance(value, float):
        return msg("kind.number")
    if isinstance(value, str):
        return msg("kind.text")
    if isinstance(value, list | tuple | set):
        return msg("kind.list")
    if isinstance(value, dict):
        return msg("kind.mapping")
    return msg("kind.other", type=type(value).__name__)


def wrong_kind(want: str, value: object) -> InvalidAnswer:
    """An :class:`InvalidAnswer` saying the answer is not of kind ``want`` (a kind.* key)."""
    if isinstance(value, bool) and want in ("kind.text", "kind.hash", "kind.ip"):
        return InvalidAnswer(msg("answer.yaml_bool"))
    return InvalidAnswer(msg("answer.wrong_kind", want=msg(want), got=kind_of(value)))


def as_text(value: object, want: str = "kind.text", numbers: bool = True) -> str:
    """``value`` as stripped text; numbers become text if ``numbers``, else InvalidAnswer."""
    if isinstance(value, str):
        return value.strip()
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise wrong_kind(want, value)


def _check_option_type(checker: Checker, key: str, value: object, default: object) -> None:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
        want = "true or false"
    elif isinstance(default, int | float):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        want = "a number"
    elif isinstance(default, str):
        ok = isinstance(value, str)
        want = "text"
    else:
        return
    if not ok:
        raise checker._config_error(f"option '{key}' must be {want}, not {value!r}")
