"""``fklab disk search|carve|yara``: keywords, carving and YARA over whole images."""

from __future__ import annotations

from pathlib import Path

import click

from forensics_kit.cli.common import json_option, progress_bar
from forensics_kit.cli.disk import IMAGE, PARTITION, SHADOW, _open, _open_media, group, open_options
from forensics_kit.cli.output import emit_records, say, status


def _owner(record: dict) -> str:
    from forensics_kit.disk.blockmap import Owner

    owner = record.get("owner")
    return Owner(**owner).describe() if owner else "-"


@group.command("search")
@IMAGE
@click.argument("terms", nargs=-1)
@click.option("--regex", "regexes", multiple=True, help="A YARA regular expression (repeatable).")
@click.option("--case-sensitive", is_flag=True, help="Match case exactly (default: ignore case).")
@click.option("--encoding", "encodings", multiple=True, help="ascii, utf-16le, cp1251... (default: ascii + utf-16le).")
@PARTITION
@SHADOW
@open_options
@json_option
def search_cmd(image: Path, terms: tuple[str, ...], regexes: tuple[str, ...], case_sensitive: bool,
               encodings: tuple[str, ...], partition: int | None, shadow: int | None, as_json: bool) -> None:
    """Find keywords (ASCII and UTF-16LE) everywhere in the image: files, slack, unallocated space.

    With --shadow N, search the volume as shadow copy N kept it: owners are that copy's files.

    The search reads raw bytes: it does not see inside compressed containers (deflated zip members
    of docx/xlsx/docm/zip files, OVBA-compressed VBA macros). For those use
    `fklab disk yara --containers` or `fklab disk vba`.
    """
    from forensics_kit.disk.search import search_image

    if not terms and not regexes:
        raise click.UsageError("give at least one TERM or --regex")
    with progress_bar(not as_json) as progress, _open_media(image) as img:
        hits = search_image(img, list(terms), regexes=list(regexes), ignore_case=not case_sensitive,
                            encodings=encodings or ("ascii", "utf-16le"), partition=partition, progress=progress,
                            shadow=shadow)
        rows = ({**h.to_dict(), "where": _owner(h.to_dict())} for h in hits)
        emit_records(rows, [("offset", "Offset"), ("term", "Term"), ("encoding", "Encoding"),
                            ("matched", "Match"), ("where", "Owner"), ("context", "Context")], as_json)


@group.command("carve")
@IMAGE
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder for carved files.")
@click.option("--types", default=None, help="Comma-separated types: jpg,png,gif,pdf,zip (default: all).")
@click.option("--all", "all_media", is_flag=True, help="Carve the whole image, not only unallocated space.")
@open_options
@json_option
def carve_cmd(image: Path, out_dir: Path, types: str | None, all_media: bool, as_json: bool) -> None:
    """Recover files by header and structure into DIR, with report.csv and report.json."""
    from forensics_kit.disk.carving import carve, write_report

    with progress_bar(not as_json) as progress, _open_media(image) as img:
        found = []
        for carved in carve(img, out_dir, types=types.split(",") if types else None, all_media=all_media,
                            progress=progress):
            found.append(carved)
    csv_path, _ = write_report(found, out_dir)
    emit_records((c.to_dict() for c in found), [("offset", "Offset"), ("type", "Type"), ("size", "Size"),
                                                 ("name", "File"), ("md5", "MD5"), ("source", "Source")], as_json)
    if not as_json:
        say(status("carved", files=len(found), out=out_dir, report=csv_path))


@group.command("yara")
@IMAGE
@click.argument("rules", type=click.Path(path_type=Path))
@click.option("--raw", is_flag=True, help="Scan the raw media (slack, unallocated) instead of each file.")
@click.option("--containers", is_flag=True,
              help="Also scan inside zip and OLE files: every member inflated and every VBA macro decompressed, "
                   "each match shown as FILE!MEMBER.")
@PARTITION
@open_options
@json_option
def yara_cmd(image: Path, rules: Path, raw: bool, containers: bool, partition: int | None, as_json: bool) -> None:
    """Run YARA rules over every file (deleted too), or over the raw media with --raw.

    Rules see a file's raw bytes: the text of a deflated zip member (docx, xlsx, docm, zip) or of an
    OVBA-compressed VBA macro is not there. With --containers each such member is also unpacked and
    scanned on its own; its matches name the file and the member (FILE!word/vbaProject.bin!VBA/Module1).
    """
    from forensics_kit.yara import compile_rules, scan_files, scan_raw

    if raw and containers:
        raise click.UsageError("--containers scans the files; it does not go with --raw")

    compiled = compile_rules(rules)
    columns = [("rule", "Rule"), ("path", "Path"), ("inode", "Inode"), ("allocated", "Alloc"),
               ("strings", "Strings")]
    with progress_bar(not as_json) as progress, (_open_media(image) if raw else _open(image)) as img:
        if raw:
            matches = (m.to_dict() for m in scan_raw(img, compiled, progress=progress))
            columns = [("rule", "Rule"), ("offset", "Offset"), ("where", "Owner"), ("strings", "Strings")]
            rows = ({**m, "where": _owner(m), "strings": m["strings"] if as_json else _strings(m)} for m in matches)
            emit_records(rows, columns, as_json)
            return
        matches = ({**m.to_dict(), "path": m.path if as_json else m.where}
                   for m in scan_files(img, compiled, partition=partition, progress=progress, containers=containers))
        emit_records(({**m, "strings": m["strings"] if as_json else _strings(m)} for m in matches),
                     columns, as_json)


def _strings(match: dict) -> str:
    parts = [f"{s['identifier']}@{s['offset']}" for s in match["strings"][:5]]
    extra = len(match["strings"]) - 5
    return " ".join(parts) + (f" (+{extra})" if extra > 0 else "")
