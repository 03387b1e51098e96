"""``fklab disk stat``: everything about one entry, like ``istat``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import IMAGE, OFFSET, PARTITION, SHADOW, _open, group, open_options
from forensics_kit.cli.output import emit_object, emit_records

ATTRIBUTE_COLUMNS = [
    ("address", "Attribute"),
    ("type_name", "Type"),
    ("name", "Name"),
    ("resident", "Resident"),
    ("size", "Size"),
    ("runs", "Runs"),
]
RUN_COLUMNS = [
    ("attribute", "Attribute"),
    ("offset", "File block"),
    ("first", "First block"),
    ("count", "Blocks"),
    ("image_offset", "Image offset"),
    ("sector", "Sector"),
    ("sparse", "Sparse"),
]
NAME_COLUMNS = [
    ("name", "Name"),
    ("namespace", "Namespace"),
    ("parent", "Parent"),
    ("crtime", "Created"),
    ("mtime", "Modified"),
]
_TIMES = ("mtime", "atime", "ctime", "crtime")


@group.command("stat")
@IMAGE
@click.argument("path", required=False)
@click.option("--inode", "-i", type=int, help="Describe an inode / MFT entry instead of a path.")
@PARTITION
@OFFSET
@SHADOW
@json_option
@open_options
def stat_cmd(
    image: Path,
    path: str | None,
    inode: int | None,
    partition: int | None,
    offset: int | None,
    shadow: int | None,
    as_json: bool,
) -> None:
    """One entry's metadata, like istat: times ($FILE_NAME too on NTFS), attributes and where its blocks lie."""
    from forensics_kit.disk.stat import stat_entry

    if (path is None) == (inode is None):
        raise click.UsageError("give a PATH or --inode, not both")
    with _open(image, offset) as img:
        entry = stat_entry(img, path, inode=inode, partition=partition, shadow=shadow)
    record = entry.to_dict()
    if as_json:
        emit_object(record, True)
        return
    emit_object(_fields(record), False)
    if len(record["file_names"]) > 1:
        names = ({**n, **n["times"]} for n in record["file_names"])
        emit_records(names, NAME_COLUMNS, False, title="$FILE_NAME attributes")
    if record["attributes"]:
        rows = ({**a, "address": f"{a['type']}-{a['id']}", "runs": len(a["runs"])} for a in record["attributes"])
        emit_records(rows, ATTRIBUTE_COLUMNS, False, title="Attributes")
    runs = [
        {**r, "attribute": f"{a['type']}-{a['id']}"} for a in record["attributes"] for r in a["runs"]
    ] or (record["blocks"] or {}).get("runs", [])
    if runs:
        emit_records(runs, RUN_COLUMNS, False, title="Runs (blocks of the file system)")


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    """The ``field  value`` block: metadata, times, and where the content starts."""
    fields = {
        key: record[key]
        for key in ("partition", "filesystem", "shadow", "inode", "path", "allocated", "type", "size")
        if record[key] is not None or key in ("partition", "path")
    }
    fields["mode"] = f"{record['mode']} ({record['mode_octal']})"
    fields.update({key: record[key] for key in ("uid", "gid", "links", "sequence", "link_target")
                   if record[key] is not None})
    fields.update({key: record[key] for key in _TIMES})
    for key, value in (record["file_name_times"] or {}).items():
        fields[f"$FILE_NAME {key}"] = value
    blocks = record["blocks"]
    if blocks is None:
        fields["blocks"] = "unknown (the back-end does not say where this content lies)"
    else:
        fields["block size"] = blocks["block_size"]
        if blocks["resident"]:
            fields["content"] = f"resident in the MFT entry ({blocks['attribute']})"
        fields.update({"first block": blocks["first_block"], "image offset": blocks["image_offset"],
                       "sector": blocks["sector"]})
    return fields
