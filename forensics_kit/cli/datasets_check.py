"""``fklab datasets check CASE --variants N``: every trainee variant builds and is solvable, before class."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from forensics_kit.cli.common import course, json_option, lang_of, progress_bar
from forensics_kit.cli.datasets import group
from forensics_kit.cli.output import emit_records, say, warn
from forensics_kit.cli.text import tr


@group.command("check")
@click.argument("case")
@click.option("--variants", "count", default=5, show_default=True, type=click.IntRange(1, 500),
              help="How many trainee variants to build; more are added until every choice value is drawn.")
@click.option("--no-solve", is_flag=True, help="Only build; do not run the labs' reference solvers.")
@json_option
@click.pass_context
def check_cmd(ctx: click.Context, case: str, count: int, no_solve: bool, as_json: bool) -> None:
    """(Trainer) Build N variants of CASE (and one per untried choice value) in a scratch folder and run
    each lab's reference solver on them, so a bad parameter value fails now, not at one trainee's lab start."""
    from dataclasses import replace

    from forensics_kit.course_build import check_case, solver_check

    lang = lang_of(ctx)
    the_course = course()
    with tempfile.TemporaryDirectory(prefix="fklab-check-") as scratch, progress_bar(not as_json) as progress:
        solve = None if no_solve else solver_check(replace(the_course, build_root=Path(scratch)))
        rows = check_case(the_course.datasets, Path(scratch), case, count, solve, progress)
    emit_records(({"variant": r["variant"] or "-", "result": r["error"] or "ok"} for r in rows),
                 [("variant", "Variant"), ("result", "Result")], as_json)
    bad = [r for r in rows if r["error"]]
    if as_json:
        if bad:
            raise SystemExit(1)
        return
    if bad:
        warn(tr("check_failed", lang, case=case, bad=len(bad), total=len(rows)))
        raise SystemExit(1)
    say(tr("check_ok", lang, case=case, total=len(rows)))
