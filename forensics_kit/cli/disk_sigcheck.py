"""``fklab disk sigcheck``: files whose content type disagrees with their extension."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import IMAGE, PARTITION, SHADOW, _open, group, open_options
from forensics_kit.cli.output import emit_records


@group.command("sigcheck")
@IMAGE
@PARTITION
@SHADOW
@click.option("--allocated-only", is_flag=True, help="Skip deleted files.")
@json_option
@open_options
def sigcheck_cmd(image: Path, partition: int | None, shadow: int | None, allocated_only: bool, as_json: bool) -> None:
    """Files whose first bytes say another type than their extension (a .txt that is a JPEG, a fake .docx)."""
    from forensics_kit.disk.signatures import check_signatures

    with _open(image) as img:
        rows = (
            {**m.to_dict(), "detected": m.detected or "unknown"}
            for m in check_signatures(img, partition, include_deleted=not allocated_only, shadow=shadow)
        )
        emit_records(
            rows,
            [
                ("inode", "Inode"),
                ("allocated", "Alloc"),
                ("size", "Size"),
                ("extension", "Ext"),
                ("detected", "Content is"),
                ("expected_extensions", "Would be named"),
                ("path", "Path"),
            ],
            as_json,
        )
