"""``fklab grade``: grade a whole class and write a gradebook."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import builder, course, json_option, lang_of
from forensics_kit.cli.output import emit_records, json_line, say
from grader.gradebook import grade_class


@click.command("grade")
@click.argument("lab_id")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Gradebook folder (gradebook.csv, gradebook.json).",
)
@json_option
@click.pass_context
def group(ctx: click.Context, lab_id: str, submissions: Path, out_dir: Path, as_json: bool) -> None:
    """Grade every answers file in SUBMISSIONS for LAB and write the gradebook to --out."""
    lang = lang_of(ctx)
    the_course = course()
    with builder(the_course) as build:
        book = grade_class(the_course, lab_id, submissions, out_dir, build, lang=lang)
    if as_json:
        json_line(book.summary())
        return
    emit_records(
        (row for row in book.rows),
        [
            ("file", "File"),
            ("trainee", "Trainee"),
            ("variant", "Variant"),
            ("score", "Score"),
            ("max_score", "Max"),
            ("error", "Error"),
        ],
        False,
    )
    for qid, rate in book.success_rates().items():
        say(f"  {qid}: {rate:.0%} correct")
    say(f"Gradebook: {out_dir / 'gradebook.csv'}, {out_dir / 'gradebook.json'}")
