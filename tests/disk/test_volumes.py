"""partitions() and filesystems(): the volume system like mmls, types, labels, offsets."""

from __future__ import annotations

import json

import pytest

from forensics_kit.disk import open_image

from .conftest import need, parse_mmls, run


def test_image_without_partition_table_is_one_file_system(fat16_image):
    with open_image(fat16_image.path) as img:
        assert img.partitions() == []
        (fs,) = img.filesystems()
    assert (fs.partition, fs.offset, fs.type) == (None, 0, "FAT16")
    assert img.format == "raw" and img.size == fat16_image.path.stat().st_size


@pytest.mark.parametrize(
    ("fixture", "fs_type", "label"),
    [
        ("fat16_image", "FAT16", "FKFAT16"),
        ("fat12_image", "FAT12", "FLOPPY12"),
        ("ext4_image", "ext4", "fkext4"),
    ],
)
def test_file_system_type_label_and_geometry(fixture, fs_type, label, request):
    built = request.getfixturevalue(fixture)
    with open_image(built.path) as img:
        (fs,) = img.filesystems()
    assert (fs.type, fs.label) == (fs_type, label)
    assert fs.block_size * fs.block_count <= built.path.stat().st_size
    assert json.loads(json.dumps(fs.to_dict()))["label"] == label


def test_mbr_partitions_carry_start_length_and_file_system(mbr_image):
    with open_image(mbr_image.path) as img:
        parts = [p for p in img.partitions() if p.kind == "partition"]
        systems = img.filesystems()
    assert [(p.start, p.length, p.filesystem) for p in parts] == [
        (mbr_image.starts[0], mbr_image.lengths[0], "FAT16"),
        (mbr_image.starts[1], mbr_image.lengths[1], "ext4"),
    ]
    assert [(fs.partition, fs.offset, fs.label) for fs in systems] == [
        (parts[0].index, mbr_image.starts[0] * 512, "MBRFAT"),
        (parts[1].index, mbr_image.starts[1] * 512, "fkext4"),
    ]
    assert all(p.filesystem is None for p in img.partitions() if p.kind != "partition")


@pytest.mark.crosscheck
def test_partitions_match_mmls_rows(mbr_image):
    need("mmls")
    expected = parse_mmls(run("mmls", mbr_image.path))
    assert len(expected) >= 3  # table, unallocated gap, two partitions...
    with open_image(mbr_image.path) as img:
        ours = [(p.index, p.start, p.length, p.description) for p in img.partitions()]
    assert ours == expected
