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


@contextlib.contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None] | None]:
    """A ``progress(step, done, total)`` callback drawing a bar on a terminal, else None."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from forensics_kit.cli.output import err

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)

        def update(step: str, done: int, total: int) -> None:
            bar.update(task, description=_step(step), completed=done, total=total or None)

        yield update


@contextlib.contextmanager
def builder(the_course: Course) -> Iterator[Callable[[str, str | None], Path]]:
    """The ``build(case, variant)`` callable for the grader workflow, with a progress bar."""
    from forensics_kit.course_build import builder_for

    with progress_bar() as progress:
        yield builder_for(the_course.datasets, the_course.builds, progress)
