"""``fklab grade``: grade a whole class (or a whole course) and write a gradebook."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import builder, course, json_option, lang_of
from forensics_kit.cli.output import emit_records, json_line, say, status
from grader.course_grades import grade_course
from grader.errors import GraderError
from grader.gradebook import grade_class, read_roster


@click.command("grade")
@click.argument("lab_id", required=False)
@click.argument("submissions", type=click.Path(exists=True, path_type=Path), required=False)
@click.option("--course", "course_root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Grade every lab: a folder holding a folder or zip per lab, or files named by lab.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Gradebook folder: gradebook.csv/.json, feedback/, report.html (course: course.* too).")
@click.option("--roster", "roster_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Variants the class may use (one id per line, or a CSV's first column): built if needed. "
                   "Submissions naming any other variant that is not built get an error row.")
@json_option
@click.pass_context
def group(ctx: click.Context, lab_id: str | None, submissions: Path | None, course_root: Path | None,
          out_dir: Path, roster_file: Path | None, as_json: bool) -> None:
    """Grade every answers file in SUBMISSIONS (folder or .zip) for LAB_ID, or the whole --course."""
    lang = lang_of(ctx)
    the_course = course()
    roster = read_roster(roster_file) if roster_file else None
    if course_root:
        with builder(the_course) as build:
            document = grade_course(the_course, course_root, out_dir, build, lang=lang, roster=roster)
        if as_json:
            json_line(document)
            return
        emit_records(document["trainees"], [("trainee", "Trainee"), ("score", "Score"), ("max_score", "Max"),
                                            ("percent", "%"), ("flags", "Flags")], False)
        say(status("course-gradebook", csv=out_dir / "course.csv", html=out_dir / "course.html"))
        return
    if not lab_id or submissions is None:
        raise GraderError("give LAB_ID SUBMISSIONS, or --course SUBMISSIONS_ROOT")
    with builder(the_course) as build:
        book = grade_class(the_course, lab_id, submissions, out_dir, build, lang=lang, roster=roster)
    if as_json:
        json_line(book.summary())
        return
    from grader.error_language import to_language

    emit_records(
        ({**row, "error": to_language(row["error"], lang) if row["error"] else None} for row in book.rows),
        [("file", "File"), ("trainee", "Trainee"), ("variant", "Variant"), ("score", "Score"),
         ("max_score", "Max"), ("flags", "Flags"), ("error", "Error")],
        False,
    )
    for qid, rate in book.success_rates().items():
        say(status("question-rate", question=qid, rate=rate))
    say(status("gradebook", csv=out_dir / "gradebook.csv", html=out_dir / "report.html", feedback=out_dir / "feedback"))
