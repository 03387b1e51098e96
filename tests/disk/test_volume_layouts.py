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
from forensics_kit.errors import EvidenceError, NotFoundError

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
def test_table_whose_partition_starts_past_the_image_is_refused_in_one_line_as_mmls_refuses_it(tmp_path):
    mbr = bytearray(SECTOR)
    mbr[446:462] = _mbr_entry(0x83, 2048, 2048)
    mbr[462:478] = _mbr_entry(0x83, 1 << 31, 2048)
    mbr[510:512] = b"\x55\xaa"
    path = tmp_path / "short-table.dd"
    with open(path, "wb") as out:
        out.truncate(8192 * SECTOR)
        out.write(bytes(mbr))
    with pytest.raises(EvidenceError, match="short-table.dd: not a disk image") as caught:
        open_image(path)
    assert "\n" not in str(caught.value)
    need("mmls")
    with pytest.raises(RuntimeError, match="mmls failed"):  # no table it can read
        run("mmls", path)


def test_several_file_systems_message_names_the_cli_option(mbr_image):
    with open_image(mbr_image.path) as img, pytest.raises(NotFoundError) as caught:
        img.read("/README.TXT")
    assert "choose one with -p N (partition=N in Python)" in str(caught.value)
