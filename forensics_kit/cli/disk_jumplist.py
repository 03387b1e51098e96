"""``fklab disk jumplist``: a Jump List (``*.automaticDestinations-ms``) inside an image, read with olefile and liblnk.

One row per DestList entry: entry number, last access, access count, pinned, the document's
path, and what its shortcut copied of the target (size, write time, volume serial).
"""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import _open, group, open_options
from forensics_kit.cli.output import emit_records


@group.command("jumplist")
@click.argument("image", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.argument("path")
@click.option("--partition", "-p", type=int, help="Partition index as listed by `fklab disk partitions`.")
@json_option
@open_options
def jumplist_cmd(image, path, partition, as_json) -> None:
    """A Jump List's documents: when the program last opened each, how often, from which volume."""
    from forensics_kit.windows import read_jump_list

    with _open(image) as img:
        entries = read_jump_list(img, path, partition=partition)
    if as_json:
        emit_records((e.to_dict() for e in entries), [], True)
        return
    emit_records(({"entry": e.entry_number, "last_access": e.last_access, "count": e.access_count,
                   "pinned": e.pinned, "path": e.path, "size": e.link.size if e.link else None,
                   "modified": e.link.modified if e.link else None,
                   "volume_serial": e.link.volume_serial if e.link else None} for e in entries),
                 [("entry", "Entry"), ("last_access", "Last opened (UTC)"), ("count", "Times opened"),
                  ("pinned", "Pinned"), ("path", "Document"), ("size", "Size"), ("modified", "Modified (UTC)"),
                  ("volume_serial", "Volume serial")], False)
