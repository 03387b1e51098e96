"""What TSK's tools print about one entry's metadata, shared by the bodyfile and ``stat``.

Mode strings as ``fls -m`` and ``istat`` write them, the FILETIMEs of NTFS
$STANDARD_INFORMATION and $FILE_NAME values (pytsk3 hands out no $FILE_NAME
times, so the values are read from the attributes), which $FILE_NAME TSK takes
its times from, and APFS file modes as TSK metadata types.
"""

from __future__ import annotations

import stat
import struct

import pytsk3

from forensics_kit.disk.records import _iso

# TSK's tsk_fs_meta_type_str / tsk_fs_name_type_str, indexed by the enum values.
META_CHARS = "-rdpcblshwvV"
NAME_CHARS = "-pcdbrlshwvV"
ATTR_SI = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_SI)
ATTR_FNAME = int(pytsk3.TSK_FS_ATTR_TYPE_NTFS_FNAME)
FILETIME_1970 = 116_444_736_000_000_000  # 100 ns steps from 1601-01-01 to 1970-01-01
_DOS_NAMESPACE = 2  # a $FILE_NAME holding only the 8.3 alias: TSK takes no times from it
# APFS file modes as TSK meta types (the index into META_CHARS).
APFS_META_TYPE = {
    stat.S_IFREG: 1, stat.S_IFDIR: 2, stat.S_IFIFO: 3, stat.S_IFCHR: 4, stat.S_IFBLK: 5, stat.S_IFLNK: 6,
    stat.S_IFSOCK: 8,
}


def mode_string(name_char: str, meta_char: str, mode: int) -> str:
    """``r/rrw-r--r--``: name type, metadata type and permissions with set-id and sticky bits, as fls -m."""
    perms = ["-"] * 9
    for i, bit in enumerate((0o400, 0o200, 0o100, 0o40, 0o20, 0o10, 0o4, 0o2, 0o1)):
        if mode & bit:
            perms[i] = "rwx"[i % 3]
    for index, bit, letter in ((2, 0o4000, "s"), (5, 0o2000, "s"), (8, 0o1000, "t")):
        if mode & bit:
            perms[index] = letter if perms[index] == "x" else letter.upper()
    return f"{name_char}/{meta_char}{''.join(perms)}"


def nt_seconds(filetime: int) -> int:
    """Epoch seconds (truncated) of an NTFS FILETIME; 0 for an unset time or one before 1970.

    0 is what TSK 4.13 and later (pytsk3's own TSK included) write for such a time, and what
    our records say (no time). fls 4.11 (Debian 12) instead wrapped it in unsigned arithmetic
    to a date in 2076 (0 gave 3373865674); the tests allow for that old reading.
    """
    if filetime < FILETIME_1970:
        return 0
    return (filetime - FILETIME_1970) // 10_000_000


def filetime_iso(filetime: int) -> str | None:
    """A Windows FILETIME (100 ns since 1601) as ISO 8601 UTC, all seven digits kept.

    None if unset, before 1970 or past year 9999 (a damaged or crafted value must not stop a listing).
    """
    if filetime <= FILETIME_1970:
        return None
    seconds, rest = divmod(filetime - FILETIME_1970, 10_000_000)
    return _iso(seconds, rest * 100)


def filetimes(raw: bytes, offset: int) -> tuple[int, int, int, int] | None:
    """The creation, modification, MFT-change and access FILETIMEs stored at ``offset``, in that order.

    ``offset`` is 0 in a $STANDARD_INFORMATION value and 8 in a $FILE_NAME one; None when the
    value is too short. ``stat`` keeps their fractions.
    """
    if len(raw) < offset + 32:
        return None
    return struct.unpack_from("<4Q", raw, offset)


def four_times(raw: bytes, offset: int) -> tuple[int, int, int, int] | None:
    """(atime, mtime, ctime, crtime) of the creation, modification, MFT-change, access FILETIMEs at ``offset``."""
    stored = filetimes(raw, offset)
    if stored is None:
        return None
    created, modified, changed, accessed = stored
    return nt_seconds(accessed), nt_seconds(modified), nt_seconds(changed), nt_seconds(created)


def is_tsk_file_name(raw: bytes) -> bool:
    """True for a $FILE_NAME value TSK may take its times from: any name but a DOS 8.3 alias (TSK keeps the last)."""
    return len(raw) > 65 and raw[65] != _DOS_NAMESPACE


def resident_bytes(file: pytsk3.File, atype: int, aid: int, size: int) -> bytes:
    """The content of a small resident attribute (b"" when TSK cannot read it)."""
    try:
        return file.read_random(0, size, atype, aid) if size > 0 else b""
    except (OSError, RuntimeError):
        return b""
