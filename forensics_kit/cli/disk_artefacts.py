"""``fklab disk exif|pdfinfo|office|vba|history|authlog|bashhist``: read one artefact inside an image or a local file.

Each command takes ``IMAGE PATH`` (or ``IMAGE --inode N``), or ``--file LOCAL`` for
a file already exported; the library reader does the work.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.disk import _open, group, open_options
from forensics_kit.cli.output import emit_object, emit_records, warn


def _source(command: Callable[..., Any]) -> Callable[..., Any]:
    """IMAGE and PATH arguments, --inode, --partition, --file, and --strict/--fstype for the image."""
    command = open_options(command)
    for decorator in reversed((
        click.argument("image", required=False, type=click.Path(path_type=Path)),
        click.argument("path", required=False),
        click.option("--inode", "-i", type=int, help="Read the file by inode instead of path."),
        click.option("--partition", "-p", type=int, help="Partition index as listed by `fklab disk partitions`."),
        click.option("--file", "local", type=click.Path(path_type=Path, dir_okay=False),
                     help="Read a local (exported) file instead of one inside an image."),
        json_option,
    )):
        command = decorator(command)
    return command


def _load(image: Path | None, path: str | None, inode: int | None, partition: int | None,
          local: Path | None) -> tuple[bytes, str]:
    """The artefact's bytes and the name errors use (``usb.dd:/DCIM/IMG_0001.JPG``)."""
    if local is not None:
        if image is not None or inode is not None:
            raise click.UsageError("give IMAGE PATH (or IMAGE --inode N), or --file LOCAL, not both")
        from forensics_kit.artefacts._source import load_bytes

        return load_bytes(local)
    if image is None or (path is None) == (inode is None):
        raise click.UsageError("give IMAGE and a PATH or --inode N inside it (or --file LOCAL)")
    with _open(image) as img:
        data = img.read(path, inode=inode, partition=partition)
    return data, f"{image}:{path if path is not None else f'inode {inode}'}"


def _warn_all(messages: list[str], name: str) -> None:
    for message in messages:
        warn(f"{name}: {message}")


def _show(info: dict, name: str, as_json: bool) -> None:
    """One artefact's fields: everything in JSON; for people, warnings apart and no raw tags."""
    if not as_json:
        info.pop("raw", None)
        _warn_all(info.pop("warnings"), name)
    emit_object(info, as_json, title=name)


@group.command("exif")
@_source
def exif_cmd(image, path, inode, partition, local, as_json) -> None:
    """Camera, time taken (and its zone) and GPS position from a photo's EXIF."""
    from forensics_kit.artefacts import read_exif

    data, name = _load(image, path, inode, partition, local)
    _show(read_exif(data, name=name).to_dict(), name, as_json)


@group.command("pdfinfo")
@_source
def pdfinfo_cmd(image, path, inode, partition, local, as_json) -> None:
    """A PDF's author, title, creating software and dates (the Info dictionary)."""
    from forensics_kit.artefacts import read_pdf_info

    data, name = _load(image, path, inode, partition, local)
    _show(read_pdf_info(data, name=name).to_dict(), name, as_json)


@group.command("office")
@_source
def office_cmd(image, path, inode, partition, local, as_json) -> None:
    """Who created and last modified a DOCX/XLSX/PPTX, when, and with which application."""
    from forensics_kit.artefacts import read_office_properties

    data, name = _load(image, path, inode, partition, local)
    _show(read_office_properties(data, name=name).to_dict(), name, as_json)


@group.command("vba")
@_source
def vba_cmd(image, path, inode, partition, local, as_json) -> None:
    """The VBA macros of an Office document (docm, xlsm, doc, xls), decompressed, as olevba shows them.

    A macro's text is deflated in the zip and OVBA-compressed in vbaProject.bin: a raw search or a
    YARA rule over the document's bytes does not see it. Each module is printed with its place in
    the file (word/vbaProject.bin!VBA/ThisDocument); --json gives every field.
    """
    from forensics_kit.artefacts.vba import read_vba_macros
    from forensics_kit.cli.output import say, status

    data, name = _load(image, path, inode, partition, local)
    modules = read_vba_macros(data, name=name)
    if as_json:
        emit_records((m.to_dict() for m in modules), [], as_json)
        return
    if not modules:
        say(status("vba-none", name=name))
    for module in modules:
        where = f"{module.project}!{module.stream}" if module.project else module.stream
        say(status("vba-module", module=module.name, where=where, lines=len(module.source.splitlines())))
        say(module.source.rstrip("\r\n").replace("\r\n", "\n"))


@group.command("history")
@_source
def history_cmd(image, path, inode, partition, local, as_json) -> None:
    """Every visit in a Firefox places.sqlite or Chrome/Edge History file (times UTC)."""
    from forensics_kit.artefacts import read_browser_history

    data, name = _load(image, path, inode, partition, local)
    visits = read_browser_history(data, name=name)
    emit_records((v.to_dict() for v in visits),
                 [("time", "Time (UTC)"), ("visit_type", "How"), ("url", "URL"), ("title", "Title"),
                  ("visit_count", "Visits"), ("browser", "Browser")], as_json)


@group.command("authlog")
@_source
@click.option("--year", type=int, help="Year of the first line (syslog lines carry none; default: this year).")
@click.option("--summary", is_flag=True, help="Per source IP: failures, successes, first/last time, users tried.")
def authlog_cmd(image, path, inode, partition, local, as_json, year, summary) -> None:
    """Logins (failed, accepted, invalid users), sessions, sudo and new users from auth.log."""
    from forensics_kit.artefacts import login_summary, read_auth_log

    data, name = _load(image, path, inode, partition, local)
    events = read_auth_log(data, year=year, name=name)
    if summary:
        emit_records((s.to_dict() for s in login_summary(events)),
                     [("source_ip", "Source IP"), ("failures", "Failed"), ("successes", "Accepted"),
                      ("invalid_users", "Invalid users"), ("first_time", "First (UTC)"), ("last_time", "Last (UTC)"),
                      ("users_tried", "Users tried"), ("users_logged_in", "Logged in as")], as_json)
        return
    emit_records((e.to_dict() for e in events if e.kind != "other" or as_json),
                 [("time", "Time"), ("kind", "Kind"), ("user", "User"), ("source_ip", "Source IP"),
                  ("method", "Method"), ("count", "Count"), ("command", "Command")], as_json)  # --json: all fields


@group.command("bashhist")
@_source
def bashhist_cmd(image, path, inode, partition, local, as_json) -> None:
    """Commands from a .bash_history, with their times when HISTTIMEFORMAT was set."""
    from forensics_kit.artefacts import read_bash_history

    data, name = _load(image, path, inode, partition, local)
    commands = read_bash_history(data, name=name)
    emit_records((c.to_dict() for c in commands), [("line", "Line"), ("time", "Time (UTC)"), ("command", "Command")],
                 as_json)
