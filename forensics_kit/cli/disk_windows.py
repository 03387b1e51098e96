"""``fklab disk registry|evtx|lnk|recycle|usb``: Windows artefacts inside an image, read with the libyal libraries.

Each command is a few lines over :mod:`forensics_kit.windows`; ``--json`` writes one
object per line (a key, an event, a shortcut, a Recycle Bin entry, a device).
"""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import _open, group, open_options
from forensics_kit.cli.output import emit_object, emit_records

_IMAGE = click.argument("image", type=click.Path(path_type=Path, exists=True, dir_okay=False))
_PARTITION = click.option("--partition", "-p", type=int, help="Partition index as listed by `fklab disk partitions`.")


def _data_text(data: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in data.items())


@group.command("registry")
@_IMAGE
@click.argument("hive_path")
@click.argument("key", required=False, default="")
@click.option("--recursive", "-r", is_flag=True, help="Every key below KEY too.")
@_PARTITION
@json_option
@open_options
def registry_cmd(image, hive_path, key, recursive, partition, as_json) -> None:
    """A registry key of a hive inside the image: last-written time, subkeys and values."""
    from forensics_kit.windows import open_hive

    with _open(image) as img, open_hive(img, hive_path, partition=partition) as hive:
        keys = list(hive.walk(key)) if recursive else [hive.key(key)]
        subkeys = [] if recursive else hive.subkeys(key)
        root = hive.root_name
    if as_json:
        emit_records((k.to_dict() for k in keys), [], True)
        return
    for record in keys:
        emit_object({"key": "\\".join(p for p in (root, record.path) if p),
                     "last_written": record.last_written, "class_name": record.class_name,
                     "subkeys": len(record.subkeys), "values": len(record.values)}, False)
        if record.values:
            emit_records(({"name": v.name or "(default)", "type": v.type, "data": v.data} for v in record.values),
                         [("name", "Value"), ("type", "Type"), ("data", "Data")], False)
    if subkeys:
        emit_records(({"name": s.name, "last_written": s.last_written, "values": len(s.values)} for s in subkeys),
                     [("name", "Subkey"), ("last_written", "Last written (UTC)"), ("values", "Values")], False)


@group.command("evtx")
@_IMAGE
@click.argument("path")
@click.option("--id", "event_ids", type=int, multiple=True, help="Only this EventID (repeat for several).")
@click.option("--from", "since", help="Only events at or after this time (ISO 8601, UTC unless an offset is given).")
@click.option("--to", "until", help="Only events at or before this time (a date alone: to its end).")
@click.option("--summary", is_flag=True, help="Per source IP: failed and successful logons (4625/4624), accounts.")
@_PARTITION
@json_option
@open_options
def evtx_cmd(image, path, event_ids, since, until, summary, partition, as_json) -> None:
    """Events of a Windows event log (.evtx) inside the image: record id, time, EventID, data."""
    from forensics_kit.windows import logon_summary, read_events

    with _open(image) as img:
        events = read_events(img, path, partition=partition, event_ids=set(event_ids) or None, since=since,
                             until=until)
    if summary:
        emit_records((s.to_dict() for s in logon_summary(events)),
                     [("source_ip", "Source IP"), ("failures", "Failed"), ("successes", "Accepted"),
                      ("first_time", "First (UTC)"), ("last_time", "Last (UTC)"), ("users_tried", "Users tried"),
                      ("users_logged_in", "Logged in as"), ("logon_types", "Logon types")], as_json)
        return
    if as_json:
        emit_records((e.to_dict() for e in events), [], True)
        return
    emit_records(({**e.to_dict(), "data": _data_text(e.data)} for e in events),
                 [("record_id", "Record"), ("time", "Time (UTC)"), ("event_id", "Event ID"),
                  ("provider", "Provider"), ("computer", "Computer"), ("user_sid", "User SID"),
                  ("data", "Data")], False)


@group.command("lnk")
@_IMAGE
@click.argument("path")
@_PARTITION
@json_option
@open_options
def lnk_cmd(image, path, partition, as_json) -> None:
    """A Windows shortcut (.lnk) inside the image: target, its times and size, volume, machine."""
    from forensics_kit.windows import read_lnk

    with _open(image) as img:
        info = read_lnk(img, path, partition=partition)
    emit_object(info.to_dict(), as_json, title=None if as_json else path)


@group.command("recycle")
@_IMAGE
@_PARTITION
@json_option
@open_options
def recycle_cmd(image, partition, as_json) -> None:
    """Every file in the Recycle Bin ($I records): original path, size, deletion time, owner SID."""
    from forensics_kit.windows import recycle_bin

    with _open(image) as img:
        entries = recycle_bin(img, partition=partition)
    emit_records((e.to_dict() for e in entries),
                 [("deleted", "Deleted (UTC)"), ("original_path", "Original path"), ("size", "Size"),
                  ("sid", "Owner SID"), ("info_path", "$I file"), ("data_present", "$R present")], as_json)


@group.command("usb")
@_IMAGE
@_PARTITION
@json_option
@open_options
def usb_cmd(image, partition, as_json) -> None:
    """USB storage devices the Windows system saw (registry and setupapi.dev.log joined)."""
    from forensics_kit.windows import usb_history

    with _open(image) as img:
        devices = usb_history(img, partition=partition)
    emit_records((d.to_dict() for d in devices),
                 [("vendor", "Vendor"), ("product", "Product"), ("serial", "Serial"), ("vid", "VID"),
                  ("pid", "PID"), ("first_connected", "First connected (UTC)"),
                  ("last_connected", "Last connected (UTC)"), ("last_removed", "Last removed (UTC)"),
                  ("drive_letter", "Drive"), ("volume_serial", "Volume serial"), ("volume_label", "Label")],
                 as_json)
