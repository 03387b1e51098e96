"""``fklab disk shadows``: the volume shadow copies of an NTFS volume (``--shadow N`` reads one)."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import IMAGE, OFFSET, PARTITION, _open, group, open_options
from forensics_kit.cli.output import emit_records, status


@group.command("shadows")
@IMAGE
@PARTITION
@OFFSET
@json_option
@open_options
def shadows_cmd(image: Path, partition: int | None, offset: int | None, as_json: bool) -> None:
    """Volume shadow copies (VSS) of an NTFS volume, oldest first, like vshadowinfo.

    Each store is the volume as it was when the copy was made: list or read it with
    `fklab disk ls IMAGE --shadow N` and `fklab disk cat IMAGE PATH --shadow N`.
    """
    with _open(image, offset) as img:
        rows = [copy.to_dict() for copy in img.shadow_copies(partition)]
    if not rows and not as_json:
        click.echo(status("no-shadows", image=image), err=True)
        return
    emit_records(
        rows,
        [
            ("index", "Store"),
            ("creation_time", "Created (UTC)"),
            ("identifier", "Identifier"),
            ("copy_identifier", "Shadow copy ID"),
            ("size", "Volume size"),
        ],
        as_json,
    )
