"""The NTFS change journal (``$Extend\\$UsnJrnl``: ``$J`` and ``$Max``) for a planted volume, byte for byte.

ntfs-3g keeps no change journal, so the builder writes the one Windows would have kept
for the recipe's file operations: ``USN_RECORD_V2`` records (Microsoft's
``USN_RECORD_V2`` structure: length, version 2.0, file and parent file reference numbers,
USN, FILETIME, reason flags, source info, security id, attributes, UTF-16 name, padded to
8 bytes, never across a 4 KiB page: the page's rest stays zero), one group per operation, in
time order, each record's USN its offset in ``$J``:

- a directory: ``FILE_CREATE``, ``FILE_CREATE|CLOSE`` at its creation time;
- a file: ``FILE_CREATE``, ``+DATA_EXTEND``, ``+CLOSE`` at ``created`` (under its first name
  when it was renamed); ``DATA_EXTEND``, ``+CLOSE`` at ``modified`` when later, or for a file
  with a named stream ``STREAM_CHANGE|NAMED_DATA_EXTEND``, ``+CLOSE`` (the stream was added
  then); a rename (``times.renamed``): ``RENAME_OLD_NAME``, ``RENAME_NEW_NAME``, ``+CLOSE``;
  backdated times (``times.stomped``): ``BASIC_INFO_CHANGE``, ``+CLOSE``; a deletion:
  ``FILE_DELETE|CLOSE``.

File reference numbers are the MFT entry and its sequence number while the file lived, as
``istat`` shows them. Simplified: ``$J`` starts at USN 0 with no sparse head (Windows' grows
and trims its front), and ``$STANDARD_INFORMATION`` keeps USN 0 (ntfs-3g's).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import PurePosixPath

DATA_EXTEND = 0x00000002
NAMED_DATA_EXTEND = 0x00000020
FILE_CREATE = 0x00000100
FILE_DELETE = 0x00000200
RENAME_OLD_NAME = 0x00001000
RENAME_NEW_NAME = 0x00002000
BASIC_INFO_CHANGE = 0x00008000
STREAM_CHANGE = 0x00200000
CLOSE = 0x80000000
ATTR_DIRECTORY = 0x10
ATTR_ARCHIVE = 0x20
MAX_SIZE = 32 << 20  # $Max: what `fsutil usn createjournal` gives a small volume
ALLOCATION_DELTA = 8 << 20
_HEADER = 60


@dataclass(frozen=True)
class Change:
    """One journal record before its USN is known."""

    time: int  # FILETIME
    order: int  # tie-break within one time: the operation's own sequence
    reference: int  # MFT entry | sequence << 48
    parent: int
    reason: int
    name: str
    attributes: int


def reference(entry: int, sequence: int) -> int:
    """A file reference number: 48-bit MFT entry and 16-bit sequence."""
    return entry | sequence << 48


def record(change: Change, usn: int) -> bytes:
    """One USN_RECORD_V2, padded to 8 bytes."""
    name = change.name.encode("utf-16-le")
    length = -(-(_HEADER + len(name)) // 8) * 8
    head = struct.pack("<IHHQQqqIIIIHH", length, 2, 0, change.reference, change.parent, usn, change.time,
                       change.reason, 0, 0, change.attributes, len(name), _HEADER)
    return (head + name).ljust(length, b"\0")


def record_size(name: str) -> int:
    return -(-(_HEADER + 2 * len(name)) // 8) * 8


PAGE = 4096  # Windows never lets a record cross a page of $J: the rest of the page stays zero


def journal(changes: list[Change]) -> bytes:
    """``$J``: the changes in time order, each record's USN its offset, none crossing a 4 KiB page."""
    out = bytearray()
    for change in sorted(changes, key=lambda c: (c.time, c.order)):
        size = record_size(change.name)
        if len(out) // PAGE != (len(out) + size - 1) // PAGE:
            out += bytes(-len(out) % PAGE)
        out += record(change, len(out))
    return bytes(out)


def max_stream(journal_id: int) -> bytes:
    """``$Max``: maximum size, allocation delta, journal id (a FILETIME), lowest valid USN."""
    return struct.pack("<QQQq", MAX_SIZE, ALLOCATION_DELTA, journal_id, 0)


def file_changes(*, ref: int, parent: int, name: str, created: int, modified: int, ads: bool = False,
                 first_parent: int | None = None, first_name: str | None = None, renamed: int | None = None,
                 stomped: int | None = None, deleted: int | None = None, order: int = 0) -> list[Change]:
    """The records a file's life leaves (times are FILETIMEs; ``first_*`` where it was created before a rename)."""
    at = first_parent if first_parent is not None else parent
    born = first_name or name
    step = iter(range(order * 100, order * 100 + 100))
    out = [Change(created, next(step), ref, at, r, born, ATTR_ARCHIVE)
           for r in (FILE_CREATE, FILE_CREATE | DATA_EXTEND, FILE_CREATE | DATA_EXTEND | CLOSE)]
    if modified > created and not ads:  # a file whose named stream changed later: only that stream
        out += [Change(modified, next(step), ref, at if renamed and renamed > modified else parent, r,
                       born if renamed and renamed > modified else name, ATTR_ARCHIVE)
                for r in (DATA_EXTEND, DATA_EXTEND | CLOSE)]
    if ads:
        where, what = (at, born) if renamed and renamed > modified else (parent, name)
        out += [Change(modified, next(step), ref, where, r, what, ATTR_ARCHIVE)
                for r in (STREAM_CHANGE | NAMED_DATA_EXTEND, STREAM_CHANGE | NAMED_DATA_EXTEND | CLOSE)]
    if renamed is not None:
        out += [Change(renamed, next(step), ref, at, RENAME_OLD_NAME, born, ATTR_ARCHIVE),
                Change(renamed, next(step), ref, parent, RENAME_NEW_NAME, name, ATTR_ARCHIVE),
                Change(renamed, next(step), ref, parent, RENAME_NEW_NAME | CLOSE, name, ATTR_ARCHIVE)]
    if stomped is not None:
        out += [Change(stomped, next(step), ref, parent, r, name, ATTR_ARCHIVE)
                for r in (BASIC_INFO_CHANGE, BASIC_INFO_CHANGE | CLOSE)]
    if deleted is not None:
        out.append(Change(deleted, next(step), ref, parent, FILE_DELETE | CLOSE, name, ATTR_ARCHIVE))
    return out


def directory_changes(ref: int, parent: int, name: str, created: int, order: int = 0) -> list[Change]:
    """A directory's creation."""
    return [Change(created, order * 100 + n, ref, parent, r, name, ATTR_DIRECTORY)
            for n, r in enumerate((FILE_CREATE, FILE_CREATE | CLOSE))]


def base_name(path: str) -> str:
    return PurePosixPath(path).name


def _filetime(seconds: float, nanoseconds: int = 0) -> int:
    from forensics_kit.builder.ntfs_mft import filetime

    return filetime(int(seconds), nanoseconds)


def volume_changes(volume, spec, renamed_from: dict[str, str]) -> list[Change]:
    """Every directory's and planted file's records, their references read back with The Sleuth Kit.

    ``renamed_from`` maps a plant's final path to the path it was created at.
    """
    import pytsk3

    from forensics_kit.builder.volume import parent_directories

    fs = pytsk3.FS_Info(pytsk3.Img_Info(str(volume)))

    def ref(path: str) -> tuple[int, object]:
        meta = fs.open(path).info.meta
        return reference(int(meta.addr), int(meta.seq)), meta

    root = ref("/")[0]
    paths = [p.path for p in spec.plants] + list(renamed_from.values())
    changes: list[Change] = []
    folders = {"/": root}
    for order, folder in enumerate(parent_directories(paths)):
        folders[folder], meta = ref(folder)
        parent = folders[str(PurePosixPath(folder).parent)]
        born = _filetime(int(meta.crtime), int(getattr(meta, "crtime_nano", 0)))
        changes += directory_changes(folders[folder], parent, base_name(folder), born, order)
    for order, plant in enumerate(spec.plants, len(folders)):
        fraction = plant.nanoseconds(100)
        t = {k: _filetime(v, fraction) for k, v in plant.times.items()}
        first = renamed_from.get(plant.path)
        changes += file_changes(
            ref=ref(plant.path)[0], parent=folders[str(PurePosixPath(plant.path).parent)], name=base_name(plant.path),
            created=t["created"], modified=t["modified"], ads=bool(plant.ads),
            first_parent=folders[str(PurePosixPath(first).parent)] if first else None,
            first_name=base_name(first) if first else None, renamed=t.get("renamed") if first else None,
            stomped=t.get("stomped"), deleted=t.get("deleted") if plant.deleted else None, order=order)
    return changes


def write_journal(volume, spec, scratch, mounted, renamed_from: dict[str, str]) -> None:
    """Create ``$Extend\\$UsnJrnl`` with ``$Max`` and ``$J`` through ntfs-3g (``mounted``: its mount helper)."""
    import os

    changes = volume_changes(volume, spec, renamed_from)
    data = journal(changes)
    newest = max(c.time for c in changes) if changes else _filetime(spec.format_time)
    newest_s, newest_ns = divmod((newest - _filetime(0)) * 100, 10**9)
    with mounted(volume, scratch) as (root, clock):
        clock(spec.format_time)  # ntfs-3g creates nothing in $Extend but moves a file into it
        staged = root / "$UsnJrnl"
        staged.write_bytes(b"")
        clock(newest_s)
        (root / "$UsnJrnl:$J").write_bytes(data)  # first: The Sleuth Kit reads the lowest-id stream
        (root / "$UsnJrnl:$Max").write_bytes(max_stream(_filetime(spec.format_time)))
        target = root / "$Extend" / "$UsnJrnl"
        staged.rename(target)
        os.utime(target, ns=(newest_s * 10**9 + newest_ns, newest_s * 10**9 + newest_ns))
    drop_unnamed_data(volume, "/$Extend/$UsnJrnl")


def drop_unnamed_data(volume, path: str) -> None:
    """Remove the empty unnamed $DATA ntfs-3g gave the file: Windows' $UsnJrnl has only $J and $Max,
    and a reader (TSK's usnjls) that reads the default stream must find $J."""
    import pytsk3

    from forensics_kit.builder import ntfs_mft
    from forensics_kit.errors import BuildError

    entry = int(pytsk3.FS_Info(pytsk3.Img_Info(str(volume))).open(path).info.meta.addr)
    record = ntfs_mft.read_record(volume, entry)
    used = struct.unpack_from("<I", record.data, 0x18)[0]
    offset = struct.unpack_from("<H", record.data, 20)[0]
    while offset + 24 <= used:
        kind, length = struct.unpack_from("<II", record.data, offset)
        if kind == 0xFFFFFFFF or length < 24:
            break
        if kind == 0x80 and record.data[offset + 9] == 0:  # $DATA with no name
            if record.data[offset + 8] or struct.unpack_from("<I", record.data, offset + 16)[0]:
                raise BuildError(f"{volume}: {path} has content in its unnamed stream")
            rest = record.data[offset + length: used]
            record.data[offset: offset + len(rest)] = rest
            record.data[offset + len(rest): used] = bytes(length)
            struct.pack_into("<I", record.data, 0x18, used - length)
            ntfs_mft.write_record(volume, record)
            return
        offset += length
