"""Words the CLI shows (table headers, status lines), in English and Russian.

Grading reasons come from :mod:`grader.i18n`; these are the CLI's own words, kept
in the same gettext file (``grader/locale/ru/LC_MESSAGES/fklab.po``) under ``cli.*`` keys.
"""

from __future__ import annotations

from grader.i18n import format_template
from grader.messages import CLI_PREFIX, load_catalogue

CATALOGUE: dict[str, dict[str, str]] = {
    key[len(CLI_PREFIX):]: entry for key, entry in load_catalogue().items() if key.startswith(CLI_PREFIX)
}


def tr(key: str, lang: str = "en", **params: object) -> str:
    """The text for ``key`` in ``lang`` (English when there is no translation)."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["en"]
    return format_template(template, lang, **params) if params else template


def pick(text: dict[str, str] | None, lang: str) -> str:
    """Choose the ``lang`` version of a bilingual text from a lab or recipe."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))


def points(value: float, lang: str = "en") -> str:
    """A score or cost as a trainee reads it (see :func:`grader.i18n.points_text`)."""
    from grader.i18n import points_text

    return points_text(value, lang)
