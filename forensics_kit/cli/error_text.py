"""Errors in the trainee's language: one translation layer at the CLI's error boundary.

The library raises errors in English (they are also what ``--json`` and logs carry);
the CLI shows them in Russian. Each ``cli.err.*`` catalogue entry has as msgid the
English message with ``{placeholders}`` where the code's f-string had expressions,
and as msgstr the Russian sentence. An error's text is matched against these
templates and re-rendered in Russian with the values it held: a file name or a
number stays as it was, and text quoted from TSK, pyewf or a decoder stays English
inside the Russian sentence. Messages built from pieces (``source: problem``,
``where`` phrases) are translated piece by piece.

The matching itself is :func:`grader.error_language.to_language` (the class report uses it too);
this module holds the language of the running command.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["active", "shown", "to_language"]

_active = "en"


@contextlib.contextmanager
def active(lang: str) -> Iterator[None]:
    """Make ``lang`` the language :func:`shown` writes errors in (for one run of the CLI)."""
    global _active
    previous, _active = _active, lang
    try:
        yield
    finally:
        _active = previous


def shown(text: str) -> str:
    """An error line as the running command shows it: in its language (English outside :func:`active`)."""
    return to_language(text, _active)


def to_language(text: str, lang: str) -> str:
    """``text`` (an English error) in ``lang``: :func:`grader.error_language.to_language`, imported
    only when an error is shown (``fklab --version`` loads no catalogue)."""
    from grader.error_language import to_language as translate

    return translate(text, lang)
