"""``fklab disk export``: copy files (deleted too) out of an image with a hash manifest."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.disk import IMAGE, PARTITION, SHADOW, _open, group, open_options
from forensics_kit.cli.output import emit_records, say, status, warn
from forensics_kit.errors import NotFoundError

EXPORT_COLUMNS = [
    ("inode", "Inode"),
    ("allocated", "Alloc"),
    ("size", "Size"),
    ("md5", "MD5"),
    ("path", "Path in image"),
    ("exported_as", "Exported as"),
]


@group.command("export")
@IMAGE
@click.argument("path", required=False)
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Output folder (created).")
@click.option("--inode", "-i", type=int, help="Export one file by inode / MFT entry.")
@click.option("--deleted", is_flag=True, help="Export every deleted file.")
@click.option("--all", "everything", is_flag=True, help="Export every file.")
@PARTITION
@SHADOW
@json_option
@open_options
def export_cmd(
    image: Path,
    path: str | None,
    out_dir: Path,
    inode: int | None,
    deleted: bool,
    everything: bool,
    partition: int | None,
    shadow: int | None,
    as_json: bool,
) -> None:
    """Copy a file, a folder (PATH, recursive; globs allowed), every deleted file or everything to --out.

    Names are made safe and unique; nothing is written outside --out, nothing
    existing is overwritten (a clash gets a ' (2)' suffix). manifest.csv and
    manifest.json list every copy with its MD5 and SHA-256. With --shadow the
    files come from that volume shadow copy (an earlier version of the volume).
    """
    from forensics_kit.disk.export import export_files

    if sum(x is not None and x is not False for x in (path, inode, deleted or None, everything or None)) != 1:
        raise click.UsageError("give exactly one of PATH, --inode, --deleted or --all")
    with _open(image) as img, progress_bar(not as_json) as progress:
        kwargs = {
            "partition": partition, "shadow": shadow, "progress": progress, "inode": inode, "deleted_only": deleted,
        }
        if path is None:
            report = export_files(img, out_dir, **kwargs)
        else:
            try:
                report = export_files(img, out_dir, paths=[path], **kwargs)
            except NotFoundError:
                report = export_files(img, out_dir, folder=path, **kwargs)
        emit_records((f.to_dict() for f in report.files), EXPORT_COLUMNS, as_json)
        for problem in report.skipped:
            warn(status("not-exported", problem=problem))
    if not as_json:
        say(status("exported", files=len(report.files), bytes=report.bytes, out=out_dir, manifest=report.manifest_csv))
