"""Shared bits of the sub-commands: the course, the dataset builder, progress, language.

Nothing heavy is imported at module level (rich's progress bar, the grader's course,
the dataset builder): every command imports this module, and start-up is felt on each.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from grader.course import Course

json_option = click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON output.")


def lang_of(ctx: click.Context) -> str:
    return (ctx.find_root().obj or {}).get("lang", "en")


def course() -> Course:
    from grader.course import find_course

    return find_course()


def _step(step: str) -> str:
    """A progress step's name in the trainee's language (``cli.step.*``), else as the library gave it."""
    from forensics_kit.cli.output import in_lang

    return in_lang(f"step.{step}", step)


#: Steps whose ``done``/``total`` count bytes of evidence (shown as KiB/MiB/GiB); others count items.
BYTE_STEPS = frozenset({"hashing", "hashing media", "searching", "scanning", "carving", "yara: media",
                        "reading packets"})


def size_text(count: float, lang: str = "en") -> str:
    """A byte count as a person reads it: 512 B, 3.4 MiB, 1.21 GiB (МиБ, ГиБ and a decimal comma in Russian)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB") if lang != "ru" else ("Б", "КиБ", "МиБ", "ГиБ", "ТиБ")
    value, unit = float(count), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    text = f"{value:.0f}" if unit == 0 or value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"
    return f"{text.replace('.', ',') if lang == 'ru' else text} {units[unit]}"


def amount_text(step: str, done: float, total: float | None, lang: str = "en") -> str:
    """How far a step is: ``1.2 MiB / 16.0 MiB`` for byte steps, ``1200 / 5000`` or ``1200`` for counts."""
    show = (lambda n: size_text(n, lang)) if step in BYTE_STEPS else (lambda n: f"{int(n)}")
    return f"{show(done)} / {show(total)}" if total else show(done)


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """A ``progress(step, done, total)`` callback drawing a bar on a terminal, else None.

    Byte steps show sizes, counts show numbers; an unknown total shows only what is done
    (never ``0/None``); a known total adds the time left. The bar is transient: it leaves no
    line behind when the command's own output follows, and output sent to a file or a pipe
    goes there, not to the terminal the bar is drawn on.
    """
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.text import Text

    from forensics_kit.cli.output import current_lang, err

    lang = current_lang()

    class _Amount(ProgressColumn):
        def render(self, task) -> Text:  # type: ignore[no-untyped-def]
            return Text(amount_text(task.fields.get("step", ""), task.completed, task.total, lang))

    class _Left(TimeRemainingColumn):
        def render(self, task) -> Text:  # type: ignore[no-untyped-def]
            return super().render(task) if task.total else Text("")

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        _Amount(),
        TimeElapsedColumn(),
        _Left(),
        console=err,
        transient=True,
        # Only a terminal's lines are drawn above the bar; output sent to a file or a pipe must reach it.
        redirect_stdout=sys.stdout.isatty(),
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("", total=None, step="")

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=_step(step), completed=done, total=total or None, step=step)

        yield update


@contextlib.contextmanager
def builder(the_course: Course) -> Iterator[Callable[[str, str | None], Path]]:
    """The ``build(case, variant)`` callable for the grader workflow, with a progress bar."""
    from forensics_kit.course_build import builder_for

    with progress_bar() as progress:
        yield builder_for(the_course.datasets, the_course.builds, progress)
