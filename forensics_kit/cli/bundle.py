"""``fklab bundle``: the trainees' course zip (labs, evidence, sealed keys, templates; no answers)."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import builder, course, json_option
from forensics_kit.cli.output import json_line, say, status
from grader.bundle import make_bundle


@click.command("bundle")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The zip to write.")
@click.option("--variants", default="", help="Trainee variants to include besides the default, e.g. t-01,t-02.")
@json_option
def group(out: Path, variants: str, as_json: bool) -> None:
    """(Instructor) Pack labs, evidence, sealed keys and answer templates for trainees, without plain keys."""
    the_course = course()
    wanted = [v.strip() for v in variants.split(",") if v.strip()]
    with builder(the_course) as build:
        names = make_bundle(the_course, out, build, wanted)
    if as_json:
        json_line({"out": str(out), "files": names})
    else:
        say(status("bundle", out=out, files=len(names)))
