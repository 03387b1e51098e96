"""walk(): every name, deleted and orphan ones included, agreeing with fls -r -p."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_kit.disk import FileRecord, open_image
from forensics_kit.disk.walker import OpenFileSystem, _decode, walk_filesystem

from .conftest import fls


def _by_path(image_path) -> dict[str, FileRecord]:
    with open_image(image_path) as img:
        return {record.path: record for record in img.walk()}


@pytest.mark.parametrize("fixture", ["fat16_image", "fat12_image"])
def test_deleted_fat_file_is_listed_with_allocated_false(fixture, request):
    built = request.getfixturevalue(fixture)
    records = _by_path(built.path)
    assert records["/secret plan.txt"].allocated is False
    assert records["/DOCS/_ld.txt"].allocated is False  # 8.3 name: first letter lost
    assert records["/DOCS/notes.txt"].allocated is True


@pytest.mark.parametrize("fixture", ["fat16_image", "fat12_image"])
def test_long_names_and_nested_folders_are_listed_with_full_paths(fixture, request):
    built = request.getfixturevalue(fixture)
    records = _by_path(built.path)
    for path, data in built.files.items():
        assert records[path].type == "file"
        assert records[path].size == len(data)
        assert records[path].name == path.rsplit("/", 1)[1]
    assert records["/DOCS/SUB"].type == "dir"


def test_orphan_files_folder_is_listed_and_dot_entries_are_not(ext4_image):
    records = _by_path(ext4_image.path)
    assert records["/$OrphanFiles"].type == "dir"
    assert not any(path.endswith(("/.", "/..")) for path in records)


def test_deleted_ext4_file_is_listed_with_allocated_false(ext4_image):
    records = _by_path(ext4_image.path)
    assert records["/home/user/evidence.txt"].allocated is False
    assert records["/home/user/todo.txt"].allocated is True


def test_records_carry_iso_utc_times_and_are_json_ready(ext4_image):
    records = _by_path(ext4_image.path)
    todo = records["/home/user/todo.txt"]
    for value in (todo.mtime, todo.atime, todo.ctime, todo.crtime):
        assert value is not None and value.endswith("Z") and value[4] == "-"
    data = json.loads(json.dumps([r.to_dict() for r in records.values()]))
    assert {"path", "inode", "allocated", "mtime", "crtime", "partition"} <= set(data[0])


def test_walk_of_mbr_disk_covers_both_partitions_and_can_pick_one(mbr_image):
    with open_image(mbr_image.path) as img:
        every = list(img.walk())
        ext_index = next(fs.partition for fs in img.filesystems() if fs.type == "ext4")
        ext_only = list(img.walk(partition=ext_index))
        assert {r.partition for r in every} == {fs.partition for fs in img.filesystems()}
    assert len({r.partition for r in every}) == 2
    assert {r.partition for r in ext_only} == {ext_index}
    assert any(r.path == "/home/user/todo.txt" for r in ext_only)


@pytest.mark.crosscheck
@pytest.mark.parametrize("fixture", ["fat16_image", "fat12_image", "ext4_image"])
def test_walk_matches_fls_paths_inodes_and_deleted_flags(fixture, request):
    built = request.getfixturevalue(fixture)
    with open_image(built.path) as img:
        ours = {(r.path, r.inode, r.allocated) for r in img.walk()}
    assert ours == fls(built.path)


@pytest.mark.crosscheck
def test_walk_of_each_partition_matches_fls_at_its_offset(mbr_image):
    with open_image(mbr_image.path) as img:
        for fs in img.filesystems():
            ours = {(r.path, r.inode, r.allocated) for r in img.walk(partition=fs.partition)}
            assert ours == fls(mbr_image.path, fs.offset // 512), fs


class _FlakyFileSystem:
    """A real pytsk3 file system whose one directory fails to open, as on damaged media."""

    def __init__(self, fs, bad_inode: int) -> None:
        self._fs, self._bad, self.info = fs, bad_inode, fs.info

    def open_dir(self, inode: int):
        if inode == self._bad:
            raise OSError("tsk_fs_dir_open_meta: error reading directory\nblock 1332: I/O error")
        return self._fs.open_dir(inode=inode)

    def open_meta(self, inode: int):
        return self._fs.open_meta(inode=inode)


def test_unreadable_directory_is_skipped_with_a_one_line_warning(ext4_image):
    with open_image(ext4_image.path) as img:
        home = next(r for r in img.walk() if r.path == "/home/user")
        good = img._filesystems[0]  # noqa: SLF001 - swap in a failing back end
        flaky = OpenFileSystem(_FlakyFileSystem(good.fs, home.inode), good.info, img.path)
        paths = [r.path for r in walk_filesystem(flaky)]
    assert "/home/user" in paths and "/etc.conf" in paths and "/$OrphanFiles" in paths
    assert not any(p.startswith("/home/user/") for p in paths)
    (warning,) = flaky.warnings
    assert "/home/user" in warning and "\n" not in warning and "I/O error" in warning


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40) | st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_a_name_reads_as_fls_prints_it_control_bytes_as_caret_bad_utf8_escaped(raw):
    # fls's rule on the bytes: every control byte becomes '^', then UTF-8 with bad bytes escaped.
    expected = re.sub(rb"[\x00-\x1f]", b"^", raw).decode("utf-8", "backslashreplace")
    assert _decode(raw) == expected


@pytest.mark.parametrize("fixture", ["fat16_image", "ext4_image", "ntfs_image"])
def test_every_field_of_a_walked_record_is_set_as_the_constructor_sets_it(fixture, request):
    # The walk builds most records without calling FileRecord(...): a field it forgot would
    # be unset (AttributeError here) or differ from the record the constructor makes.
    built = request.getfixturevalue(fixture)
    with open_image(built.path) as img:
        records = list(img.walk())
    assert records
    names = [f.name for f in dataclasses.fields(FileRecord)]
    for record in records:
        values = [getattr(record, name) for name in names]
        again = FileRecord(*values)
        assert again == record and [getattr(again, name) for name in names] == values
