"""Item actions (slack, overwrite, append after EOF, rename, ADS) and unallocated traces, checked with TSK."""

from __future__ import annotations

import hashlib

import pytest
from disk_helpers import build, needs_fuse, tsk, tsk_bytes

from forensics_kit.errors import RecipeError

JPEG_ZIP = {"generate": "jpeg"}
FAT_DISK = {
    "id": "disk", "type": "disk", "file": "usb.dd", "size": "16MiB", "scheme": "none",
    "filesystem": {"type": "fat16", "label": "USB"},
    "items": [
        {"id": "memo", "path": "/memo.txt", "content": {"text": "lunch at noon\n"},
         "slack": {"text": "account 40817810"}},
        {"id": "draft", "path": "/draft.txt", "content": {"text": "the shipment leaves on friday\n"},
         "deleted": True, "overwrite": {"offset": 4, "text": "XXXXXXXX"}},
        {"id": "photo", "path": "/DCIM/photo.jpg", "rename_to": "/DCIM/photo.txt", "content": JPEG_ZIP,
         "append_after_eof": {"generate": "zip", "files": {"list.txt": {"text": "buyers"}}}},
    ],
    "unallocated": [{"id": "fragment", "content": {"text": "fragment of an old chat: see you at 9"}}],
}  # fmt: skip


@pytest.fixture(scope="module")
def fat(tmp_path_factory):
    return build(tmp_path_factory.mktemp("fat"), [FAT_DISK])


def _ext4(tmp_path):
    disk = {**FAT_DISK, "file": "ext.dd", "filesystem": {"type": "ext4", "label": "data"}}
    return build(tmp_path, [disk])


def _check_slack(result, item_id):
    image = result.artefacts["disk"]
    item = result.truth["items"][item_id]
    slack = item["slack"]
    blocks = tsk("istat", image, item["inode"])
    assert str(slack["block"]) in blocks.split()  # the slack block is one of the file's blocks
    block = tsk_bytes("blkcat", image, slack["block"])
    within = slack["image_offset"] - slack["block"] * slack["block_size"]
    assert block[within : within + slack["size"]] == slack["text"].encode()
    assert image.read_bytes()[slack["image_offset"] : slack["image_offset"] + slack["size"]] == slack["text"].encode()
    assert tsk_bytes("icat", image, item["inode"]) == b"lunch at noon\n"  # the size did not change


def test_slack_text_is_in_the_last_block_after_the_end_of_file_fat(fat):
    _check_slack(fat, "memo")


def test_slack_text_is_in_the_last_block_after_the_end_of_file_ext4(tmp_path):
    _check_slack(_ext4(tmp_path), "memo")


def test_overwritten_deleted_file_recovers_with_the_new_bytes(fat):
    item = fat.truth["items"]["draft"]
    recovered = tsk_bytes("icat", fat.artefacts["disk"], item["inode"])
    assert recovered == b"the XXXXXXXX leaves on friday\n"
    assert item["sha256"] == hashlib.sha256(recovered).hexdigest() != item["original_sha256"]
    assert "* " + str(item["inode"]) in tsk("fls", "-r", fat.artefacts["disk"])


def test_appended_zip_follows_the_jpeg_and_the_name_lies(fat):
    item = fat.truth["items"]["photo"]
    data = tsk_bytes("icat", fat.artefacts["disk"], item["inode"])
    appended = item["appended"]
    assert data[: appended["file_offset"]].endswith(b"\xff\xd9")
    tail = data[appended["file_offset"] :]
    assert tail.startswith(b"PK\x03\x04") and hashlib.sha256(tail).hexdigest() == appended["sha256"]
    assert item["path"] == "/DCIM/photo.txt" and item["original_name"] == "photo.jpg" and item["true_type"] == "jpeg"
    assert item["size"] == len(data)


def test_unallocated_trace_is_in_a_free_block_where_truth_says(fat):
    trace = fat.truth["items"]["fragment"]
    image = fat.artefacts["disk"]
    assert tsk_bytes("blkcat", image, trace["block"]).startswith(b"fragment of an old chat: see you at 9")
    assert "Not Allocated" in tsk("blkstat", image, trace["block"])
    assert trace["sector"] * 512 == trace["image_offset"]


def test_unallocated_trace_on_ext4(tmp_path):
    result = _ext4(tmp_path)
    trace = result.truth["items"]["fragment"]
    assert tsk_bytes("blkcat", result.artefacts["disk"], trace["block"]).startswith(b"fragment of an old chat")
    assert "Not Allocated" in tsk("blkstat", result.artefacts["disk"], trace["block"])


@needs_fuse
def test_slack_of_a_non_resident_ntfs_file(tmp_path):
    disk = {
        "id": "disk", "type": "disk", "file": "n.dd", "size": "8MiB", "filesystem": {"type": "ntfs"},
        "items": [{"id": "memo", "path": "/memo.txt", "content": {"generate": "bytes", "size": 5000},
                   "slack": {"text": "hidden in NTFS slack"}}],
    }  # fmt: skip
    result = build(tmp_path, [disk])
    slack = result.truth["items"]["memo"]["slack"]
    block = tsk_bytes("blkcat", result.artefacts["disk"], slack["block"])
    assert block[5000 - 4096 : 5000 - 4096 + slack["size"]] == b"hidden in NTFS slack"


def test_alternate_data_stream_on_fat_is_a_recipe_error(tmp_path):
    disk = {**FAT_DISK, "items": [{"id": "x", "path": "/x.txt", "content": {"text": "x"},
                                   "ads": {"name": "s", "content": {"text": "y"}}}]}  # fmt: skip
    with pytest.raises(RecipeError) as caught:
        build(tmp_path, [disk])
    assert "items[0] (x): ads: alternate data streams need NTFS, not fat16" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_slack_longer_than_the_room_left_is_a_recipe_error(tmp_path):
    disk = {**FAT_DISK, "unallocated": [],
            "items": [{"id": "x", "path": "/x.txt", "content": {"text": "x" * 2040}, "slack": {"text": "0123456789"}}]}
    with pytest.raises(RecipeError, match=r"items\[0\] \(x\): slack of /x.txt .* 10 bytes do not fit in the 8 bytes"):
        build(tmp_path, [disk])


def test_overwrite_past_the_end_is_a_recipe_error(tmp_path):
    disk = {**FAT_DISK, "unallocated": [],
            "items": [{"id": "x", "path": "/x.txt", "content": {"text": "abc"},
                       "overwrite": {"offset": 2, "text": "zz"}}]}  # fmt: skip
    with pytest.raises(RecipeError, match="pass the end of the 3-byte file"):
        build(tmp_path, [disk])
