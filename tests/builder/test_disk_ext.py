"""ext2/3/4 volumes: times set by debugfs, deletion like the Linux driver, byte-identical rebuilds."""

from __future__ import annotations

import time

import pytest
from disk_helpers import build, tsk

from forensics_kit.errors import RecipeError


def _disk(fs: str, file: str = "ext.dd") -> dict:
    return {
        "id": "disk", "type": "disk", "file": file, "size": "4MiB", "scheme": "none",
        "filesystem": {"type": fs, "label": "home"},
        "items": [
            {"id": "kept", "path": "/home/anna/plan.txt", "content": {"text": "meet at the harbour\n"},
             "times": {"created": "2024-02-03T08:00:00Z", "modified": "2024-02-05T09:30:00Z",
                       "accessed": "2024-02-06T10:00:00Z"}},
            {"id": "gone", "path": "/home/anna/keys.txt", "content": {"text": "the key is under the mat\n"},
             "deleted": True, "times": {"modified": "2024-02-07T11:00:00Z", "deleted": "2024-02-08T12:00:00Z"}},
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def ext4(tmp_path_factory):
    return build(tmp_path_factory.mktemp("ext4"), [_disk("ext4")])


def _istat(result, inode) -> str:
    return tsk("istat", result.artefacts["disk"], inode)


def test_ext4_inode_times_are_the_planned_ones(ext4):
    item = ext4.truth["items"]["kept"]
    text = _istat(ext4, item["inode"])
    assert "Accessed:\t2024-02-06 10:00:00.000000000 (UTC)" in text
    assert "File Modified:\t2024-02-05 09:30:00.000000000 (UTC)" in text
    assert "Inode Modified:\t2024-02-05 09:30:00.000000000 (UTC)" in text
    assert "File Created:\t2024-02-03 08:00:00.000000000 (UTC)" in text
    assert (item["mtime"], item["crtime"]) == ("2024-02-05T09:30:00Z", "2024-02-03T08:00:00Z")
    assert ext4.truth["artefacts"]["disk"]["filesystem"] == {"type": "ext4", "label": "home", "cluster_size": 1024}


def test_ext4_deleted_file_is_listed_but_its_content_is_gone_from_the_inode(ext4):
    item = ext4.truth["items"]["gone"]
    assert f"r/r * {item['inode']}:\thome/anna/keys.txt" in tsk("fls", "-r", "-p", ext4.artefacts["disk"])
    text = _istat(ext4, item["inode"])
    assert "Deleted:\t2024-02-08 12:00:00 (UTC)" in text and "size: 0" in text
    assert tsk("icat", ext4.artefacts["disk"], item["inode"]) == ""
    assert item["deleted"] and item["recoverable"] is False
    # the bytes are still in the freed block: carving finds them where truth says
    block = item["content"]["block"]
    assert tsk("blkcat", ext4.artefacts["disk"], block).startswith("the key is under the mat\n")


def test_ext2_deleted_file_is_still_recoverable_with_icat(tmp_path):
    result = build(tmp_path, [_disk("ext2")])
    item = result.truth["items"]["gone"]
    assert item["recoverable"] is True
    assert tsk("icat", result.artefacts["disk"], item["inode"]) == "the key is under the mat\n"


@pytest.mark.parametrize("fs", ["ext3", "ext4"])
def test_ext_rebuild_is_byte_identical(tmp_path, fs):
    first = build(tmp_path, [_disk(fs)], out="one")
    time.sleep(1.1)  # a leaked wall-clock time would show
    second = build(tmp_path, [_disk(fs)], out="two")
    assert first.artefacts["disk"].read_bytes() == second.artefacts["disk"].read_bytes()
    assert first.truth == second.truth


def test_ext_label_longer_than_16_bytes_is_a_recipe_error(tmp_path):
    disk = _disk("ext4")
    disk["filesystem"]["label"] = "a-very-long-volume-label"
    with pytest.raises(RecipeError, match=r"filesystem\.label: label 'a-very-long-volume-label' must be 1-16"):
        build(tmp_path, [disk])
