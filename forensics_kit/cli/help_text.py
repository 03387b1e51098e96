"""``--help``, click's own words and the one-line errors in the trainee's language.

Under ``--lang ru`` (or ``FKLAB_LANG=ru``) the root group runs click inside
:func:`in_language`. While it is active:

- a command's help and short help come from the catalogue key ``cli.help.<command path>``
  (``cli.help.disk ls``; the root is ``cli.help.fklab``), an option's from
  ``cli.help.<command path>.<param name>`` (``cli.help.disk ls.deleted``). A keyed entry
  is used only while its msgid is still the command's English text; a text many
  commands share (``--json``, ``--partition``) is also found by its English alone;
- click's own words (Usage, Options, Commands, "Missing argument", "No such option",
  "Aborted!") come from ``cli.click.*`` entries whose msgid is click's English string;
- an error's line is re-rendered by :func:`forensics_kit.cli.error_text.to_language`.

Nothing is changed for good: the command objects are never edited (a shallow copy
carries the Russian text to click's formatter), and the few click functions replaced
are put back on exit, so an English run in the same process (CliRunner) stays English.
``--json`` keeps English everywhere. The catalogue is read only when a text is shown.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import os
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

import click

__all__ = ["ROOT", "help_key", "in_language", "language", "translated_help"]

ROOT = "fklab"
"""The command path of the root group in ``cli.help.*`` keys."""

_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")
# click asks for these while building objects it keeps (a Path type's name, the cached
# --help option): they stay English in those objects and are translated where shown.
_KEPT = frozenset({"Show this message and exit.", "Show the version and exit.", "file", "directory", "path",
                   "%(prog)s, version %(version)s", "Do you want to continue?",
                   "Confirm the action without prompting."})


def language(args: Sequence[str]) -> str:
    """The language a command line asks for: the root's ``--lang``, else ``FKLAB_LANG``, else English."""
    for index, arg in enumerate(args):
        if arg == "--lang" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if not arg.startswith("-"):
            break  # the sub-command: the root's options end here
    return os.environ.get("FKLAB_LANG") or "en"


@cache
def _entries(lang: str) -> tuple[dict[str, dict[str, str]], dict[str, str], dict[str, str]]:
    """(``cli.help.*`` entries by command path, help by English text, click's words by English)."""
    from grader.messages import load_catalogue

    keyed: dict[str, dict[str, str]] = {}
    by_english: dict[str, str] = {}
    words: dict[str, str] = {}
    for key, entry in load_catalogue().items():
        if lang not in entry:
            continue
        if key.startswith("cli.help."):
            keyed[key.removeprefix("cli.help.")] = entry
            by_english.setdefault(entry["en"], entry[lang])
        elif key.startswith("cli.click."):
            words[entry["en"]] = entry[lang]
            by_english.setdefault(entry["en"], entry[lang])
    return keyed, by_english, words


def help_key(ctx: click.Context) -> str:
    """The command path of ``ctx`` as ``cli.help.*`` keys spell it: ``disk ls``, or ``fklab`` for the root."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(reversed(names)) or ROOT


def translated_help(english: str | None, lang: str, key: str | None = None) -> str | None:
    """The ``lang`` text of a help string: by its key while the key's msgid matches, else by its English."""
    if not english:
        return None
    text = inspect.cleandoc(english)
    keyed, by_english, _ = _entries(lang)
    entry = keyed.get(key) if key else None
    if entry is not None and entry["en"] == text:
        return entry[lang]
    return by_english.get(text)


@contextlib.contextmanager
def in_language(args: Sequence[str]) -> Iterator[str]:
    """Run click with its help, words and errors in the language ``args`` ask for; yield it."""
    lang = language(args)
    if lang == "en" or "--json" in args:
        yield "en"
        return
    from click import core, exceptions

    saved: list[tuple[Any, str, Any]] = []

    def replace(owner: Any, name: str, value: Any) -> None:
        saved.append((owner, name, vars(owner)[name]))
        setattr(owner, name, value)

    def gettext(message: str) -> str:
        return message if message in _KEPT else _entries(lang)[2].get(message, message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    for module_name in _CLICK_MODULES:
        module = getattr(click, module_name)
        for name, value in (("_", gettext), ("ngettext", ngettext)):
            if name in vars(module):
                replace(module, name, value)

    format_help_text = core.Command.format_help_text
    short_help = core.Command.get_short_help_str
    option_record = core.Option.get_help_record
    argument_record = core.Argument.get_help_record

    def command_help(self: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = translated_help(self.help, lang, help_key(ctx))
        return format_help_text(_with(self, help=text) if text else self, ctx, formatter)

    def command_short_help(self: click.Command, limit: int = 45) -> str:
        if self.short_help:
            text = translated_help(self.short_help, lang)
            return short_help(_with(self, short_help=text), limit) if text else short_help(self, limit)
        text = translated_help(self.help, lang)
        return short_help(_with(self, help=text), limit) if text else short_help(self, limit)

    def option_help(self: click.Option, ctx: click.Context) -> tuple[str, str] | None:
        text = translated_help(self.help, lang, f"{help_key(ctx)}.{self.name}")
        return option_record(_with(self, help=text) if text else self, ctx)

    def argument_help(self: click.Argument, ctx: click.Context) -> tuple[str, str]:
        text = translated_help(self.help, lang, f"{help_key(ctx)}.{self.name}")
        return argument_record(_with(self, help=text) if text else self, ctx)

    for cls in (core.Command, core.Group):  # [OPTIONS], COMMAND [ARGS]...
        if "collect_usage_pieces" in vars(cls):
            replace(cls, "collect_usage_pieces", _usage_in(lang, vars(cls)["collect_usage_pieces"]))
    replace(core.Command, "format_help_text", command_help)
    replace(core.Command, "get_short_help_str", command_short_help)
    replace(core.Option, "get_help_record", option_help)
    replace(core.Argument, "get_help_record", argument_help)

    for cls in (exceptions.ClickException, exceptions.UsageError):
        replace(cls, "show", _showing_in(lang, vars(cls)["show"]))
    from forensics_kit.cli import error_text

    try:
        with error_text.active(lang):
            yield lang
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


def _with(obj: Any, **changes: Any) -> Any:
    """A shallow copy of a click object with some attributes changed (the original is left alone)."""
    clone = copy.copy(obj)
    for name, value in changes.items():
        setattr(clone, name, value)
    return clone


def _usage_in(lang: str, collect: Any) -> Any:
    """``collect_usage_pieces`` with click's own metavars (``[OPTIONS]``) in ``lang``."""

    def translated_usage(self: click.Command, ctx: click.Context) -> list[str]:
        words = _entries(lang)[2]
        return [words.get(piece, piece) for piece in collect(self, ctx)]

    return translated_usage


def _showing_in(lang: str, show: Any) -> Any:
    """``ClickException.show`` that first puts the error's message into ``lang``."""

    def translated_show(self: click.ClickException, file: Any = None) -> None:
        from forensics_kit.cli.error_text import to_language

        self.message = to_language(self.message, lang)  # type: ignore[misc]
        return show(self, file)

    return translated_show
