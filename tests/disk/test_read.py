"""read()/iter_content(): file content by path or inode, deleted files recovered like icat."""

from __future__ import annotations

import pytest

from forensics_kit.disk import open_image
from forensics_kit.errors import ForensicsKitError, NotFoundError

from .conftest import icat


@pytest.mark.parametrize("fixture", ["fat16_image", "fat12_image", "ext4_image"])
def test_read_by_path_returns_what_was_written(fixture, request):
    built = request.getfixturevalue(fixture)
    with open_image(built.path) as img:
        for path, data in built.files.items():
            assert img.read(path) == data, path


@pytest.mark.parametrize("fixture", ["fat16_image", "fat12_image"])
def test_deleted_fat_file_is_recovered_by_path(fixture, request):
    built = request.getfixturevalue(fixture)
    with open_image(built.path) as img:
        for path, data in built.deleted.items():
            assert img.read(path) == data, path


def test_read_by_inode_equals_read_by_path(fat16_image):
    with open_image(fat16_image.path) as img:
        record = next(r for r in img.walk() if r.path == "/Quarterly report 2024.docx")
        assert img.read(inode=record.inode) == img.read(record.path)


def test_path_lookup_ignores_case_on_fat(fat16_image):
    with open_image(fat16_image.path) as img:
        assert img.read("/docs/NOTES.TXT") == fat16_image.files["/DOCS/notes.txt"]


def test_iter_content_streams_in_bounded_chunks(fat16_image):
    with open_image(fat16_image.path) as img:
        chunks = list(img.iter_content("/Quarterly report 2024.docx", chunk_size=1000))
    assert max(len(c) for c in chunks) <= 1000
    assert b"".join(chunks) == fat16_image.files["/Quarterly report 2024.docx"]


def test_read_in_a_partition_of_an_mbr_disk(mbr_image):
    with open_image(mbr_image.path) as img:
        parts = {fs.type: fs.partition for fs in img.filesystems()}
        assert img.read("/home/user/todo.txt", partition=parts["ext4"]) == b"buy milk\n"
        assert img.read("/README.TXT", partition=parts["FAT16"]) == b"fklab test volume\n"


def test_read_without_partition_on_a_multi_fs_disk_names_the_choices(mbr_image):
    with open_image(mbr_image.path) as img, pytest.raises(NotFoundError, match="partition"):
        img.read("/README.TXT")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": "/DOCS/nothere.txt"}, "no 'nothere.txt' in /DOCS"),
        ({"path": "/NODIR/x.txt"}, "no 'NODIR' in /"),
        ({"inode": 10_000_000}, "no inode 10000000"),
        ({"path": "/README.TXT", "partition": 3}, "no partition table"),
    ],
)
def test_missing_path_inode_or_partition_gives_not_found(fat16_image, kwargs, message):
    with open_image(fat16_image.path) as img, pytest.raises(NotFoundError, match=message):
        img.read(**kwargs)


def test_missing_partition_index_gives_not_found(mbr_image):
    with open_image(mbr_image.path) as img:
        meta = next(p.index for p in img.partitions() if p.kind == "meta")
        with pytest.raises(NotFoundError, match=f"partition {meta} .* no file system"):
            img.read("/x", partition=meta)
        with pytest.raises(NotFoundError, match="no partition 99"):
            img.read("/x", partition=99)


@pytest.mark.crosscheck
@pytest.mark.parametrize("fixture", ["fat16_image", "fat12_image", "ext4_image"])
def test_every_file_reads_byte_identical_to_icat_deleted_included(fixture, request):
    built = request.getfixturevalue(fixture)
    checked = deleted = 0
    with open_image(built.path) as img:
        for record in list(img.walk()):
            if record.type != "file" or record.inode == 0 or record.path.startswith("/$"):
                continue
            assert img.read(inode=record.inode) == icat(built.path, record.inode), record.path
            checked += 1
            deleted += not record.allocated
    assert checked >= 4
    if fixture != "ext4_image":  # ext4 wipes a deleted file's inode; FAT keeps it
        assert deleted >= 2


@pytest.mark.crosscheck
def test_read_in_partition_matches_icat_at_offset(mbr_image):
    with open_image(mbr_image.path) as img:
        for fs in img.filesystems():
            for record in list(img.walk(partition=fs.partition)):
                if record.type == "file" and record.inode and not record.path.startswith("/$"):
                    ours = img.read(inode=record.inode, partition=fs.partition)
                    assert ours == icat(mbr_image.path, record.inode, fs.offset // 512)


def test_using_a_closed_image_is_a_clear_error(fat16_image):
    with open_image(fat16_image.path) as img:
        pass
    with pytest.raises(ForensicsKitError, match="closed"):
        list(img.walk())
    with pytest.raises(ForensicsKitError, match="closed"):
        img.read("/README.TXT")
