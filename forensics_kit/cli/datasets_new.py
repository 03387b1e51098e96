"""``fklab datasets new NAME``: scaffold a case (recipe, lab, key, solver) that grades at 100% as is."""

from __future__ import annotations

import click

from forensics_kit.cli.common import course, json_option
from forensics_kit.cli.datasets import group
from forensics_kit.cli.output import emit_records, say, status


@group.command("new")
@click.argument("name")
@json_option
def new_cmd(name: str, as_json: bool) -> None:
    """(Trainer) Start case NAME: datasets/NAME.yaml, labs/NAME/, solutions/NAME/ (never overwrites)."""
    from forensics_kit.builder.scaffold import scaffold_case

    root = course().root
    files = scaffold_case(root, name)
    rows = [{"file": str(path.relative_to(root))} for path in files]
    emit_records(rows, [("file", "Created")], as_json)
    if not as_json:
        say(status("next-steps", name=name))
