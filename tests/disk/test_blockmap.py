"""Block map: owners of bytes (files, slack, metadata, unallocated, unpartitioned), checked against TSK."""

from __future__ import annotations

import subprocess

import pytest

from forensics_kit.disk import open_image
from forensics_kit.disk.blockmap import Owner, build_block_map

from .conftest import SECTOR, need, run


def _first_unit(image, inode: int, sector_offset: int = 0) -> int:
    """First data unit (FAT sector / ext block) of a file, from istat."""
    need("istat")
    text = run("istat", "-o", str(sector_offset), image, str(inode))
    marker = "Sectors:" if "Sectors:" in text else "Direct Blocks:"
    return int(text.split(marker)[1].split()[0])


def test_fat_live_deleted_slack_and_metadata_owners(fat16_image) -> None:
    with open_image(fat16_image.path) as img:
        records = {r.path: r for r in img.walk()}
        block_map = build_block_map(img)
    notes = records["/DOCS/notes.txt"]
    start = _first_unit(fat16_image.path, notes.inode) * SECTOR
    assert block_map.owner(start) == Owner("file", "/DOCS/notes.txt", notes.inode, None, False)
    assert block_map.owner(start + notes.size - 1).kind == "file"
    assert block_map.owner(start + notes.size) == Owner("slack", "/DOCS/notes.txt", notes.inode, None, False)
    gone = records["/secret plan.txt"]
    owner = block_map.owner(_first_unit(fat16_image.path, gone.inode) * SECTOR)
    assert (owner.kind, owner.path, owner.deleted) == ("file", "/secret plan.txt", True)
    assert block_map.owner(0).kind == "metadata" and block_map.owner(SECTOR * 3).path == "/$FAT1"
    assert block_map.owner(fat16_image.path.stat().st_size - 1).kind == "unallocated"


def test_ext4_metadata_deleted_blocks_and_unallocated(ext4_image) -> None:
    with open_image(ext4_image.path) as img:
        records = {r.path: r for r in img.walk()}
        block_map = build_block_map(img)
    assert block_map.owner(1024).kind == "metadata"  # superblock
    photo = records["/home/user/photo.jpg"]
    assert block_map.owner(_first_unit(ext4_image.path, photo.inode) * 1024).path == "/home/user/photo.jpg"
    gone = records["/home/user/evidence.txt"]
    owner = block_map.owner(_first_unit(ext4_image.path, gone.inode) * 1024)
    assert (owner.path, owner.deleted) == ("/home/user/evidence.txt", True)


def test_partitioned_image_offsets_and_unpartitioned_areas(mbr_image) -> None:
    with open_image(mbr_image.path) as img:
        block_map = build_block_map(img)
        ext_part = img.filesystems()[1].partition
        todo = next(r for r in img.walk(ext_part) if r.path == "/home/user/todo.txt")
    assert block_map.owner(0).kind == "unpartitioned"
    assert block_map.owner(mbr_image.path.stat().st_size - 1).kind == "unpartitioned"
    second = mbr_image.starts[1]
    offset = second * SECTOR + _first_unit(mbr_image.path, todo.inode, second) * 1024
    assert block_map.owner(offset) == Owner("file", "/home/user/todo.txt", todo.inode, ext_part, False)


@pytest.mark.crosscheck
@pytest.mark.parametrize("fixture", ["fat16_image", "ext4_image"])
def test_unallocated_bytes_equal_blkls(fixture: str, request: pytest.FixtureRequest) -> None:
    """Our unallocated ranges hold exactly what ``blkls`` extracts (unallocated data units)."""
    need("blkls")
    built = request.getfixturevalue(fixture)
    theirs = subprocess.run(["blkls", str(built.path)], capture_output=True, check=True).stdout
    with open_image(built.path) as img:
        ranges = list(build_block_map(img).unallocated_ranges())
    data = built.path.read_bytes()
    ours = b"".join(data[a:b] for a, b in ranges)
    assert len(ours) == len(theirs) and ours == theirs
