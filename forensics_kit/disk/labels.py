"""File-system type names and volume labels.

pytsk3 gives the file-system type as a number and does not expose the volume
label, so both are worked out here from TSK's type and a few bytes of the
file system's own structures (boot sector, superblock, ``$Volume``).
"""

from __future__ import annotations

import pytsk3

_TYPE_NAMES: dict[int, str] = {
    pytsk3.TSK_FS_TYPE_FAT12: "FAT12",
    pytsk3.TSK_FS_TYPE_FAT16: "FAT16",
    pytsk3.TSK_FS_TYPE_FAT32: "FAT32",
    pytsk3.TSK_FS_TYPE_EXFAT: "exFAT",
    pytsk3.TSK_FS_TYPE_NTFS: "NTFS",
    pytsk3.TSK_FS_TYPE_EXT2: "ext2",
    pytsk3.TSK_FS_TYPE_EXT3: "ext3",
    pytsk3.TSK_FS_TYPE_EXT4: "ext4",
    pytsk3.TSK_FS_TYPE_HFS: "HFS+",
    pytsk3.TSK_FS_TYPE_ISO9660: "ISO9660",
    pytsk3.TSK_FS_TYPE_FFS1: "UFS1",
    pytsk3.TSK_FS_TYPE_FFS1B: "UFS1b",
    pytsk3.TSK_FS_TYPE_FFS2: "UFS2",
    pytsk3.TSK_FS_TYPE_YAFFS2: "YAFFS2",
    pytsk3.TSK_FS_TYPE_APFS: "APFS",
    pytsk3.TSK_FS_TYPE_SWAP: "swap",
    pytsk3.TSK_FS_TYPE_RAW: "raw",
}

# The names ``fls -f`` takes (``fls -f list``), for forcing a type where detection fails.
FS_TYPES: dict[str, int] = {
    "ntfs": pytsk3.TSK_FS_TYPE_NTFS_DETECT, "fat": pytsk3.TSK_FS_TYPE_FAT_DETECT,
    "ext": pytsk3.TSK_FS_TYPE_EXT_DETECT, "iso9660": pytsk3.TSK_FS_TYPE_ISO9660_DETECT,
    "hfs": pytsk3.TSK_FS_TYPE_HFS_DETECT, "yaffs2": pytsk3.TSK_FS_TYPE_YAFFS2_DETECT,
    "apfs": pytsk3.TSK_FS_TYPE_APFS_DETECT, "ufs": pytsk3.TSK_FS_TYPE_FFS_DETECT,
    "raw": pytsk3.TSK_FS_TYPE_RAW_DETECT, "swap": pytsk3.TSK_FS_TYPE_SWAP_DETECT,
    "fat12": pytsk3.TSK_FS_TYPE_FAT12, "fat16": pytsk3.TSK_FS_TYPE_FAT16, "fat32": pytsk3.TSK_FS_TYPE_FAT32,
    "exfat": pytsk3.TSK_FS_TYPE_EXFAT, "ext2": pytsk3.TSK_FS_TYPE_EXT2, "ext3": pytsk3.TSK_FS_TYPE_EXT3,
    "ext4": pytsk3.TSK_FS_TYPE_EXT4, "ufs1": pytsk3.TSK_FS_TYPE_FFS1, "ufs2": pytsk3.TSK_FS_TYPE_FFS2,
    "hfsp": pytsk3.TSK_FS_TYPE_HFS,
}  # fmt: skip

_FAT_TYPES = frozenset({"FAT12", "FAT16", "FAT32", "exFAT"})
_NO_LABEL = {"", "NO NAME"}


def fs_type_name(fs: pytsk3.FS_Info) -> str:
    """Name the file-system type as people write it (``"FAT32"``, ``"ext4"``, ``"HFS+"``)."""
    ftype = int(fs.info.ftype)
    return _TYPE_NAMES.get(ftype, f"unknown (0x{ftype:x})")


def is_case_insensitive(type_name: str) -> bool:
    """True for file systems whose names match without regard to case."""
    return type_name in _FAT_TYPES or type_name in {"NTFS", "HFS+", "ISO9660"}


def volume_label(fs: pytsk3.FS_Info, img: pytsk3.Img_Info, offset: int, type_name: str) -> str | None:
    """Read the volume label, None when the volume has none or it cannot be read.

    A label is a convenience, so a damaged structure gives None rather than an error.
    """
    try:
        if type_name in _FAT_TYPES:
            return _fat_label(fs, img, offset, type_name)
        if type_name.startswith("ext"):
            return _clean(img.read(offset + 1024 + 120, 16).split(b"\x00", 1)[0].decode("utf-8", "replace"))
        if type_name == "NTFS":
            return _ntfs_label(fs)
        if type_name == "ISO9660":
            pvd = img.read(offset + 16 * 2048, 80)
            if pvd[1:6] == b"CD001":
                return _clean(pvd[40:72].decode("ascii", "replace"))
    except (OSError, RuntimeError, ValueError, UnicodeError):
        return None
    return None


_SERIAL_AT = {"FAT12": 0x27, "FAT16": 0x27, "FAT32": 0x43, "exFAT": 0x64, "NTFS": 0x48}


def volume_serial(img: pytsk3.Img_Info, offset: int, type_name: str) -> str | None:
    """The volume serial as Windows prints it (``3A7C-91F0``), None for a file system without one.

    The boot sector keeps it: FAT12/16 at 0x27, FAT32 at 0x43, exFAT at 0x64, NTFS (64 bits)
    at 0x48, of which Windows, shortcuts and EMDMgmt show the low 32.
    """
    at = _SERIAL_AT.get(type_name)
    if at is None:
        return None
    try:
        raw = img.read(offset + at, 4)
    except (OSError, RuntimeError):
        return None
    if len(raw) < 4:
        return None
    number = int.from_bytes(raw, "little")
    return f"{number >> 16:04X}-{number & 0xFFFF:04X}"


def _clean(text: str) -> str | None:
    text = text.rstrip(" \x00")
    return None if text in _NO_LABEL else text


def _fat_label(fs: pytsk3.FS_Info, img: pytsk3.Img_Info, offset: int, type_name: str) -> str | None:
    """Prefer the root-directory label entry (what Windows shows), else the boot sector."""
    suffix = b" (Volume Label Entry)"
    for entry in fs.open_dir(inode=fs.info.root_inum):
        name = entry.info.name
        if name.name.endswith(suffix) and name.flags & pytsk3.TSK_FS_NAME_FLAG_ALLOC:
            return _clean(name.name[: -len(suffix)].decode("utf-8", "replace"))
    if type_name == "exFAT":
        return None
    boot = img.read(offset, 90)
    field = boot[71:82] if type_name == "FAT32" else boot[43:54]
    return _clean(field.decode("cp437", "replace"))


def _ntfs_label(fs: pytsk3.FS_Info) -> str | None:
    """Read the $VOLUME_NAME attribute of ``$Volume`` (MFT entry 3), UTF-16LE."""
    volume = fs.open_meta(inode=3)
    for attr in volume:
        info = attr.info
        if info.type == pytsk3.TSK_FS_ATTR_TYPE_NTFS_VNAME:
            if info.size <= 0:
                return None
            raw = volume.read_random(0, info.size, info.type, info.id)
            return _clean(raw.decode("utf-16-le", "replace"))
    return None
