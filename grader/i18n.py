"""Bilingual (English/Russian) messages for grading reasons.

A reason is a :class:`Message` value (a catalogue key plus parameters), not a
string, so the same result can be shown to a trainee in either language and
stored as JSON. Templates live in :mod:`grader.messages`; they use
``str.format`` fields plus one extension for plural forms::

    "{n} {n:plural:item|items}"                   # en: one | other
    "{n} {n:plural:элемент|элемента|элементов}"   # ru: one | few | many

A parameter may itself be a :class:`Message` (rendered in the same language) or
a list: a list of messages is joined into sentences, a list of strings with ", ".
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from grader.messages import CATALOGUE

__all__ = ["DEFAULT_LANG", "LANGUAGES", "Message", "add_messages", "format_template", "msg", "points_text",
           "render"]

LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT_LANG = "en"


@dataclass(frozen=True)
class Message:
    """A translatable message: catalogue ``key`` and its ``params``."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """The message text in ``lang``; unknown languages fall back to English.

        A message is a value, so its text is computed once per language and kept: a class's
        gradebook, feedback page and report show each reason several times.
        """
        cache = self.__dict__.get("_rendered")
        if cache is None:
            cache = {}
            object.__setattr__(self, "_rendered", cache)
        text = cache.get(lang)
        if text is None:
            text = cache[lang] = render(self.key, lang, **self.params)
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"key": ..., "params": {...}}`` (nested messages too)."""
        return {"key": self.key, "params": {k: _jsonable(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        return self.render(DEFAULT_LANG)


def msg(key: str, **params: Any) -> Message:
    """Build a :class:`Message`; an unknown key is a programming error (``KeyError``)."""
    if key not in CATALOGUE:
        raise KeyError(f"no message {key!r} in the grader catalogue")
    return Message(key, params)


def add_messages(entries: Mapping[str, Mapping[str, str]]) -> None:
    """Add catalogue entries (e.g. a module's own warnings); each needs every language.

    Raises:
        ValueError: an entry lacks a language or redefines an existing key differently.
    """
    for key, entry in entries.items():
        missing = [lang for lang in LANGUAGES if lang not in entry]
        if missing:
            raise ValueError(f"message {key!r} has no {missing[0]!r} text")
        if key in CATALOGUE and CATALOGUE[key] != dict(entry):
            raise ValueError(f"message {key!r} is already defined differently")
        CATALOGUE[key] = dict(entry)


def render(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """Render catalogue entry ``key`` in ``lang`` with ``params``.

    Never raises: an unknown key or a template/parameter mismatch gives the key
    and parameters as text, so a catalogue slip cannot crash grading.
    """
    entry = CATALOGUE.get(key)
    if entry is None:
        return _fallback(key, params)
    if lang not in entry:
        lang = DEFAULT_LANG
    values = {name: _render_value(value, lang) for name, value in params.items()}
    try:
        return _Formatter(lang).vformat(entry[lang], (), values)
    except (KeyError, IndexError, ValueError):
        return _fallback(key, params)


class _Formatter(string.Formatter):
    """``str.format`` plus ``{n:plural:one|few|many}`` chosen by the language's rules."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            return _plural(self.lang, value, format_spec[len("plural:") :].split("|"))
        if isinstance(value, float) and not format_spec and value.is_integer():
            value = int(value)
        text = super().format_field(value, format_spec)
        if self.lang == "ru" and isinstance(value, float):
            text = text.replace(".", ",")  # Russian writes a decimal comma: 0,5 балла
        return text


def points_text(value: float, lang: str = DEFAULT_LANG) -> str:
    """A score or cost as a trainee reads it: at most two decimals (0.67, not 0.666667), and a
    decimal comma in Russian."""
    text = f"{round(float(value), 2):g}"
    return text.replace(".", ",") if lang == "ru" else text


def format_template(template: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """Fill a text's ``str.format`` fields with the catalogue's rules: plural forms
    (``{n:plural:балл|балла|баллов}``) and the language's decimal mark."""
    return _Formatter(lang).vformat(template, (), params)


def _plural(lang: str, value: Any, forms: list[str]) -> str:
    """Pick the plural form of ``value`` (en: one|other, ru: one|few|many)."""
    try:
        number = abs(float(value))
    except (TypeError, ValueError):
        return forms[-1]
    if not number.is_integer():
        return forms[1] if len(forms) > 1 else forms[0]
    n = int(number)
    if lang == "ru" and len(forms) == 3:
        if n % 10 == 1 and n % 100 != 11:
            return forms[0]
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return forms[1]
        return forms[2]
    return forms[0] if n == 1 or len(forms) == 1 else forms[1]


def _render_value(value: Any, lang: str) -> Any:
    if isinstance(value, Message):
        return value.render(lang)
    if isinstance(value, list | tuple):
        if all(isinstance(item, Message) for item in value):
            return " ".join(item.render(lang) for item in value)
        return ", ".join(str(item) for item in value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _fallback(key: str, params: Mapping[str, Any]) -> str:
    shown = ", ".join(f"{name}={_render_value(val, DEFAULT_LANG)}" for name, val in params.items())
    return f"{key} ({shown})" if shown else key
