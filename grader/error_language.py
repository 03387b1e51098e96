"""English errors re-rendered in another language, from the catalogue's ``cli.err.*`` templates.

The library raises errors in English (they are also what ``--json``, logs and gradebook files
carry). Each ``cli.err.*`` catalogue entry has as msgid the English message with
``{placeholders}`` where the code's f-string had expressions, and as msgstr the Russian
sentence. An error's text is matched against these templates and re-rendered with the values
it held: a file name or a number stays as it was, and text quoted from TSK, pyewf or a decoder
stays English inside the Russian sentence. Messages built from pieces (``source: problem``,
``where`` phrases) are translated piece by piece. The CLI uses it at its error boundary
(:mod:`forensics_kit.cli.error_text`); the class report uses it for rows that could not be graded.

The templates are compiled once, and only when an error is shown in another language. Where
several readings are possible (a short ``where`` phrase could match a whole line), the one that
translates the most English text wins.
"""

from __future__ import annotations

import re
import string
from functools import cache, lru_cache

__all__ = ["PREFIXES", "to_language"]

PREFIXES = ("cli.err.", "yaml.")
"""Catalogue entries whose English is an error template (``yaml.*`` are the answers-file help)."""

_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_DEPTH = 4


@cache
def _templates(lang: str) -> tuple[tuple[re.Pattern[str], list[str], str, int], ...]:
    """(regex, field names, template in ``lang``, score) of every error template, best score first."""
    from grader.messages import load_catalogue

    compiled = []
    for key, entry in load_catalogue().items():
        if not key.startswith(PREFIXES) or lang not in entry:
            continue
        names: list[str] = []
        pattern, literal = [], 0
        for text, name, _spec, _conv in string.Formatter().parse(entry["en"]):
            pattern.append(re.escape(text))
            literal += len(re.sub(r"\s", "", text))
            if name is not None:
                names.append(name)
                pattern.append(f"(?P<g{len(names) - 1}>.*?)")
        if literal >= 2:  # score: the literal text it translates, less a little for each value it leaves open
            compiled.append((re.compile("".join(pattern), re.DOTALL), names, entry[lang], 2 * literal - len(names)))
    compiled.sort(key=lambda item: -item[3])
    return tuple(compiled)


def to_language(text: str, lang: str) -> str:
    """``text`` (an English error) in ``lang``; unchanged when no template matches or ``lang`` is English."""
    if lang == "en" or not text:
        return text
    best = _best(text, lang, 0)
    return best[1] if best else text


@lru_cache(maxsize=4096)
def _best(text: str, lang: str, depth: int) -> tuple[int, str] | None:
    """The reading of ``text`` that translates the most English: (letters translated, translation), or None.

    A reading is one template matching all of ``text`` (its values read in turn, so a
    nested message or a ``where`` phrase is translated too), or ``prefix: rest`` with the
    rest (and, where it can be, the prefix) read on their own.
    """
    from grader.i18n import format_template

    readings: list[tuple[int, int, str]] = []  # (score, minus the length of its first value, text)
    for regex, names, target, literal in _templates(lang):
        match = regex.fullmatch(text)
        if match is None:
            continue
        score, values = literal, {}
        for index, name in enumerate(names):
            value = match.group(f"g{index}")
            if name in values:
                continue
            inner = _best(value, lang, depth + 1) if depth < _DEPTH and " " in value else None
            if inner is not None:
                score, value = score + inner[0], inner[1]
            values[name] = _number(value, name, lang)
        first = -len(match.group("g0")) if names else 0  # a tie goes to the reading that ends its first value first
        try:
            readings.append((score, first, format_template(target, lang, **values)))
        except (KeyError, IndexError, ValueError):
            continue
    if depth < _DEPTH:
        start = 0
        while (cut := text.find(": ", start)) > 0:
            rest = _best(text[cut + 2 :], lang, depth + 1)
            if rest is not None:
                head = _best(text[:cut], lang, depth + 1)
                shown_head = head[1] if head else text[:cut]
                readings.append((rest[0] + (head[0] if head else 0), -cut, f"{shown_head}: {rest[1]}"))
            start = cut + 2
    if not readings:
        return None
    score, _, translated = max(readings, key=lambda reading: reading[:2])
    return score, translated


def _number(value: str, name: str, lang: str) -> object:
    """A decimal read back from the text, so Russian writes it with a comma (not versions)."""
    if lang == "ru" and _DECIMAL.match(value) and "version" not in name and "python" not in name:
        return float(value)
    return value
