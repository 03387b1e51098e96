"""Layouts peers list their own way: a file system outside every partition, partitions without file systems.

``mmls`` lists the partition table and ``fls -o 0`` the file system whose boot
sector holds it; a partition table whose partitions hold nothing TSK knows is
still listed (with a warning that nothing could be walked).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from forensics_kit.disk import export_files, open_image
from forensics_kit.errors import NotFoundError

from .conftest import SECTOR, _mbr_entry, fls, need, parse_mmls, run


@pytest.mark.crosscheck
def test_file_system_at_sector_0_under_a_partition_table_is_listed_as_fls_o_0_lists_it(hybrid_image):
    need("mmls", "fls")
    with open_image(hybrid_image.path) as img:
        rows = [(p.index, p.start, p.length, p.description) for p in img.partitions()]
        systems = [(fs.partition, fs.offset, fs.type) for fs in img.filesystems()]
        outside = {(r.path, r.inode, r.allocated) for r in img.walk() if r.partition is None}
        inner = {(r.path, r.inode, r.allocated) for r in img.walk(2)}
    assert rows == parse_mmls(run("mmls", hybrid_image.path))
    assert systems == [(None, 0, "FAT16"), (2, hybrid_image.ext_start * SECTOR, "ext2")]
    assert outside == fls(hybrid_image.path, 0)
    assert inner == fls(hybrid_image.path, hybrid_image.ext_start)


def test_file_system_outside_the_partitions_is_read_and_exported_by_its_records(hybrid_image, tmp_path):
    with open_image(hybrid_image.path) as img:
        assert img.read("/README.TXT") == hybrid_image.fat.files["/README.TXT"]  # partition=None: the one outside
        report = export_files(img, tmp_path / "out")
    exported = {(f.partition, f.path) for f in report.files}
    assert (None, "/DOCS/notes.txt") in exported and not report.skipped


def test_offset_0_opens_only_the_file_system_outside(hybrid_image):
    with open_image(hybrid_image.path, offset=0) as img:
        assert [fs.type for fs in img.filesystems()] == ["FAT16"]


@pytest.fixture()
def partitions_only(tmp_path):
    """An MBR disk whose two partitions hold only zeros (a wiped or never-formatted disk)."""
    mbr = bytearray(SECTOR)
    mbr[446:462] = _mbr_entry(0x07, 2048, 4096)
    mbr[462:478] = _mbr_entry(0x83, 6144, 2048)
    mbr[510:512] = b"\x55\xaa"
    path = tmp_path / "blank-partitions.dd"
    with open(path, "wb") as out:
        out.truncate(8192 * SECTOR)
        out.write(bytes(mbr))
    return path


@pytest.mark.crosscheck
def test_partition_only_image_lists_partitions_as_mmls_and_warns_there_is_no_file_system(partitions_only):
    need("mmls")
    with open_image(partitions_only) as img:
        rows = [(p.index, p.start, p.length, p.description) for p in img.partitions()]
        assert img.filesystems() == [] and list(img.walk()) == []
        (warning,) = img.warnings
    assert rows == parse_mmls(run("mmls", partitions_only))
    assert "no file system TSK knows in any partition (2) nor at sector 0" in warning
    result = CliRunner().invoke(cli, ["disk", "ls", str(partitions_only)])
    assert result.exit_code == 0 and "--fstype TYPE" in result.stderr


@pytest.mark.crosscheck
def test_disk_cut_after_its_first_partition_lists_and_reads_that_partition(mbr_image, tmp_path):
    """TSK refuses the whole table when a partition starts past the end; the kit reads the ones that are there."""
    need("mmls", "fls")
    fat_start, ext_start = mbr_image.starts
    path = tmp_path / "cut-disk.dd"
    path.write_bytes(mbr_image.path.read_bytes()[: (ext_start - 1024) * SECTOR])  # the FAT's free tail is cut too
    with pytest.raises(RuntimeError, match="mmls failed"):  # no table it can read
        run("mmls", path)
    with open_image(path) as img:
        warning, fat_cut = img.warnings
        rows = [(p.start, p.length, p.description, p.filesystem) for p in img.partitions() if p.kind == "partition"]
        (fat,) = img.filesystems()
        listed = {(r.path, r.inode, r.allocated) for r in img.walk()}
        readme = img.read("/README.TXT")
    assert warning.startswith("truncated image: the partition table lists partitions starting past the end")
    assert f"slot 1 at sector {ext_start}" in warning
    assert fat_cut.startswith("truncated image: the FAT16 file system at byte 1048576 needs")
    assert rows == [(fat_start, mbr_image.lengths[0], "DOS FAT16 (0x06)", "FAT16")]
    assert listed == fls(path, fat_start)
    assert readme == mbr_image.fat.files["/README.TXT"]


def test_several_file_systems_message_names_the_cli_option(mbr_image):
    with open_image(mbr_image.path) as img, pytest.raises(NotFoundError) as caught:
        img.read("/README.TXT")
    assert "choose one with -p N (partition=N in Python)" in str(caught.value)
