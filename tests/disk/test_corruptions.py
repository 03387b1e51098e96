"""Damaged evidence built from our own images: one clear error or a warning, never a traceback or a hang.

Each case patches bytes in a copy of a conftest image (or uses debugfs on the copy),
then a child process opens it, walks it and reads every file under a time limit and
a memory limit; the evidence must come out unchanged.
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from shared_corpus import corpus_files, skip_unless

from forensics_kit.hashing import hash_file

from .conftest import SECTOR, need, run

TIMEOUT = 30  # seconds for one whole probe (open + walk + read everything)

# Open, walk and read everything; print one JSON line. Any other exception is a traceback on stderr.
_PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))  # a claimed 4 GiB file must not be allocated
from forensics_kit.disk import open_image
from forensics_kit.errors import ForensicsKitError
out = {"error": None, "records": [], "reads": {}, "read_errors": [], "warnings": []}
try:
    with open_image(sys.argv[1], strict=sys.argv[2] == "1") as img:
        records = list(img.walk())
        out["records"] = [[r.path, r.inode, r.type, r.size, r.allocated] for r in records]
        for r in records:
            if r.type != "file" or r.stream:
                continue
            try:
                out["reads"][r.path] = sum(len(c) for c in img.iter_content(inode=r.inode, partition=r.partition))
            except ForensicsKitError as exc:
                out["read_errors"].append(str(exc))
        out["warnings"] = img.warnings
except ForensicsKitError as exc:
    out["error"] = str(exc)
print(json.dumps(out))
"""


def probe(path: Path, strict: bool = False) -> dict:
    """Open, walk and read ``path`` in a child process; fail on a traceback, a hang or a changed file."""
    before = hash_file(path)
    try:
        proc = subprocess.run([sys.executable, "-c", _PROBE, str(path), "1" if strict else "0"],
                              capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: no answer in {TIMEOUT} s (a hang)")
    assert proc.returncode == 0 and not proc.stderr.strip(), f"{path.name}: crashed:\n{proc.stderr[-3000:]}"
    result = json.loads(proc.stdout)
    assert hash_file(path) == before, "the evidence was modified"
    for message in [result["error"] or ""] + result["read_errors"] + result["warnings"]:
        assert "\n" not in message and "Traceback" not in message
    if result["error"]:
        assert path.name in result["error"]
    return result


def _copy(src: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(src, target)
    return target


def _patch(path: Path, offset: int, data: bytes) -> None:
    with open(path, "r+b") as out:
        out.seek(offset)
        out.write(data)


# -- FAT layout helpers ---------------------------------------------------------------


class Fat16:
    """Where things are in a FAT16 volume (enough to patch entries and chains)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        boot = path.read_bytes()[:SECTOR]
        self.bps, self.spc = struct.unpack_from("<H", boot, 11)[0], boot[13]
        reserved, self.nfats, root_entries = struct.unpack_from("<H", boot, 14)[0], boot[16], struct.unpack_from(
            "<H", boot, 17)[0]
        self.spf = struct.unpack_from("<H", boot, 22)[0]
        self.fat = reserved * self.bps
        self.root = (reserved + self.nfats * self.spf) * self.bps
        self.root_len = root_entries * 32
        self.data = self.root + self.root_len

    def cluster(self, number: int) -> int:
        return self.data + (number - 2) * self.spc * self.bps

    def entry(self, short: bytes, directory: int | None = None) -> int:
        """Offset of the 8.3 entry ``short`` (11 bytes) in the root or in a directory cluster."""
        start = self.root if directory is None else self.cluster(directory)
        length = self.root_len if directory is None else self.spc * self.bps
        raw = self.path.read_bytes()[start: start + length]
        for pos in range(0, length, 32):
            if raw[pos: pos + 11] == short:
                return start + pos
        raise AssertionError(f"{short!r} not found")

    def first_cluster(self, entry: int) -> int:
        return struct.unpack_from("<H", self.path.read_bytes(), entry + 26)[0]

    def set_fat(self, number: int, value: int) -> None:
        for copy in range(self.nfats):
            _patch(self.path, self.fat + copy * self.spf * self.bps + 2 * number, struct.pack("<H", value))


def _fat(fat16_image, tmp_path: Path, name: str) -> Fat16:
    return Fat16(_copy(fat16_image.path, tmp_path, name))


# -- whole-image damage -----------------------------------------------------------------


def test_half_an_ext4_image_opens_with_a_warning_and_is_refused_when_strict(ext4_image, tmp_path):
    path = tmp_path / "half.dd"
    data = ext4_image.path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "truncated image" in probe(path, strict=True)["error"]
    result = probe(path)
    assert result["error"] is None and any("truncated" in w and "50.0%" in w for w in result["warnings"])


def test_random_bytes_are_not_a_disk_image(tmp_path):
    path = tmp_path / "noise.dd"
    path.write_bytes(random.Random(3).randbytes(1 << 20))
    assert "not a disk image" in probe(path)["error"]


def test_zeroed_fat_boot_sector_is_not_a_disk_image(fat16_image, tmp_path):
    fat = _fat(fat16_image, tmp_path, "zero-boot.dd")
    _patch(fat.path, 0, bytes(SECTOR))
    assert "not a disk image" in probe(fat.path)["error"]


@pytest.mark.parametrize("field,offset,width", [("bytes_per_sector", 11, 2), ("sectors_per_cluster", 13, 1)])
def test_fat_boot_sector_with_a_zero_field_is_refused(fat16_image, tmp_path, field, offset, width):
    fat = _fat(fat16_image, tmp_path, f"zero-{field}.dd")
    _patch(fat.path, offset, bytes(width))
    assert "not a disk image" in probe(fat.path)["error"]


def test_ext4_superblock_with_a_bad_magic_is_not_a_disk_image(ext4_image, tmp_path):
    path = _copy(ext4_image.path, tmp_path, "bad-magic.dd")
    _patch(path, 1024 + 56, b"\x00\x00")
    assert "not a disk image" in probe(path)["error"]


# -- loops and self-containing directories ---------------------------------------------------


def test_fat_file_whose_cluster_chain_loops_is_read_to_its_size_only(fat16_image, tmp_path):
    fat = _fat(fat16_image, tmp_path, "loop-file.dd")
    first = fat.first_cluster(fat.entry(b"QUARTE~1DOC"))
    fat.set_fat(first + 1, first)  # second cluster points back to the first
    result = probe(fat.path)
    assert result["error"] is None
    size = fat16_image.files["/Quarterly report 2024.docx"].__len__()
    got = result["reads"].get("/Quarterly report 2024.docx", 0)
    assert got <= size or result["read_errors"]
    if got < size and not result["read_errors"]:
        assert any(f"content ends at byte {got} of {size}" in w for w in result["warnings"])


def test_fat_directory_whose_chain_points_to_itself_is_walked_once(fat16_image, tmp_path):
    fat = _fat(fat16_image, tmp_path, "loop-dir.dd")
    docs = fat.first_cluster(fat.entry(b"DOCS       "))
    fat.set_fat(docs, docs)
    result = probe(fat.path)
    assert result["error"] is None
    paths = [r[0] for r in result["records"]]
    assert "/README.TXT" in paths and len(paths) < 1000


def test_fat_subdirectory_pointing_to_its_parent_does_not_recurse_forever(fat16_image, tmp_path):
    fat = _fat(fat16_image, tmp_path, "self-dir.dd")
    docs = fat.first_cluster(fat.entry(b"DOCS       "))
    _patch(fat.path, fat.entry(b"SUB        ", docs) + 26, struct.pack("<H", docs))  # DOCS/SUB is DOCS again
    result = probe(fat.path)
    assert result["error"] is None
    paths = [r[0] for r in result["records"]]
    assert "/README.TXT" in paths and len(paths) < 5000
    assert max(p.count("/") for p in paths) <= 600


def test_ext4_directory_entry_pointing_to_a_parent_is_listed_not_followed(ext4_image, tmp_path):
    need("debugfs")
    path = _copy(ext4_image.path, tmp_path, "ext4-loop.dd")
    run("debugfs", "-w", "-R", "link /home /home/user/up", path)
    run("debugfs", "-w", "-R", "link /home/user /home/user/self", path)
    result = probe(path)
    assert result["error"] is None
    paths = [r[0] for r in result["records"]]
    assert "/home/user/up" in paths and "/home/user/self" in paths
    assert not any(p.startswith(("/home/user/up/", "/home/user/self/")) for p in paths)


# -- lying sizes -------------------------------------------------------------------------


def test_fat_entry_claiming_4_gib_is_dropped_like_fls_and_the_walk_goes_on(fat16_image, tmp_path):
    fat = _fat(fat16_image, tmp_path, "huge-fat.dd")
    _patch(fat.path, fat.entry(b"README  TXT") + 28, b"\xff\xff\xff\xff")
    result = probe(fat.path)
    assert result["error"] is None
    paths = [r[0] for r in result["records"]]
    assert "/README.TXT" not in paths and "/DOCS/notes.txt" in paths  # TSK (and fls) reject the entry


def test_fat_entry_claiming_more_than_its_chain_is_read_no_further_than_the_media(fat16_image, tmp_path):
    fat = _fat(fat16_image, tmp_path, "long-fat.dd")
    claimed = 200_000  # one 1 KiB cluster in the chain
    _patch(fat.path, fat.entry(b"README  TXT") + 28, struct.pack("<I", claimed))
    result = probe(fat.path)
    assert result["error"] is None
    assert [r[3] for r in result["records"] if r[0] == "/README.TXT"] == [claimed]
    assert result["reads"].get("/README.TXT", 0) <= fat.path.stat().st_size or result["read_errors"]


def test_ext4_inode_claiming_a_terabyte_is_read_to_the_end_of_the_media(ext4_image, tmp_path):
    need("debugfs")
    path = _copy(ext4_image.path, tmp_path, "huge-ext4.dd")
    run("debugfs", "-w", "-R", f"sif /home/user/todo.txt size {1 << 40}", path)
    result = probe(path)
    assert result["error"] is None
    assert [r[3] for r in result["records"] if r[0] == "/home/user/todo.txt"] == [1 << 40]
    assert result["reads"].get("/home/user/todo.txt", 0) <= path.stat().st_size or result["read_errors"]
    assert any("claims 1099511627776 bytes" in w for w in result["warnings"])


def test_ext4_with_a_garbage_inode_table_block_walks_on(ext4_image, tmp_path):
    need("debugfs")
    path = _copy(ext4_image.path, tmp_path, "bad-itable.dd")
    text = run("debugfs", "-R", "imap /home/user/todo.txt", path)
    block = int(text.split("located at block")[1].split(",")[0])
    block_size = 1024 << struct.unpack_from("<I", path.read_bytes(), 1024 + 24)[0]
    _patch(path, block * block_size, random.Random(5).randbytes(block_size))
    result = probe(path)
    assert result["error"] is None
    assert "/etc.conf" in [r[0] for r in result["records"]]


# -- partition tables -----------------------------------------------------------------------


def _mbr_copy(mbr_image, tmp_path: Path, name: str) -> Path:
    return _copy(mbr_image.path, tmp_path, name)


def test_mbr_partition_running_past_the_end_of_the_image(mbr_image, tmp_path):
    path = _mbr_copy(mbr_image, tmp_path, "past-end.dd")
    _patch(path, 462 + 12, struct.pack("<I", 10_000_000))  # second partition: 5 GB on a 13 MB disk
    result = probe(path)
    assert result["error"] is None or path.name in result["error"]
    if result["error"] is None:
        assert "/README.TXT" in [r[0] for r in result["records"]]


def test_mbr_with_overlapping_partitions(mbr_image, tmp_path):
    path = _mbr_copy(mbr_image, tmp_path, "overlap.dd")
    start, length = mbr_image.starts[0], mbr_image.lengths[0]
    _patch(path, 462 + 8, struct.pack("<II", start + 8, length))  # second entry inside the first
    result = probe(path)
    assert result["error"] is None
    assert "/README.TXT" in [r[0] for r in result["records"]]


def _gpt_disk(volume: bytes, path: Path, corrupt_header: bool, claimed: int = 128) -> Path:
    """A GPT disk: one basic-data partition at LBA 2048 holding ``volume``; the header claims ``claimed`` entries."""
    first = 2048
    last = first + len(volume) // SECTOR - 1
    total = last + 1 + 2048
    entry = struct.pack("<16s16sQQQ72s", bytes.fromhex("a2a0d0ebe5b9334487c068b6b72699c7"), b"\x11" * 16,
                        first, last, 0, "fklab".encode("utf-16le").ljust(72, b"\0"))
    entries = entry.ljust(128 * 128, b"\0")
    header = bytearray(struct.pack("<8sIII4sQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, b"\0" * 4, 1, total - 1,
                                   34, total - 34, b"\x22" * 16, 2, claimed, 128, zlib.crc32(entries)))
    struct.pack_into("<I", header, 16, zlib.crc32(bytes(header)) ^ (0xDEADBEEF if corrupt_header else 0))
    mbr = bytearray(SECTOR)
    mbr[446:462] = struct.pack("<B3sB3sII", 0, b"\0\x02\0", 0xEE, b"\xff\xff\xff", 1, total - 1)
    mbr[510:512] = b"\x55\xaa"
    with open(path, "wb") as out:
        out.truncate(total * SECTOR)
        out.write(bytes(mbr) + bytes(header).ljust(SECTOR, b"\0") + entries)
        out.seek(first * SECTOR)
        out.write(volume)
    return path


def test_gpt_with_a_bad_header_crc_gives_no_traceback(fat16_image, tmp_path):
    good = probe(_gpt_disk(fat16_image.path.read_bytes(), tmp_path / "gpt-good.dd", False))
    assert "/README.TXT" in [r[0] for r in good["records"]]  # the builder makes a GPT TSK reads
    result = probe(_gpt_disk(fat16_image.path.read_bytes(), tmp_path / "gpt-bad-crc.dd", True))
    assert result["error"] is None or "gpt-bad-crc.dd" in result["error"]


@pytest.mark.crosscheck
def test_gpt_header_claiming_0xffffffff_entries_is_read_as_mmls_reads_it(fat16_image, tmp_path):
    """TSK 4.15 (pytsk3) reads file-system data as partitions there (exit 70 once); mmls reads the protective MBR."""
    from forensics_kit.disk import open_image

    from .conftest import need, parse_mmls, run

    path = _gpt_disk(fat16_image.path.read_bytes(), tmp_path / "gpt-huge.dd", False, claimed=0xFFFFFFFF)
    result = probe(path)
    assert result["error"] is None and any("claims 4294967295 entries" in w for w in result["warnings"])
    with open_image(path) as img:
        ours = [(p.index, p.start, p.length, p.description) for p in img.partitions()]
    need("mmls")
    assert ours == parse_mmls(run("mmls", path))


# -- hostile names ------------------------------------------------------------------------------


def _lfn_offsets(fat: Fat16, short: bytes) -> list[int]:
    """Offsets of the UTF-16 character slots of the long name before an 8.3 entry, in name order."""
    entry = fat.entry(short)
    raw = fat.path.read_bytes()
    slots: list[int] = []
    pos = entry - 32
    while pos >= fat.root and raw[pos + 11] == 0x0F:
        base = pos
        slots += [base + o for o in (1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30)]
        if raw[pos] & 0x40:
            break
        pos -= 32
    return slots


def test_names_with_slash_nul_and_newline_give_one_line_paths_and_export_stays_inside(fat16_image, tmp_path):
    from forensics_kit.disk import open_image
    from forensics_kit.disk.export import export_files

    fat = _fat(fat16_image, tmp_path, "names.dd")
    slots = _lfn_offsets(fat, b"QUARTE~1DOC")  # "Quarterly report 2024.docx"
    for slot, char in zip(slots, "../\n\0x/..\\y\r", strict=False):
        _patch(fat.path, slot, char.encode("utf-16le"))
    result = probe(fat.path)
    assert result["error"] is None
    for path, *_ in result["records"]:
        assert "\n" not in path and "\r" not in path and "\0" not in path
    out = tmp_path / "out"
    with open_image(fat.path) as img:
        export_files(img, out)
    for written in (tmp_path / "out").rglob("*"):
        assert written.resolve().is_relative_to(out.resolve())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.dd", "out"]


def test_a_name_of_almost_500_bytes_is_listed_and_exported(fat16_image, tmp_path):
    from forensics_kit.disk import open_image
    from forensics_kit.disk.export import export_files

    need("mcopy")
    fat = _fat(fat16_image, tmp_path, "long-name.dd")
    local = tmp_path / "data.bin"
    local.write_bytes(b"long name\n")
    run("mcopy", "-i", fat.path, local, "::" + "n" * 250)
    short = next(e for e in _short_names(fat) if e.startswith(b"NNNNNN"))
    for slot in _lfn_offsets(fat, short)[:250]:
        _patch(fat.path, slot, "я".encode("utf-16le"))
    result = probe(fat.path)
    long_paths = [r[0] for r in result["records"] if len(r[0].encode()) > 300]
    assert len(long_paths) == 1 and set(long_paths[0][1:]) == {"я"}  # TSK keeps 247 of the 250 characters
    with open_image(fat.path) as img:
        export_files(img, tmp_path / "out")  # names are cut to what the local file system takes
    assert any(p.read_bytes() == b"long name\n" for p in (tmp_path / "out").rglob("*") if p.is_file())


def _short_names(fat: Fat16) -> list[bytes]:
    raw = fat.path.read_bytes()[fat.root: fat.root + fat.root_len]
    return [raw[p: p + 11] for p in range(0, len(raw), 32) if raw[p + 11] != 0x0F and raw[p] not in (0, 0xE5)]


# -- the shared corpus ----------------------------------------------------------------------------

MALFORMED = corpus_files("images-malformed", recursive=True)


@skip_unless("images-malformed")
@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_corpus_malformed_image_gives_one_line_error_under_the_time_limit(path):
    assert probe(path)["error"]
