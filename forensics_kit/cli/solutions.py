"""``fklab solutions``: instructor tools over the answer keys (sealing them for self-check)."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import builder, course, json_option, lang_of
from forensics_kit.cli.output import json_line, say
from forensics_kit.cli.text import tr
from grader.lab import list_labs
from grader.workflow import seal


@click.group("solutions")
def group() -> None:
    """(Instructor) Answer keys: seal them so trainees can check themselves offline."""


@group.command("seal")
@click.argument("lab_id", required=False)
@click.option("--variant", "variants", multiple=True, help="Trainee variant to seal (repeatable; default: default).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Solutions folder to write <lab>/sealed/<variant>.json into (default: solutions/).")
@json_option
@click.pass_context
def seal_cmd(ctx: click.Context, lab_id: str | None, variants: tuple[str, ...], out: Path | None,
             as_json: bool) -> None:
    """Write sealed keys (slow salted hashes of the normalised answers) for LAB, or every lab."""
    lang = lang_of(ctx)
    the_course = course()
    labs = [lab_id] if lab_id else [lab.id for lab in list_labs(the_course.labs)]
    with builder(the_course) as build:
        for lab in labs:
            for variant in variants or (None,):
                path = seal(the_course, lab, variant, build, out)
                if as_json:
                    json_line({"lab": lab, "variant": variant, "path": str(path)})
                else:
                    say(tr("sealed_wrote", lang, lab=lab, variant=variant or "default", path=path))
