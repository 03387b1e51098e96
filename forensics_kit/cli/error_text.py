"""Errors in the trainee's language: one translation layer at the CLI's error boundary.

The library raises errors in English (they are also what ``--json`` and logs carry);
the CLI shows them in Russian. Each ``cli.err.*`` catalogue entry has as msgid the
English message with ``{placeholders}`` where the code's f-string had expressions,
and as msgstr the Russian sentence. An error's text is matched against these
templates and re-rendered in Russian with the values it held: a file name or a
number stays as it was, and text quoted from TSK, pyewf or a decoder stays English
inside the Russian sentence. Messages built from pieces (``source: problem``,
``where`` phrases) are translated piece by piece.

The templates are compiled once, and only when an error is shown in Russian.
"""

from __future__ import annotations

import re
import string
from functools import cache

__all__ = ["PREFIXES", "to_language"]

PREFIXES = ("cli.err.", "yaml.")
"""Catalogue entries whose English is an error template (``yaml.*`` are the answers-file help)."""

_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z_0-9]*)(?:![rsa])?(?::[^{}]*)?\}")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_DEPTH = 4


@cache
def _templates(lang: str) -> tuple[tuple[re.Pattern[str], list[str], str], ...]:
    """(regex, field names, template in ``lang``), most specific (most literal text) first."""
    from grader.messages import load_catalogue

    compiled = []
    for key, entry in load_catalogue().items():
        if not key.startswith(PREFIXES) or lang not in entry:
            continue
        english = entry["en"]
        names: list[str] = []
        pattern, literal = [], 0
        for text, name, _spec, _conv in string.Formatter().parse(english):
            pattern.append(re.escape(text))
            literal += len(text.strip())
            if name is not None:
                names.append(name)
                pattern.append(f"(?P<g{len(names) - 1}>.*?)")
        if literal >= 2:
            compiled.append((literal, re.compile("".join(pattern), re.DOTALL), names, entry[lang]))
    compiled.sort(key=lambda item: -item[0])
    return tuple((regex, names, target) for _, regex, names, target in compiled)


def to_language(text: str, lang: str) -> str:
    """``text`` (an English error) in ``lang``; unchanged when no template matches or ``lang`` is English."""
    if lang == "en" or not text:
        return text
    return _translate(text, lang, 0) or text


def _translate(text: str, lang: str, depth: int) -> str | None:
    """``text`` translated whole, or as ``prefix: rest`` with the rest translated; None if neither."""
    whole = _whole(text, lang, depth)
    if whole is not None:
        return whole
    start = 0
    while (cut := text.find(": ", start)) > 0:
        rest = _translate(text[cut + 2 :], lang, depth + 1) if depth < _DEPTH else None
        if rest is not None:
            head = text[:cut]
            return f"{_whole(head, lang, depth + 1) or head}: {rest}"
        start = cut + 2
    return None


def _whole(text: str, lang: str, depth: int) -> str | None:
    """``text`` rendered from the first template it matches entirely, its values translated in turn."""
    from grader.i18n import format_template

    for regex, names, target in _templates(lang):
        match = regex.fullmatch(text)
        if match is None:
            continue
        values: dict[str, object] = {}
        for index, name in enumerate(names):
            value = match.group(f"g{index}")
            if name in values:
                continue
            if depth < _DEPTH and " " in value:
                value = _translate(value, lang, depth + 1) or value
            values[name] = _number(value, name, lang)
        try:
            return format_template(target, lang, **values)
        except (KeyError, IndexError, ValueError):
            return None
    return None


def _number(value: str, name: str, lang: str) -> object:
    """A decimal read back from the text, so Russian writes it with a comma (not versions)."""
    if lang == "ru" and _DECIMAL.match(value) and "version" not in name and "python" not in name:
        return float(value)
    return value
