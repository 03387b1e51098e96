"""``fklab disk hashset``: files of an image whose hash is on a list of known hashes."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.disk import IMAGE, PARTITION, SHADOW, _open, group, open_options
from forensics_kit.cli.output import emit_records


@group.command("hashset")
@IMAGE
@click.argument("known", type=click.Path(path_type=Path))
@PARTITION
@SHADOW
@json_option
@open_options
def hashset_cmd(image: Path, known: Path, partition: int | None, shadow: int | None, as_json: bool) -> None:
    """Files (deleted too) whose MD5/SHA-1/SHA-256 is in KNOWN (one hash a line, md5sum output works)."""
    from forensics_kit.disk.hashset import load_hashset, match_hashset

    hashset = load_hashset(known)
    with _open(image) as img, progress_bar(not as_json) as progress:
        emit_records(
            (m.to_dict() for m in match_hashset(img, hashset, partition, progress, shadow=shadow)),
            [
                ("inode", "Inode"),
                ("allocated", "Alloc"),
                ("size", "Size"),
                ("algorithm", "Alg"),
                ("hash", "Hash"),
                ("label", "Known as"),
                ("path", "Path"),
            ],
            as_json,
        )
