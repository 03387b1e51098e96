"""``fklab lab``: list, show, start, check, solve."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import builder, course, json_option, lang_of
from forensics_kit.cli.output import emit_records, json_line, say, show, table, warn
from forensics_kit.cli.text import pick, points, tr
from grader.grade import LabResult
from grader.lab import list_labs
from grader.workflow import (
    WorkspaceConflict,
    check_answers,
    find_lab,
    grade_sheet,
    lab_key,
    run_solver,
    solution_document,
    solution_sheet,
    start_lab,
    write_sheet,
)


@click.group("lab")
def group() -> None:
    """Labs: list them, read one, start a workspace, check your answers."""


@group.command("list")
@json_option
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """All labs of the course with level and time."""
    lang = lang_of(ctx)
    rows = (
        {
            "id": lab.id,
            "title": pick(lab.title, "en" if as_json else lang),
            "difficulty": tr(lab.difficulty, lang) if not as_json else lab.difficulty,
            "minutes": lab.minutes,
            "questions": len(lab.questions),
            "points": lab.max_score,
        }
        for lab in list_labs(course().labs)
    )
    cols = [
        ("id", tr("id", lang)),
        ("title", tr("title", lang)),
        ("difficulty", tr("difficulty", lang)),
        ("minutes", tr("minutes", lang)),
        ("questions", tr("questions", lang)),
        ("points", tr("points", lang)),
    ]
    emit_records(rows, cols, as_json)


@group.command("show")
@click.argument("lab_id")
@json_option
@click.pass_context
def show_cmd(ctx: click.Context, lab_id: str, as_json: bool) -> None:
    """The lab's brief, objectives, evidence and questions."""
    from grader.placeholders import find_placeholders

    lang = lang_of(ctx)
    lab = find_lab(course(), lab_id)
    for spot in find_placeholders(lab.directory):
        warn(tr("placeholder_left", lang, path=spot.path, line=spot.line, text=spot.text))
    if as_json:
        json_line(
            {
                "id": lab.id,
                "title": lab.title,
                "summary": lab.summary,
                "difficulty": lab.difficulty,
                "minutes": lab.minutes,
                "objectives": list(lab.objectives),
                "evidence": [{"dataset": e.dataset, "artefact": e.artefact} for e in lab.evidence],
                "questions": [
                    {"id": q.id, "text": q.text, "type": q.type, "points": q.points, "hints": len(q.hints)}
                    for q in lab.questions
                ],
            }
        )
        return
    say(f"{lab.id}: {pick(lab.title, lang)}  " + tr("lab_level", lang, level=tr(lab.difficulty, lang),
                                                      minutes=lab.minutes))
    say(pick(lab.summary, lang))
    say(f"\n{tr('objectives', lang)}:")
    for objective in lab.objectives:
        say(f"  - {pick(objective, lang)}")
    say(f"\n{tr('evidence', lang)}: " + ", ".join(f"{e.artefact} ({e.dataset})" for e in lab.evidence))
    t = table()
    for key in ("id", "question", "type", "points", "hints"):
        t.add_column(tr(key, lang), overflow="fold")
    for q in lab.questions:
        t.add_row(q.id, q.text_in(lang), q.type, points(q.points, lang), str(len(q.hints)))
    show(t)
    say(f"\n{lab.readme(lang)}")


@group.command("start")
@click.argument("lab_id")
@click.option(
    "--dir", "workdir", type=click.Path(file_okay=False, path_type=Path), help="Workspace folder (default: ./<lab-id>)."
)
@click.option("--trainee", "trainee_id", help="Your trainee id: you get your own variant of the evidence.")
@click.option("--name", "trainee_name", help="Your name, written into the answers file.")
@click.option("--force", is_flag=True,
              help="If the folder holds a workspace for another lab or variant, move it aside and start anew.")
@click.pass_context
def start_cmd(
    ctx: click.Context,
    lab_id: str,
    workdir: Path | None,
    trainee_id: str | None,
    trainee_name: str | None,
    force: bool,
) -> None:
    """Make a workspace: evidence copies (read-only), the brief and an answers template."""
    lang = lang_of(ctx)
    the_course = course()
    target = workdir or Path.cwd() / lab_id
    existed = (target / "answers.yaml").exists()
    try:
        with builder(the_course) as build:
            ws = start_lab(
                the_course,
                lab_id,
                target,
                build,
                lang=lang,
                trainee_name=trainee_name,
                trainee_id=trainee_id,
                variant=trainee_id,
                force=force,
            )
    except WorkspaceConflict as exc:
        if exc.lab is None:
            raise click.ClickException(tr("workspace_unreadable", lang, dir=exc.directory)) from None
        raise click.ClickException(
            tr("workspace_conflict", lang, dir=exc.directory, lab=exc.lab, variant=exc.variant or "default")
        ) from None
    if ws.moved_aside:
        warn(tr("workspace_moved_aside", lang, aside=ws.moved_aside))
    elif existed:
        warn(tr("answers_kept", lang, answers=ws.answers))
    readme = next((p for p in (ws.directory / "README.ru.md", ws.directory / "README.md") if p.exists()), ws.directory)
    say(
        tr(
            "workspace_ready",
            lang,
            dir=ws.directory,
            evidence=", ".join(str(p) for p in ws.evidence.values()),
            answers=ws.answers,
            readme=readme,
            lab=lab_id,
        )
    )


def _print_result(result: LabResult, lang: str, as_json: bool) -> None:
    if as_json:  # machines read English whatever the trainee's language
        json_line(result.to_dict("en"))
        return
    t = table(f"{result.lab}")
    for key in ("question", "result", "points", "reason"):
        t.add_column(tr(key, lang), overflow="fold")
    styles = {"correct": "green", "partial": "yellow", "wrong": "red", "missing": "dim"}
    styles["pending"] = "cyan"
    for q in result.questions:
        outcome = "pending" if q.pending else q.outcome.value
        score = f"{points(q.points, lang)}/{points(q.max_points, lang)}"
        t.add_row(q.id, f"[{styles[outcome]}]{tr(outcome, lang)}[/]", score, q.reason.render(lang))
    show(t)
    for w in result.warnings:
        warn(w.render(lang))
    say(tr("score_line", lang, score=round(result.score, 2), max=round(result.max_score, 2), percent=result.percent))
    pending = sum(q.max_points for q in result.questions if q.pending)
    if pending:
        say(tr("pending_line", lang, points=pending))


@group.command("check")
@click.argument("lab_id")
@click.argument("answers", type=click.Path(path_type=Path))
@click.option("--sealed", is_flag=True, help="Check against the sealed key even where the plain key is present.")
@json_option
@click.pass_context
def check_cmd(ctx: click.Context, lab_id: str, answers: Path, sealed: bool, as_json: bool) -> None:
    """Grade your answers file and show a table per question (offline with the sealed key)."""
    lang = lang_of(ctx)
    the_course = course()
    with builder(the_course) as build:
        result = check_answers(the_course, lab_id, answers, build, sealed=sealed or None)
    _print_result(result, lang, as_json)


@group.command("solve")
@click.argument("lab_id")
@click.option("--variant", help="Solve this trainee's variant instead of the default evidence.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the answers file here.")
@json_option
@click.pass_context
def solve_cmd(ctx: click.Context, lab_id: str, variant: str | None, out: Path | None, as_json: bool) -> None:
    """(Instructor) Run the reference solver on the evidence, show its walkthrough and grade."""
    lang = lang_of(ctx)
    the_course = course()
    with builder(the_course) as build:
        lab_ctx, solution = run_solver(the_course, lab_id, variant, build)
    if out:
        write_sheet(out, solution_document(lab_ctx, solution))
    result = grade_sheet(
        lab_ctx.lab, lab_key(the_course, lab_ctx.lab), lab_ctx.truths, solution_sheet(lab_ctx, solution)
    )
    if not as_json:
        for line in solution.walkthrough:
            say(f"  {line}")
        if out:
            say(tr("solver_wrote", lang, path=out))
    _print_result(result, lang, as_json)
