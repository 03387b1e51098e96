"""``fklab disk custody``: the case's chain-of-custody log (add, show, verify)."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import IMAGE, group
from forensics_kit.cli.output import emit_object, emit_records, say, status

LOG = click.option("--log", "log", required=True, type=click.Path(path_type=Path), help="The case's custody log.")


@group.group("custody")
def custody_group() -> None:
    """Chain-of-custody log: who did what to which evidence, with its hashes, tamper-evident."""


@custody_group.command("add")
@IMAGE
@LOG
@click.option("--examiner", required=True, help="Who (name, badge number).")
@click.option("--action", required=True, help="What was done, e.g. 'received sealed, bag 17'.")
@json_option
def custody_add(image: Path, log: Path, examiner: str, action: str, as_json: bool) -> None:
    """Hash IMAGE and append an entry to the log."""
    from forensics_kit.custody import add_entry

    emit_object(add_entry(log, image, examiner=examiner, action=action).to_dict(), as_json)


def _must_exist(log: Path) -> None:
    """Reading a log that is not there is a mistyped path, not an empty log (add creates one)."""
    if not log.is_file():
        hint = f"start one with: fklab disk custody add IMAGE --log {log}"
        raise click.ClickException(f"{log}: no such custody log ({hint})")


@custody_group.command("show")
@LOG
@json_option
def custody_show(log: Path, as_json: bool) -> None:
    """List the log's entries."""
    from forensics_kit.custody import read_log

    _must_exist(log)
    emit_records(
        (e.to_dict() for e in read_log(log)),
        [("seq", "#"), ("time", "Time (UTC)"), ("examiner", "Examiner"), ("action", "Action"),
         ("evidence", "Evidence"), ("sha256", "SHA-256")],
        as_json,
    )


@custody_group.command("verify")
@LOG
@click.option("--head", help="The last entry's hash as noted elsewhere (catches removed last entries).")
def custody_verify(log: Path, head: str | None) -> None:
    """Check the hash chain; exit 1 and list the problems if the log was altered."""
    from forensics_kit.custody import read_log, verify_log

    _must_exist(log)
    problems = verify_log(log, head)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{log}: custody log altered ({len(problems)} problems)")
    entries = read_log(log)
    say(status("custody-intact", log=log, entries=len(entries), head=entries[-1].hash if entries else "-"))
