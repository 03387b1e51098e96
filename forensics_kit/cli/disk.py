"""``fklab disk``: partitions, file listing (deleted included), reading and hashing files."""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from forensics_kit.cli.common import json_option
from forensics_kit.cli.output import emit_object, emit_records, warn
from forensics_kit.hashing import hash_chunks, hash_image

IMAGE = click.argument("image", type=click.Path(path_type=Path))
PARTITION = click.option("--partition", "-p", type=int, help="Partition index as listed by `fklab disk partitions`.")


OFFSET = click.option(
    "--offset", "-o", "offset", type=click.IntRange(min=0),
    help="Open the file system starting at this sector, like fls -o (a volume the partition table does not list).",
)
SHADOW = click.option(
    "--shadow", type=click.IntRange(min=1),
    help="Read volume shadow copy N of the NTFS volume (1 = oldest; see `fklab disk shadows`).",
)


STRICT = click.option(
    "--strict", is_flag=True,
    help="Refuse a truncated image (default: open it, as TSK does, with a warning saying how much is missing).",
)
FSTYPE = click.option(
    "--fstype", "-f", "fstype", metavar="TYPE",
    help="Force the file-system type where detection fails, like fls -f (fat32, ext4, ntfs, hfsp, iso9660...).",
)
_OPEN_KEY = "fklab.disk.open"


def open_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --strict and --fstype to a command that opens a file system; :func:`_open` applies them."""

    @functools.wraps(command)
    def wrapper(*args: Any, strict: bool, fstype: str | None, **kwargs: Any) -> Any:
        click.get_current_context().meta[_OPEN_KEY] = {"strict": strict, "fstype": fstype}
        return command(*args, **kwargs)

    return STRICT(FSTYPE(wrapper))


@contextlib.contextmanager
def _open(image: Path, offset: int | None = None) -> Iterator[Any]:
    """The opened image, with the command's --strict/--fstype; its warnings are shown once, at the end."""
    from forensics_kit.disk import open_image

    ctx = click.get_current_context(silent=True)
    chosen = (ctx.meta.get(_OPEN_KEY) if ctx else None) or {}
    with open_image(image, offset=offset, **chosen) as img:
        try:
            yield img
        finally:
            for problem in dict.fromkeys(img.warnings):
                warn(problem)


@contextlib.contextmanager
def _open_media(image: Path) -> Iterator[Any]:
    """For commands over the raw media (search, carve, yara): the image as :func:`_open` opens it,
    or, for a plain blob with no partition table or file system, the file itself (its bytes are
    read, every hit 'unpartitioned'), unless --fstype says which file system to expect."""
    from forensics_kit.disk.media_source import NOT_AN_IMAGE
    from forensics_kit.errors import EvidenceError

    ctx = click.get_current_context(silent=True)
    forced = ((ctx.meta.get(_OPEN_KEY) if ctx else None) or {}).get("fstype")
    with contextlib.ExitStack() as stack:
        try:
            img: Any = stack.enter_context(_open(image))
        except EvidenceError as exc:
            if forced or NOT_AN_IMAGE not in exc.problem:
                raise
            img = image
        yield img


@click.group("disk")
def group() -> None:
    """Disk images: files (deleted too), hashes, timeline, search, carving, YARA, artefacts, custody."""


@group.command("info")
@IMAGE
@OFFSET
@json_option
@open_options
def info_cmd(image: Path, offset: int | None, as_json: bool) -> None:
    """Image format, size, partitions and file systems."""
    with _open(image, offset) as img:
        record = {
            "path": str(image),
            "format": img.format,
            "size": img.size,
            "sectors": img.size // int(img.metadata.get("bytes_per_sector", 512)),
            "acquisition": dict(img.metadata),
            "stored_hashes": dict(img.stored_hashes),
            # counted as mmls lists them: partitions apart from the table's meta and unallocated slots
            "partitions": sum(p.kind == "partition" for p in img.partitions()),
            "meta_entries": sum(p.kind == "meta" for p in img.partitions()),
            "unallocated_entries": sum(p.kind == "unallocated" for p in img.partitions()),
            "filesystems": [fs.to_dict() for fs in img.filesystems()],
        }
    if as_json:
        emit_object(record, True)
        return
    fss = record.pop("filesystems")
    acquisition = {**record.pop("acquisition"), **{f"stored {k}": v for k, v in record.pop("stored_hashes").items()}}
    emit_object(record, False)
    if acquisition:
        emit_object(acquisition, False, title="Acquisition record (stored in the container)")
    emit_records(
        fss,
        [
            ("partition", "Partition"),
            ("offset", "Offset"),
            ("type", "FS type"),
            ("label", "Label"),
            ("serial", "Volume serial"),
            ("block_size", "Block size"),
            ("block_count", "Blocks"),
        ],
        False,
    )


@group.command("verify")
@IMAGE
@json_option
@open_options
def verify_cmd(image: Path, as_json: bool) -> None:
    """Hash the media inside the container and compare with the hashes stored at acquisition (E01)."""
    from forensics_kit.cli.common import progress_bar

    with _open(image) as img, progress_bar() as progress:
        stored = dict(img.stored_hashes)
        if not stored:
            raise click.ClickException(f"{image}: the {img.format} container stores no acquisition hashes to verify")
        total, done = img.size, 0

        def chunks():
            nonlocal done
            for chunk in img.iter_media():
                done += len(chunk)
                if progress:
                    progress("hashing media", done, total)
                yield chunk

        computed = hash_chunks(chunks(), [a for a in ("md5", "sha1", "sha256") if a in stored] or ["md5"])
    record = {
        "image": str(image),
        "format": img.format,
        "media_size": total,
        **{f"stored_{a}": v for a, v in stored.items()},
        **{f"computed_{a}": v for a, v in computed.items()},
        "verified": all(stored[a] == computed[a] for a in computed),
    }
    emit_object(record, as_json)
    if not record["verified"]:
        raise click.ClickException(f"{image}: media hash differs from the one stored at acquisition")


@group.command("partitions")
@IMAGE
@json_option
@open_options
def partitions_cmd(image: Path, as_json: bool) -> None:
    """Partition table entries, like mmls (start and length in sectors)."""
    with _open(image) as img:
        rows = [p.to_dict() for p in img.partitions()]
    emit_records(
        rows,
        [
            ("index", "#"),
            ("start", "Start"),
            ("length", "Length"),
            ("description", "Description"),
            ("filesystem", "File system"),
        ],
        as_json,
    )


@group.command("ls")
@IMAGE
@PARTITION
@OFFSET
@SHADOW
@click.option("--deleted", is_flag=True, help="Only deleted (unallocated) entries.")
@click.option("--path", "pattern", help="Only paths matching this glob, e.g. '/Docs/*.txt'.")
@json_option
@open_options
def ls_cmd(
    image: Path,
    partition: int | None,
    offset: int | None,
    shadow: int | None,
    deleted: bool,
    pattern: str | None,
    as_json: bool,
) -> None:
    """Every file and folder, deleted ones included, with inode, size and MACB times (UTC)."""
    with _open(image, offset) as img:
        records = (r.to_dict() for r in img.walk(partition, shadow=shadow))
        if deleted:
            records = (r for r in records if not r["allocated"])
        if pattern:
            records = (r for r in records if fnmatch.fnmatchcase(r["path"], pattern))
        emit_records(
            records,
            [
                ("partition", "Part"),
                ("inode", "Inode"),
                ("allocated", "Alloc"),
                ("type", "Type"),
                ("size", "Size"),
                ("mtime", "Modified"),
                ("path", "Path"),
            ],
            as_json,
        )


@group.command("cat")
@IMAGE
@click.argument("path", required=False)
@click.option("--inode", "-i", type=int, help="Read by inode / MFT entry instead of path.")
@PARTITION
@OFFSET
@SHADOW
@open_options
def cat_cmd(
    image: Path, path: str | None, inode: int | None, partition: int | None, offset: int | None, shadow: int | None
) -> None:
    """Write a file's content (deleted files too) to standard output."""
    if (path is None) == (inode is None):
        raise click.UsageError("give a PATH or --inode, not both")
    with _open(image, offset) as img:
        out = sys.stdout.buffer
        for chunk in img.iter_content(path, inode=inode, partition=partition, shadow=shadow):
            out.write(chunk)
        out.flush()


@group.command("hash")
@IMAGE
@click.argument("path", required=False)
@click.option("--inode", "-i", type=int, help="Hash a file by inode instead of path.")
@PARTITION
@OFFSET
@click.option("--verify", "expected", help="Compare with this MD5/SHA-1/SHA-256; exit 1 if different.")
@json_option
@open_options
def hash_cmd(
    image: Path,
    path: str | None,
    inode: int | None,
    partition: int | None,
    offset: int | None,
    expected: str | None,
    as_json: bool,
) -> None:
    """MD5, SHA-1 and SHA-256 of the whole image, or of one file inside it."""
    if path is None and inode is None:
        from forensics_kit.cli.common import progress_bar

        with progress_bar() as progress:
            digests = hash_image(image, progress=progress)
        subject = str(image)
    else:
        with _open(image, offset) as img:
            digests = hash_chunks(img.iter_content(path, inode=inode, partition=partition))
        subject = f"{image}:{path if path is not None else f'inode {inode}'}"
    record = {"subject": subject, **digests}
    if expected:
        record["verified"] = expected.strip().lower() in digests.values()
    emit_object(record, as_json)
    if expected and not record["verified"]:
        raise click.ClickException(f"{subject}: hash does not match {expected.strip()}")
