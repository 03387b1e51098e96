"""APFS (corpus apfs.raw) read with pyfsapfs, against ``fls -P apfs -B 107`` and ``pstat``.

pytsk3 cannot open APFS pools, so these show the kit lists the same names and
inodes as The Sleuth Kit's APFS support, with the same sizes and times, reads
content, and finds the container inside a partition or at a given sector.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.disk.apfs import ApfsFileSystem, walk_apfs
from forensics_kit.disk.records import FileSystemInfo
from forensics_kit.errors import EvidenceError, NotFoundError
from forensics_kit.timefmt import parse_iso

from .conftest import CORPUS, parse_fls

APFS = CORPUS / "images" / "dfvfs" / "apfs.raw"
EXPECTED = CORPUS / "expected" / "images" / "dfvfs"
pytestmark = pytest.mark.skipif(not APFS.is_file(), reason=f"shared corpus image not found at {APFS}")
PASSWORDS = b"place,user,password\nbank,joesmith,superrich\n"


@pytest.fixture(scope="module")
def image():
    with open_image(APFS) as img:
        yield img


@pytest.mark.crosscheck
def test_walk_matches_recorded_fls_paths_and_inodes(image):
    ours = [(r.path, r.inode, r.allocated) for r in image.walk()]
    expected_text = (EXPECTED / "apfs.raw.fls.apsb107.txt").read_text()
    assert set(ours) == parse_fls(expected_text)
    # and in the same depth-first order as fls prints them
    assert [p for p, _, _ in ours] == ["/" + line.split(":\t", 1)[1] for line in expected_text.splitlines()]


@pytest.mark.crosscheck
def test_sizes_and_times_match_recorded_bodyfile(image):
    ours = {r.path: r for r in image.walk()}
    for line in (EXPECTED / "apfs.raw.fls.apsb107.body.txt").read_text().splitlines():
        _, name, inode, _, _, _, size, atime, mtime, ctime, crtime = line.split("|")
        record = ours[name.split(" -> ")[0]]
        assert (record.inode, record.size) == (int(inode), int(size))
        times = [record.atime, record.mtime, record.ctime, record.crtime]
        assert [int(parse_iso(t).timestamp()) for t in times] == [int(atime), int(mtime), int(ctime), int(crtime)]


def test_volume_is_listed_like_pstat(image):
    assert image.filesystems() == [FileSystemInfo(None, 0, "APFS", "apfs_test", 4096, 1014)]
    assert image.partitions() == []
    kinds = {r.path: r.type for r in image.walk()}
    assert (kinds["/a_directory"], kinds["/passwords.txt"], kinds["/a_link"]) == ("dir", "file", "other")


def test_file_is_read_by_path_and_by_inode(image):
    assert image.read("/passwords.txt").startswith(PASSWORDS)
    assert len(image.read("/passwords.txt")) == 116
    assert image.read(inode=17) == b"This is a text file.\n\nWe should be able to parse it.\n"
    assert image.read("/A_DIRECTORY/another_file") == image.read(inode=19)  # this volume ignores case
    chunks = list(image.iter_content("/passwords.txt", chunk_size=50))
    assert [len(c) for c in chunks] == [50, 50, 16]


def test_directory_reads_empty_and_missing_path_is_not_found(image):
    assert image.read("/a_directory") == b""
    with pytest.raises(NotFoundError, match="no such path in the APFS volume 'apfs_test'"):
        image.read("/nope.txt")
    with pytest.raises(NotFoundError, match="inode 9999"):
        image.read(inode=9999)


def test_tsk_only_tools_name_the_apfs_volume_instead_of_failing(image):
    with pytest.raises(NotFoundError, match="no file system TSK can read"):
        image._select(None)  # noqa: SLF001 - what block maps and timelines call


def test_encrypted_volume_gives_one_line_evidence_error():
    info = FileSystemInfo(None, 0, "APFS", "Macintosh HD", 4096, 1014)
    locked = ApfsFileSystem(object(), info, "mac.dd", None, [], locked=True)
    with pytest.raises(EvidenceError, match="'Macintosh HD' is encrypted") as caught:
        list(walk_apfs(locked))
    assert "\n" not in str(caught.value) and str(caught.value).startswith("mac.dd: ")


def _mbr_disk(path: Path, start: int, sectors: int, kind: int) -> None:
    """A disk with one MBR partition of type ``kind`` holding apfs.raw at sector ``start``."""
    entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", kind, b"\0\0\0", start, sectors)
    mbr = bytes(446) + entry + bytes(48) + b"\x55\xaa"
    path.write_bytes(mbr + bytes((start - 1) * 512) + APFS.read_bytes() + bytes(512 * 8))


def test_container_inside_a_partition_is_found(tmp_path):
    disk = tmp_path / "mac.dd"
    _mbr_disk(disk, 2048, APFS.stat().st_size // 512, 0xAF)
    with open_image(disk) as img:
        (fs,) = img.filesystems()
        part = img.partitions()[fs.partition]
        assert (fs.type, fs.offset, part.filesystem) == ("APFS", 2048 * 512, "APFS")
        assert {r.inode for r in img.walk(fs.partition)} == {16, 17, 18, 19, 20, 21, 22, 23, 25, 26}
        assert img.read("/passwords.txt", partition=fs.partition).startswith(PASSWORDS)


def test_container_at_a_given_sector_is_found(tmp_path):
    blank = tmp_path / "wiped.dd"
    blank.write_bytes(bytes(4096 * 512) + APFS.read_bytes())
    with open_image(blank, offset=4096) as img:
        (fs,) = img.filesystems()
        assert (fs.type, fs.offset, fs.partition) == ("APFS", 4096 * 512, None)
        assert img.read("/passwords.txt").startswith(PASSWORDS)


def test_cli_lists_and_cats_apfs():
    runner = CliRunner()
    listing = runner.invoke(cli, ["disk", "ls", str(APFS), "--json"])
    assert listing.exit_code == 0, listing.output
    rows = [json.loads(line) for line in listing.output.splitlines()]
    assert {r["path"] for r in rows} >= {"/passwords.txt", "/a_directory/a_file", "/.fseventsd/fseventsd-uuid"}
    cat = runner.invoke(cli, ["disk", "cat", str(APFS), "/passwords.txt"])
    assert cat.exit_code == 0 and cat.stdout_bytes.startswith(PASSWORDS)
    info = runner.invoke(cli, ["disk", "info", str(APFS), "--json"])
    assert info.exit_code == 0 and '"label": "apfs_test"' in info.output
