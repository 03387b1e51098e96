"""``fklab disk usnjrnl``: the NTFS change journal ($Extend\\$UsnJrnl:$J) of a volume in the image.

One row per record: USN, time, the file's MFT entry and sequence, its path (the parent's
current path and the record's name), the reasons; ``usnjls`` lists the same records.
"""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import _open, group, open_options
from forensics_kit.cli.output import emit_records


@group.command("usnjrnl")
@click.argument("image", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--partition", "-p", type=int, help="Partition index as listed by `fklab disk partitions`.")
@click.option("--name", "name_filter", help="Only records whose file name contains this text (any case).")
@json_option
@open_options
def usnjrnl_cmd(image, partition, name_filter, as_json) -> None:
    """Change journal records ($UsnJrnl:$J): when each file was created, renamed, changed, deleted."""
    from forensics_kit.windows import usn_journal

    with _open(image) as img:
        changes = usn_journal(img, partition)
    if name_filter:
        changes = [c for c in changes if name_filter.lower() in c.name.lower()]
    if as_json:
        emit_records((c.to_dict() for c in changes), [], True)
        return
    emit_records(({"usn": c.usn, "time": c.time, "entry": f"{c.entry}-{c.sequence}",
                   "path": c.path or f"<entry {c.parent_entry}>/{c.name}", "reasons": " ".join(c.reasons)}
                  for c in changes),
                 [("usn", "USN"), ("time", "Time (UTC)"), ("entry", "MFT entry"), ("path", "Path"),
                  ("reasons", "Reasons")], False)
