"""``fklab disk timeline``: a MACB timeline of the file system, or a TSK bodyfile for mactime."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.disk import IMAGE, PARTITION, SHADOW, _open, group, open_options
from forensics_kit.cli.output import emit_records

TIMELINE_COLUMNS = [
    ("time", "Time"),
    ("macb", "MACB"),
    ("size", "Size"),
    ("mode", "Mode"),
    ("inode", "Inode"),
    ("name", "Name"),
]


@group.command("timeline")
@IMAGE
@PARTITION
@SHADOW
@click.option("--bodyfile", "as_body", is_flag=True, help="Write a TSK bodyfile (like fls -r -m /) for mactime.")
@click.option("--from", "start", help="Only times from this ISO date/time on (zone-less: in --tz).")
@click.option("--to", "end", help="Only times up to this ISO date/time (a date means the whole day).")
@click.option("--tz", "tz_name", default="UTC", show_default=True, help="IANA time zone to show times in.")
@json_option
@open_options
def timeline_cmd(
    image: Path,
    partition: int | None,
    shadow: int | None,
    as_body: bool,
    start: str | None,
    end: str | None,
    tz_name: str,
    as_json: bool,
) -> None:
    """When files were modified (m), accessed (a), changed (c) and born (b), sorted, deleted files included."""
    from forensics_kit.disk.timeline import bodyfile, parse_bound, timeline, zone

    tz = zone(tz_name)
    low = parse_bound(start, tz) if start else None
    high = parse_bound(end, tz, end=True) if end else None
    with _open(image) as img, progress_bar(not as_body) as progress:
        entries = bodyfile(img, partition, progress, shadow=shadow)
        if as_body:
            out = sys.stdout
            for entry in entries:
                times = (entry.atime, entry.mtime, entry.ctime, entry.crtime)
                if (low is None and high is None) or any(
                    t > 0 and (low is None or t >= low) and (high is None or t <= high) for t in times
                ):
                    out.write(entry.to_line() + "\n")
            out.flush()
        else:
            events = timeline(entries, start=low, end=high, tz=tz)
            emit_records((e.to_dict() for e in events), TIMELINE_COLUMNS, as_json)
