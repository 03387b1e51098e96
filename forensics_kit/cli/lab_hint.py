"""``fklab lab hint``: the next hint for a question, recorded (with its cost) in the answers file."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import course, json_option, lang_of
from forensics_kit.cli.lab import group
from forensics_kit.cli.output import json_line, say
from forensics_kit.cli.text import pick, tr
from grader.errors import GraderError
from grader.workflow import next_hint, take_hint

YES = {"y", "yes", "д", "да"}
NO = {"", "n", "no", "н", "нет"}


def _default_answers(lab_id: str) -> Path:
    for candidate in (Path("answers.yaml"), Path(lab_id) / "answers.yaml"):
        if candidate.exists():
            return candidate
    raise GraderError(f"no answers.yaml here or in ./{lab_id}/: give it with --answers")


@group.command("hint")
@click.argument("lab_id")
@click.argument("question")
@click.option("--answers", type=click.Path(dir_okay=False, path_type=Path),
              help="Your answers file (default: ./answers.yaml or ./LAB/answers.yaml).")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before taking a hint that costs points.")
@json_option
@click.pass_context
def hint_cmd(ctx: click.Context, lab_id: str, question: str, answers: Path | None, yes: bool, as_json: bool) -> None:
    """Show the next hint for QUESTION; its cost is deducted from that question when graded."""
    lang = lang_of(ctx)
    the_course = course()
    path = answers or _default_answers(lab_id)
    coming = next_hint(the_course, lab_id, question, path)
    if coming.new and not yes and not as_json and not _agreed(coming.number, coming.total, question,
                                                             coming.hint.cost, lang):
        say(tr("hint_declined", lang))
        return
    taken = take_hint(the_course, lab_id, question, path)
    if as_json:
        json_line({"question": taken.question, "hint": taken.number, "of": taken.total,
                   "cost": taken.hint.cost, "text": pick(taken.hint.text, lang), "recorded": taken.new})
        return
    if not taken.new:
        say(tr("hint_again", lang, question=question))
    say(tr("hint_head", lang, question=question, number=taken.number, total=taken.total, cost=taken.hint.cost))
    say(f"  {pick(taken.hint.text, lang)}")
    if taken.new:
        say(tr("hint_recorded", lang, answers=path))


def _agreed(number: int, total: int, question: str, cost: float, lang: str) -> bool:
    """Ask before a hint that costs points: the cost first, No by default, y/n or д/н."""
    prompt = tr("hint_prompt", lang, number=number, total=total, question=question, cost=cost)
    while True:
        reply = click.prompt(prompt, default="", show_default=False, prompt_suffix=" ", err=True)
        answer = reply.strip().lower()
        if answer in YES:
            return True
        if answer in NO:
            return False
        click.echo(tr("hint_answer_yn", lang), err=True)
