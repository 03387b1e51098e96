"""MBR and GPT disks: partitions, a wiped entry, a hidden type, gap data - checked with mmls/fsstat."""

from __future__ import annotations

import struct
import zlib

import pytest
from disk_helpers import build, tsk

from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError

MBR_DISK = {
    "id": "disk", "type": "disk", "file": "disk.dd", "size": "24MiB", "scheme": "mbr",
    "gap_data": [{"id": "gapnote", "content": {"text": "PIN 4711 hidden in the MBR gap"}}],
    "partitions": [
        {"id": "data", "size": "9MiB", "filesystem": {"type": "fat16", "label": "DATA"},
         "items": [{"id": "a", "path": "/a.txt", "content": {"text": "on the FAT partition"}}]},
        {"id": "sys", "size": "4MiB", "hidden": True, "filesystem": {"type": "ntfs", "label": "Recovery"}},
        {"id": "old", "size": "4MiB", "deleted": True, "filesystem": {"type": "ext2", "label": "old"},
         "items": [{"id": "o", "path": "/secret.txt", "content": {"text": "in a deleted partition"}}]},
    ],
}  # fmt: skip
GPT_DISK = {
    "id": "disk", "type": "disk", "file": "gpt.dd", "size": "16MiB", "scheme": "gpt",
    "partitions": [
        {"id": "efi", "size": "2MiB", "name": "EFI system", "filesystem": {"type": "fat12", "label": "EFI"}},
        {"id": "home", "start": "5MiB", "size": "6MiB", "filesystem": {"type": "ext4", "label": "home"},
         "items": [{"id": "h", "path": "/notes.txt", "content": {"text": "ext4 on GPT"}}]},
    ],
    "gap_data": [{"id": "between", "offset": 3145728, "content": {"text": "between partitions"}}],
}  # fmt: skip


@pytest.fixture(scope="module")
def mbr(tmp_path_factory):
    return build(tmp_path_factory.mktemp("mbr"), [MBR_DISK])


@pytest.fixture(scope="module")
def gpt(tmp_path_factory):
    return build(tmp_path_factory.mktemp("gpt"), [GPT_DISK])


def _mmls_rows(image) -> dict[int, list[str]]:
    rows = {}
    for line in tsk("mmls", image).splitlines():
        if line[:3].isdigit() and line[3] == ":":
            rows[int(line[:3])] = line.split(None, 5)[1:]
    return rows


def test_mbr_partitions_in_truth_are_numbered_and_placed_like_mmls(mbr):
    rows = _mmls_rows(mbr.artefacts["disk"])
    listed = [p for p in mbr.truth["artefacts"]["disk"]["partitions"] if p["in_table"]]
    assert [p["id"] for p in listed] == ["data", "sys"]
    for part in listed:
        slot, start, end, length, description = rows[part["index"]]
        assert (int(start), int(end), int(length)) == (part["start"], part["end"], part["length"])
        assert description == part["description"]
    assert mbr.truth["artefacts"]["disk"]["partitions"][0]["filesystem"] == "FAT16"
    assert mbr.truth["items"]["a"]["partition"] == listed[0]["index"]


def test_hidden_partition_has_the_type_windows_does_not_mount(mbr):
    sys = mbr.truth["artefacts"]["disk"]["partitions"][1]
    assert sys["type"] == "0x17" and sys["hidden"]
    assert "0x17" in _mmls_rows(mbr.artefacts["disk"])[sys["index"]][-1]
    assert "NTFS" in tsk("fsstat", "-o", sys["start"], mbr.artefacts["disk"])


def test_wiped_entry_leaves_its_file_system_where_truth_says(mbr):
    old = mbr.truth["artefacts"]["disk"]["partitions"][2]
    assert old["deleted"] and not old["in_table"] and old["index"] is None
    rows = _mmls_rows(mbr.artefacts["disk"])
    assert all(int(r[1]) != old["start"] or r[0] == "-------" for r in rows.values())
    assert "Ext2" in tsk("fsstat", "-o", old["start"], mbr.artefacts["disk"])
    listing = tsk("fls", "-o", old["start"], mbr.artefacts["disk"])
    inode = mbr.truth["items"]["o"]["inode"]
    assert f"{inode}:\tsecret.txt" in listing
    assert tsk("icat", "-o", old["start"], mbr.artefacts["disk"], inode) == "in a deleted partition"


def test_gap_data_lies_in_the_unallocated_space_before_the_first_partition(mbr):
    gap = mbr.truth["items"]["gapnote"]
    data = mbr.artefacts["disk"].read_bytes()
    assert data[gap["image_offset"] : gap["image_offset"] + gap["size"]] == b"PIN 4711 hidden in the MBR gap"
    assert _mmls_rows(mbr.artefacts["disk"])[gap["unallocated_index"]][0] == "-------"
    assert gap["sector"] < mbr.truth["artefacts"]["disk"]["partitions"][0]["start"]


def test_gpt_entries_names_and_crcs(gpt):
    image = gpt.artefacts["disk"]
    truth = gpt.truth["artefacts"]["disk"]["partitions"]
    rows = _mmls_rows(image)
    assert [rows[p["index"]][-1] for p in truth] == ["EFI system", "Linux filesystem"]
    assert truth[1]["start"] == 5 * 2048
    raw = image.read_bytes()
    header = bytearray(raw[512:604])
    assert header[:8] == b"EFI PART"
    crc = struct.unpack_from("<I", header, 16)[0]
    header[16:20] = b"\0\0\0\0"
    assert zlib.crc32(header) == crc
    assert zlib.crc32(raw[1024 : 1024 + 128 * 128]) == struct.unpack_from("<I", raw, 512 + 88)[0]
    backup = raw[-512:]
    assert backup[:8] == b"EFI PART"
    with open_image(image) as opened:
        assert [f.type for f in opened.filesystems()] == ["FAT12", "ext4"]
    assert gpt.truth["items"]["between"]["image_offset"] == 3145728


def test_gpt_guids_come_from_the_seed(gpt, tmp_path):
    again = build(tmp_path, [GPT_DISK])
    first = [p["guid"] for p in gpt.truth["artefacts"]["disk"]["partitions"]]
    assert first == [p["guid"] for p in again.truth["artefacts"]["disk"]["partitions"]]
    assert len(set(first)) == 2
    assert again.artefacts["disk"].read_bytes() == gpt.artefacts["disk"].read_bytes()
    other = build(tmp_path, [GPT_DISK], out="other", seed=8)
    assert first != [p["guid"] for p in other.truth["artefacts"]["disk"]["partitions"]]


def test_mbr_rebuild_is_byte_identical(mbr, tmp_path):
    again = build(tmp_path, [MBR_DISK])
    assert again.artefacts["disk"].read_bytes() == mbr.artefacts["disk"].read_bytes()
    assert again.truth == mbr.truth


def _with(disk: dict, **changes) -> dict:
    import copy

    out = copy.deepcopy(disk)
    for key, value in changes.items():
        out[key] = value
    return out


@pytest.mark.parametrize(
    ("partitions", "message"),
    [
        ([{"id": "a", "size": "8MiB"}, {"id": "b", "start": "4MiB", "size": "8MiB"}], "partitions 'a' and 'b' overlap"),
        ([{"id": "a", "size": "30MiB"}], "does not fit in the usable area"),
        ([{"id": "a", "size": "4MiB", "filesystem": {"type": "hfs"}}], "unknown value 'hfs'"),
        ([{"id": f"p{n}", "size": "1MiB"} for n in range(5)], "at most 4 primary partitions"),
        (
            [{"id": "a", "size": "2MiB", "filesystem": {"type": "fat12"},
              "items": [{"id": "big", "path": "/big.bin", "content": {"generate": "bytes", "size": 3145728}}]}],
            "does not fit",
        ),
    ],
)  # fmt: skip
def test_bad_partition_recipes_give_one_line_errors(tmp_path, partitions, message):
    disk = _with(MBR_DISK, partitions=partitions, gap_data=[])
    with pytest.raises(RecipeError) as caught:
        build(tmp_path, [disk])
    text = str(caught.value)
    assert message in text and "\n" not in text and "t-disk.yaml" in text


def test_scheme_none_with_partitions_is_refused(tmp_path):
    disk = {"id": "d", "type": "disk", "file": "d.dd", "size": "8MiB", "scheme": "none",
            "partitions": [{"id": "a", "size": "4MiB"}]}  # fmt: skip
    with pytest.raises(RecipeError, match="scheme none holds one file system"):
        build(tmp_path, [disk])
