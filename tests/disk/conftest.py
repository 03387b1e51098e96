"""Tiny disk images built by code for the disk tests (session-scoped, in tmp dirs).

Each builder uses the standard Linux tools (mkfs.fat + mtools, mke2fs + debugfs)
and skips with the missing tool's name when one is absent. Contents are
generated here, so no binary evidence is committed.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SECTOR = 512


def need(*tools: str) -> None:
    """Skip the test when a system tool is missing."""
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"system tool '{tool}' is not installed")


def run(*args: str | os.PathLike, env: dict[str, str] | None = None) -> str:
    """Run a tool, failing the fixture with its stderr when it fails."""
    full_env = {**os.environ, "MTOOLS_SKIP_CHECK": "1", "TZ": "UTC", **(env or {})}
    proc = subprocess.run([str(a) for a in args], capture_output=True, env=full_env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {proc.stderr.decode(errors='replace')}")
    return proc.stdout.decode("utf-8", "backslashreplace")


def pattern(seed: int, size: int) -> bytes:
    """Deterministic, non-repeating content so a wrong cluster shows up in a compare."""
    block = bytes((seed * 31 + i * 7) & 0xFF for i in range(251))
    return (block * (size // len(block) + 1))[:size]


@dataclass
class BuiltImage:
    """An image made for the tests and what we put in it."""

    path: Path
    files: dict[str, bytes] = field(default_factory=dict)  # live files: path -> content
    # deleted files: path as TSK lists it -> content (a deleted 8.3 name loses its
    # first letter to the 0xE5 marker, so "OLD.TXT" is listed as "_LD.TXT")
    deleted: dict[str, bytes] = field(default_factory=dict)
    label: str | None = None


def _fat_image(path: Path, fat: int, kbytes: int, label: str) -> BuiltImage:
    """A FAT image with folders, long names and deleted files (mtools, no mounting)."""
    need("mkfs.fat", "mcopy", "mmd", "mdel")
    # 1 KiB clusters keep a small FAT16 above its 4085-cluster minimum.
    run("mkfs.fat", "-F", str(fat), "-s", "2", "-n", label, "-C", path, str(kbytes))
    src = path.parent / f"src-{path.stem}"
    src.mkdir()
    live = {
        "/README.TXT": b"fklab test volume\n",
        "/Quarterly report 2024.docx": pattern(1, 9000),
        "/DOCS/notes.txt": b"meeting at 10:00\n" * 40,
        "/DOCS/SUB/deep archive name.bin": pattern(2, 5000),
    }
    gone = {"/DOCS/old.txt": pattern(3, 3000), "/secret plan.txt": b"drop at the bridge\n" * 30}
    run("mmd", "-i", path, "::DOCS", "::DOCS/SUB")
    for number, (name, data) in enumerate({**live, **gone}.items()):
        local = src / f"f{number}"
        local.write_bytes(data)
        run("mcopy", "-i", path, local, "::" + name)
    for name in gone:
        run("mdel", "-i", path, "::" + name)
    listed = {"/DOCS/_ld.txt": gone["/DOCS/old.txt"], "/secret plan.txt": gone["/secret plan.txt"]}
    return BuiltImage(path, live, listed, label)


@pytest.fixture(scope="session")
def fat16_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """An 8 MiB FAT16 volume (no partition table) labelled FKFAT16."""
    return _fat_image(tmp_path_factory.mktemp("fat16") / "fat16.dd", 16, 8192, "FKFAT16")


@pytest.fixture(scope="session")
def fat12_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """A 1.44 MB FAT12 floppy labelled FLOPPY12."""
    return _fat_image(tmp_path_factory.mktemp("fat12") / "fat12.dd", 12, 1440, "FLOPPY12")


def _ext4_image(path: Path, size: str = "4M") -> BuiltImage:
    """An ext4 volume filled with ``mke2fs -d``, then one file deleted with debugfs."""
    need("mke2fs", "debugfs")
    src = path.parent / "ext4-src"
    (src / "home" / "user").mkdir(parents=True)
    live = {
        "/home/user/todo.txt": b"buy milk\n",
        "/home/user/photo.jpg": b"\xff\xd8\xff\xe0" + pattern(4, 20000),
        "/etc.conf": b"key=value\n",
    }
    gone = {"/home/user/evidence.txt": pattern(5, 1500)}
    for name, data in {**live, **gone}.items():
        (src / name.lstrip("/")).write_bytes(data)
    run("mke2fs", "-q", "-F", "-t", "ext4", "-L", "fkext4", "-d", src, path, size)
    for name in gone:
        run("debugfs", "-w", "-R", f"rm {name}", path)
    return BuiltImage(path, live, gone, "fkext4")


@pytest.fixture(scope="session")
def ext4_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """A 4 MiB ext4 volume labelled fkext4 with one deleted file."""
    return _ext4_image(tmp_path_factory.mktemp("ext4") / "ext4.dd")


def _mbr_entry(part_type: int, start: int, sectors: int) -> bytes:
    """One MBR partition entry (LBA only; CHS fields set to the 'use LBA' values)."""
    chs = b"\xfe\xff\xff"
    return struct.pack("<B3sB3sII", 0, chs, part_type, chs, start, sectors)


@dataclass
class MbrImage:
    """A disk with an MBR and two partitions: FAT16 then ext4."""

    path: Path
    fat: BuiltImage
    ext4: BuiltImage
    starts: tuple[int, int]
    lengths: tuple[int, int]


@pytest.fixture(scope="session")
def mbr_image(tmp_path_factory: pytest.TempPathFactory) -> MbrImage:
    """Assemble an MBR disk from a FAT16 and an ext4 volume built separately."""
    work = tmp_path_factory.mktemp("mbr")
    fat = _fat_image(work / "p1.dd", 16, 8192, "MBRFAT")
    ext4 = _ext4_image(work / "p2.dd")
    first = 2048
    fat_len = fat.path.stat().st_size // SECTOR
    second = first + fat_len
    ext_len = ext4.path.stat().st_size // SECTOR
    total = second + ext_len + 2048
    mbr = bytearray(SECTOR)
    mbr[440:444] = b"FKLB"  # disk signature
    mbr[446:462] = _mbr_entry(0x06, first, fat_len)
    mbr[462:478] = _mbr_entry(0x83, second, ext_len)
    mbr[510:512] = b"\x55\xaa"
    disk = work / "disk.dd"
    with open(disk, "wb") as out:
        out.truncate(total * SECTOR)
        out.write(bytes(mbr))
        out.seek(first * SECTOR)
        out.write(fat.path.read_bytes())
        out.seek(second * SECTOR)
        out.write(ext4.path.read_bytes())
    return MbrImage(disk, fat, ext4, (first, second), (fat_len, ext_len))


def parse_fls(text: str) -> set[tuple[str, int, bool]]:
    """(path, inode, allocated) of each ``fls -r -p`` line; NTFS ``5-128-1`` gives 5.

    Lines look like ``r/r * 7:\\tDOCS/old.txt``; ``*`` marks a deleted name.
    """
    entries = set()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, path = line.split(":\t", 1)
        fields = head.split()
        deleted = fields[1] == "*"
        inode = fields[-1].split("(")[0].split("-")[0]
        entries.add(("/" + path, int(inode), not deleted))
    return entries


def tsk_name(text: str) -> str:
    """Write a name as fls prints it: control characters become '^'."""
    return "".join("^" if ord(ch) < 0x20 else ch for ch in text)


def fls(image: Path, sector_offset: int = 0) -> set[tuple[str, int, bool]]:
    """Run ``fls -r -p`` on an image (at a sector offset) and parse it."""
    need("fls")
    return parse_fls(run("fls", "-r", "-p", "-o", str(sector_offset), image))


def icat(image: Path, inode: int, sector_offset: int = 0) -> bytes:
    """Run ``icat`` and return the raw bytes."""
    need("icat")
    proc = subprocess.run(["icat", "-o", str(sector_offset), str(image), str(inode)], capture_output=True, check=True)
    return proc.stdout


def parse_mmls(text: str) -> list[tuple[int, int, int, str]]:
    """(index, start, length, description) of each ``mmls`` row."""
    rows = []
    for line in text.splitlines():
        head, _, rest = line.partition(":")
        if not head.strip().isdigit() or not rest.strip():
            continue
        fields = rest.split(None, 4)  # slot, start, end, length, description
        rows.append((int(head), int(fields[1]), int(fields[3]), fields[4].strip()))
    return rows


@pytest.fixture(scope="session")
def ntfs_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """An 8 MiB NTFS volume labelled FKNTFS; report.txt carries an alternate data stream."""
    need("mkntfs", "ntfscp")
    work = tmp_path_factory.mktemp("ntfs")
    path = work / "ntfs.dd"
    with open(path, "wb") as out:
        out.truncate(8 << 20)
    run("mkntfs", "-q", "-F", "-f", "-L", "FKNTFS", path)
    live = {
        "/report.txt": b"quarterly numbers\n",
        "/invoice.pdf": b"%PDF-1.4\n" + pattern(6, 12000),
    }
    for number, (name, data) in enumerate(live.items()):
        (work / f"f{number}").write_bytes(data)
        run("ntfscp", "-q", path, work / f"f{number}", name.lstrip("/"))
    (work / "ads").write_bytes(b"hidden payload")
    run("ntfscp", "-q", "-N", "secret", path, work / "ads", "report.txt")
    built = BuiltImage(path, live, {}, "FKNTFS")
    built.files["/report.txt:secret"] = b"hidden payload"
    return built


# A user's NTFS volume written by our builder through ntfs-3g under libfaketime: the invoice keeps its
# creation time in $FILE_NAME while $STANDARD_INFORMATION says it was modified and read later.
NTFS_USER_RECIPE = {
    "case": "t-ntfs-user", "title": {"en": "test"}, "seed": 7,
    "window": {"start": "2024-02-01T00:00:00Z", "end": "2024-04-01T00:00:00Z"},
    "evidence": [{
        "id": "disk", "type": "disk", "file": "ntfs.dd", "size": "8MiB", "scheme": "none",
        "filesystem": {"type": "ntfs", "label": "Windows"},
        "items": [
            {"id": "invoice", "path": "/Users/anna/Downloads/invoice.pdf",
             "content": {"text": "%PDF-1.4 invoice 2024-117\n"},
             "times": {"created": "2024-02-03T08:00:00Z", "modified": "2024-02-05T09:30:00Z",
                       "accessed": "2024-02-06T10:00:00Z"},
             "ads": {"name": "Zone.Identifier", "content": {"text": "[ZoneTransfer]\r\nZoneId=3\r\n"}}},
            {"id": "gone", "path": "/Users/anna/wallet.txt", "content": {"text": "seed words: apple river stone\n"},
             "deleted": True, "times": {"modified": "2024-02-07T11:00:00Z", "deleted": "2024-02-08T12:00:00Z"}},
        ],
    }],
}  # fmt: skip


@pytest.fixture(scope="session")
def ntfs_user_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """An 8 MiB NTFS volume from our builder: an invoice with an ADS and later $SI than $FN times, a deleted file.

    Needs ntfs-3g with FUSE (root, /dev/fuse); skipped otherwise.
    """
    import yaml

    from forensics_kit.builder import build_case

    if not _ntfs_3g_usable():
        pytest.skip("NTFS items need ntfs-3g with FUSE (root, /dev/fuse)")
    need("mkntfs")
    work = tmp_path_factory.mktemp("ntfs-user")
    recipe = work / "t-ntfs-user.yaml"
    recipe.write_text(yaml.safe_dump(NTFS_USER_RECIPE, sort_keys=False), encoding="utf-8")
    result = build_case(recipe, work / "out")
    live = {"/Users/anna/Downloads/invoice.pdf": b"%PDF-1.4 invoice 2024-117\n",
            "/Users/anna/Downloads/invoice.pdf:Zone.Identifier": b"[ZoneTransfer]\r\nZoneId=3\r\n"}
    gone = {"/Users/anna/wallet.txt": b"seed words: apple river stone\n"}
    return BuiltImage(result.artefacts["disk"], live, gone, "Windows")


def _ntfs_3g_usable() -> bool:
    """NTFS items are written through ntfs-3g: needs FUSE (/dev/fuse) and root."""
    return os.path.exists("/dev/fuse") and os.geteuid() == 0 and shutil.which("ntfs-3g") is not None


@pytest.fixture(scope="session")
def ntfs_names_image(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """An NTFS volume whose entries hold several $FILE_NAME attributes, written with ntfs-3g.

    ``/Long report name.txt`` has a Win32 name followed by its DOS 8.3 alias ``LONGRE~1.TXT``;
    ``/target.txt`` and ``/hardlink copy.txt`` are two POSIX names of one entry. Skipped without FUSE.
    """
    if not _ntfs_3g_usable():
        pytest.skip("ntfs-3g with FUSE (root, /dev/fuse) is needed to write names")
    need("mkntfs")
    work = tmp_path_factory.mktemp("ntfs-names")
    path, point = work / "names.dd", work / "mnt"
    with open(path, "wb") as out:
        out.truncate(8 << 20)
    run("mkntfs", "-q", "-F", "-f", "-L", "NAMES", path)
    point.mkdir()
    run("ntfs-3g", "-o", "streams_interface=windows", path, point)
    try:
        files = {"/Long report name.txt": b"quarterly report\n", "/target.txt": b"linked\n"}
        for name, data in files.items():
            (point / name.lstrip("/")).write_bytes(data)
        os.link(point / "target.txt", point / "hardlink copy.txt")
        os.setxattr(point / "Long report name.txt", "system.ntfs_dos_name", b"LONGRE~1.TXT")
    finally:
        run("umount", point)
    return BuiltImage(path, {**files, "/hardlink copy.txt": files["/target.txt"]}, {}, "NAMES")

def to_e01(raw: Path, target: Path, compression: str = "deflate:fast") -> Path:
    """Acquire a raw image into EWF (E01) with ewfacquire, split in 1 MiB segments."""
    need("ewfacquire")
    run(
        "ewfacquire",
        "-u",
        "-q",
        "-t",
        target,
        "-S",
        "1048576",
        "-c",
        compression,
        "-f",
        "encase6",
        raw,
    )
    return target.with_suffix(".E01")


@pytest.fixture(scope="session")
def fat32_few_clusters(tmp_path_factory: pytest.TempPathFactory) -> BuiltImage:
    """An 8 MiB FAT32 volume (too few clusters for FAT32, so TSK's detection refuses it) holding /HELLO.TXT.

    mkfs.fat writes such a volume with a warning, but mtools refuses it too, so the
    file's directory entry, FAT entries and content are written here.
    """
    need("mkfs.fat")
    path = tmp_path_factory.mktemp("fat32-few") / "fat32-few.dd"
    run("mkfs.fat", "-F", "32", "-s", "1", "-n", "FEWCLUS", "-C", path, "8192")
    data = bytearray(path.read_bytes())
    bps, spc, reserved, nfats = struct.unpack_from("<HBHB", data, 11)
    fat_sectors, root = struct.unpack_from("<I", data, 36)[0], struct.unpack_from("<I", data, 44)[0]
    content = b"forced to FAT32\n" * 16  # one 512-byte cluster
    first_data = (reserved + nfats * fat_sectors) * bps
    cluster = root + 1
    for copy in range(nfats):
        fat = (reserved + copy * fat_sectors) * bps
        struct.pack_into("<I", data, fat + 4 * cluster, 0x0FFFFFFF)
    root_dir = first_data + (root - 2) * spc * bps
    slot = next(pos for pos in range(root_dir, root_dir + spc * bps, 32) if data[pos] == 0)
    entry = struct.pack("<11sBBBHHHHHHHI", b"HELLO   TXT", 0x20, 0, 0, 0x6000, 0x5A21, 0x5A21, cluster >> 16,
                        0x6000, 0x5A21, cluster & 0xFFFF, len(content))
    data[slot:slot + 32] = entry
    at = first_data + (cluster - 2) * spc * bps
    data[at:at + len(content)] = content
    path.write_bytes(bytes(data))
    return BuiltImage(path, {"/HELLO.TXT": content}, {}, "FEWCLUS")


@dataclass
class HybridImage:
    """A FAT16 volume at sector 0 whose boot sector also holds an MBR listing an ext2 partition."""

    path: Path
    fat: BuiltImage
    ext_start: int


@pytest.fixture(scope="session")
def hybrid_image(tmp_path_factory: pytest.TempPathFactory) -> HybridImage:
    """FAT16 (8 MiB) at sector 0; its boot sector's partition table lists an ext2 volume in the FAT's free tail.

    mmls lists the table (one Linux partition), fls -o 0 the FAT volume and fls -o 12288 the ext2.
    """
    need("mke2fs")
    work = tmp_path_factory.mktemp("hybrid")
    fat = _fat_image(work / "hybrid.dd", 16, 8192, "HYBRID")
    start, sectors = 12288, 4096
    data = bytearray(fat.path.read_bytes())
    data[446:462] = _mbr_entry(0x83, start, sectors)
    data[462:510] = bytes(48)
    fat.path.write_bytes(bytes(data))
    run("mke2fs", "-q", "-F", "-t", "ext2", "-L", "inner", "-E", f"offset={start * SECTOR}", fat.path,
        str(sectors * SECTOR // 1024))
    return HybridImage(fat.path, fat, start)


# UDIF (.dmg) block types, as Apple's hdiutil writes them.
UDIF_ZERO, UDIF_RAW, UDIF_END = 0x2, 0x1, 0xFFFFFFFF
UDIF_ADC, UDIF_ZLIB, UDIF_BZIP2 = 0x80000004, 0x80000005, 0x80000006


def _adc_literal(data: bytes) -> bytes:
    """ADC-compress ``data`` with literal runs only (valid ADC, no back-references)."""
    out = bytearray()
    for at in range(0, len(data), 128):
        run_ = data[at:at + 128]
        out += bytes([0x80 | (len(run_) - 1)]) + run_
    return bytes(out)


def udif(raw: bytes, kinds: list[int], path: Path, chunk_sectors: int = 64) -> Path:
    """Write ``raw`` as a UDIF .dmg: one blkx partition whose chunks use ``kinds`` in turn.

    The layout follows Apple's documented format (data fork, XML property list with
    ``mish`` blocks, ``koly`` trailer); all-zero chunks may use ``UDIF_ZERO``.
    """
    import base64
    import bz2
    import zlib

    assert len(raw) % SECTOR == 0
    fork, chunks = bytearray(), []
    total = len(raw) // SECTOR
    for number, first in enumerate(range(0, total, chunk_sectors)):
        count = min(chunk_sectors, total - first)
        piece = raw[first * SECTOR:(first + count) * SECTOR]
        kind = kinds[number % len(kinds)]
        if kind == UDIF_ZERO and piece.strip(b"\0"):
            kind = UDIF_RAW
        stored = {UDIF_RAW: piece, UDIF_ZLIB: zlib.compress(piece), UDIF_BZIP2: bz2.compress(piece),
                  UDIF_ADC: _adc_literal(piece), UDIF_ZERO: b""}[kind]
        chunks.append(struct.pack(">IIQQQQ", kind, 0, first, count, len(fork), len(stored)))
        fork += stored
    chunks.append(struct.pack(">IIQQQQ", UDIF_END, 0, total, 0, len(fork), 0))
    mish = struct.pack(">4sIQQQII24x", b"mish", 1, 0, total, 0, chunk_sectors, 0)
    mish += struct.pack(">II128x", 0, 0) + struct.pack(">I", len(chunks)) + b"".join(chunks)
    plist = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
        '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict>'
        "<key>resource-fork</key><dict><key>blkx</key><array><dict>"
        "<key>Attributes</key><string>0x0050</string><key>CFName</key><string>whole disk (fklab)</string>"
        f"<key>Data</key><data>{base64.b64encode(mish).decode()}</data>"
        "<key>ID</key><string>0</string><key>Name</key><string>whole disk (fklab)</string>"
        "</dict></array></dict></dict></plist>\n"
    ).encode()
    koly = struct.pack(">4sIIIQQQQQII16sII128xQQ120xII128xIQ12x", b"koly", 4, 512, 1, 0, 0, len(fork), 0, 0, 1, 1,
                       b"\x42" * 16, 0, 0, len(fork), len(plist), 0, 0, 1, total)
    assert len(koly) == 512
    path.write_bytes(bytes(fork) + plist + koly)
    return path
