"""exFAT volumes: entries written by the builder, read back by The Sleuth Kit; deletion, times, rebuilds."""

from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
import time

import pytest
from disk_helpers import build, tsk, tsk_bytes

from forensics_kit.errors import BuildError, RecipeError

LONG_NAME = "Quartalsbericht Übersicht 2024 (endgültig).pdf"
EXFAT_DISK = {
    "id": "disk", "type": "disk", "file": "stick.dd", "size": "8MiB", "scheme": "none",
    "filesystem": {"type": "exfat", "label": "USBSTICK"},
    "items": [
        {"id": "plan", "path": "/Projects/Harbour/plan.txt", "content": {"text": "meet at the harbour\n"},
         "times": {"created": "2024-02-03T08:00:00Z", "modified": "2024-02-05T09:30:00Z",
                   "accessed": "2024-02-06T10:00:00Z"},
         "slack": {"text": "pier 7"}},
        {"id": "report", "path": f"/Projects/{LONG_NAME}", "content": {"generate": "bytes", "size": 9000},
         "times": {"modified": "2024-02-04T12:00:01Z"}},
        {"id": "keys", "path": "/keys.txt", "content": {"text": "the key is under the mat\n" * 300},
         "deleted": True, "times": {"modified": "2024-02-07T11:00:00Z", "deleted": "2024-02-08T12:00:00Z"}},
    ],
    "unallocated": [{"id": "note", "content": {"text": "wire the money on friday"}}],
}  # fmt: skip


@pytest.fixture(scope="module")
def stick(tmp_path_factory):
    return build(tmp_path_factory.mktemp("exfat"), [EXFAT_DISK])


def _fls(result) -> dict[str, str]:
    """fls -r -p lines by path: the ``r/r 123:`` or ``r/r * 123:`` head of each."""
    lines = tsk("fls", "-r", "-p", result.artefacts["disk"]).splitlines()
    return {line.split(":\t", 1)[1]: line.split(":\t", 1)[0] for line in lines if ":\t" in line}


def test_fls_lists_the_planted_files_with_the_truth_inodes_and_deleted_flags(stick):
    listing, items = _fls(stick), stick.truth["items"]
    assert listing["Projects/Harbour/plan.txt"] == f"r/r {items['plan']['inode']}"
    assert listing[f"Projects/{LONG_NAME}"] == f"r/r {items['report']['inode']}"
    assert listing["keys.txt"] == f"r/r * {items['keys']['inode']}"
    assert listing["Projects"].startswith("d/d ")
    assert (items["keys"]["deleted"], items["plan"]["deleted"]) == (True, False)
    assert stick.truth["artefacts"]["disk"]["deleted_paths"] == ["/keys.txt"]


def test_icat_reads_the_planted_bytes_and_the_deleted_contiguous_file_is_recoverable(stick):
    image, items = stick.artefacts["disk"], stick.truth["items"]
    assert tsk("icat", image, items["plan"]["inode"]) == "meet at the harbour\n"
    report = tsk_bytes("icat", image, items["report"]["inode"])
    assert len(report) == items["report"]["size"] == 9000
    assert hashlib.sha256(report).hexdigest() == items["report"]["sha256"]
    assert tsk("icat", image, items["keys"]["inode"]) == "the key is under the mat\n" * 300
    assert items["keys"]["recoverable"] is True


def test_fsstat_reports_exfat_with_the_label_and_truth_agrees(stick):
    text = tsk("fsstat", stick.artefacts["disk"])
    assert "File System Type: exFAT" in text
    assert "Volume Label (from root directory): USBSTICK" in text
    assert stick.truth["artefacts"]["disk"]["filesystem"] == {"type": "exFAT", "label": "USBSTICK",
                                                              "cluster_size": 4096}


def test_entry_times_are_the_planned_ones(stick):
    item = stick.truth["items"]["plan"]
    text = tsk("istat", stick.artefacts["disk"], item["inode"])
    assert "Written:\t2024-02-05 09:30:00 (UTC)" in text
    assert "Accessed:\t2024-02-06 10:00:00 (UTC)" in text
    assert "Created:\t2024-02-03 08:00:00 (UTC)" in text
    assert (item["mtime"], item["atime"], item["crtime"]) == (
        "2024-02-05T09:30:00Z", "2024-02-06T10:00:00Z", "2024-02-03T08:00:00Z"
    )
    # an odd second lives in the 10 ms increment field (pytsk3 reads it; TSK 4.11's istat drops it)
    assert stick.truth["items"]["report"]["mtime"] == "2024-02-04T12:00:01Z"


def test_slack_and_unallocated_traces_sit_where_truth_says(stick):
    raw = stick.artefacts["disk"].read_bytes()
    slack = stick.truth["items"]["plan"]["slack"]
    assert raw[slack["image_offset"] : slack["image_offset"] + 6] == b"pier 7"
    assert tsk("icat", stick.artefacts["disk"], stick.truth["items"]["plan"]["inode"]) == "meet at the harbour\n"
    note = stick.truth["items"]["note"]
    assert raw[note["image_offset"] : note["image_offset"] + note["size"]] == b"wire the money on friday"
    cluster_heap, per_cluster = struct.unpack_from("<I", raw, 88)[0], 1 << raw[109]
    assert (note["block"] - cluster_heap) % per_cluster == 0  # traces start on a cluster


@pytest.mark.skipif(not shutil.which("fsck.exfat"), reason="fsck.exfat (exfatprogs) is not installed")
def test_fsck_finds_the_volume_clean(stick):
    done = subprocess.run(["fsck.exfat", "-n", stick.artefacts["disk"]], capture_output=True, text=True)
    assert done.returncode == 0 and "clean" in done.stdout


def test_exfat_rebuild_is_byte_identical_and_the_serial_comes_from_the_seed(stick, tmp_path):
    time.sleep(1.1)  # a leaked wall-clock time would show
    again = build(tmp_path, [EXFAT_DISK], out="again")
    assert again.artefacts["disk"].read_bytes() == stick.artefacts["disk"].read_bytes()
    assert again.truth == stick.truth
    other = build(tmp_path, [EXFAT_DISK], out="other", seed=99)
    serial = lambda p: p.read_bytes()[100:104]  # noqa: E731
    assert serial(other.artefacts["disk"]) != serial(stick.artefacts["disk"])


def test_exfat_partition_in_a_gpt_disk(tmp_path):
    disk = {
        "id": "disk", "type": "disk", "file": "gpt.dd", "size": "12MiB", "scheme": "gpt",
        "partitions": [{"id": "data", "size": "8MiB", "filesystem": {"type": "exfat", "label": "DATA"},
                        "items": [{"id": "memo", "path": "/memo.txt", "content": {"text": "memo\n"},
                                   "rename_to": "/memo.jpg"}]}],
    }  # fmt: skip
    result = build(tmp_path, [disk])
    part = result.truth["artefacts"]["disk"]["partitions"][0]
    assert (part["filesystem"], part["label"], part["type"]) == (
        "exFAT", "DATA", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
    )
    memo = result.truth["items"]["memo"]
    assert memo["path"] == "/memo.jpg" and memo["original_name"] == "memo.txt"
    start = str(part["start"])
    assert "memo.jpg" in tsk("fls", "-o", start, result.artefacts["disk"])
    assert tsk("icat", "-o", start, result.artefacts["disk"], memo["inode"]) == "memo\n"
    raw = result.artefacts["disk"].read_bytes()
    assert struct.unpack_from("<Q", raw, part["offset"] + 64)[0] == part["start"]  # PartitionOffset


def test_exfat_label_longer_than_11_characters_is_a_recipe_error(tmp_path):
    disk = {**EXFAT_DISK, "filesystem": {"type": "exfat", "label": "A-VERY-LONG-LABEL"}}
    with pytest.raises(RecipeError, match=r"filesystem\.label: label 'A-VERY-LONG-LABEL' must be 1-11"):
        build(tmp_path, [disk])


def test_exfat_name_with_a_colon_is_a_recipe_error(tmp_path):
    disk = {**EXFAT_DISK, "items": [{"id": "x", "path": "/a:b.txt", "content": {"text": "x"}}]}
    with pytest.raises(RecipeError, match=r"'a:b\.txt' is not a valid exFAT file name"):
        build(tmp_path, [disk])


def test_many_files_grow_the_root_directory_and_the_mbr_volume_stays_consistent(tmp_path):
    items = [{"id": f"f{n}", "path": f"/photo {n:03d} from the holiday.txt", "content": {"text": f"{n}\n"}}
             for n in range(50)]  # 50 sets of 4 entries: more than the root's first 4 KiB cluster
    items.append({"id": "empty", "path": "/Empty/none.txt", "content": {"text": ""}, "deleted": True})
    disk = {"id": "disk", "type": "disk", "file": "mbr.dd", "size": "8MiB", "scheme": "mbr",
            "partitions": [{"id": "p1", "size": "4MiB", "filesystem": {"type": "exfat"}, "items": items}]}
    result = build(tmp_path, [disk])
    part = result.truth["artefacts"]["disk"]["partitions"][0]
    assert (part["type"], part["filesystem"]) == ("0x07", "exFAT")
    listing = tsk("fls", "-r", "-p", "-o", part["start"], result.artefacts["disk"])
    assert sum("photo " in line for line in listing.splitlines()) == 50
    assert f"r/r * {result.truth['items']['empty']['inode']}:\tEmpty/none.txt" in listing
    if shutil.which("fsck.exfat"):
        volume = tmp_path / "p1.img"
        volume.write_bytes(result.artefacts["disk"].read_bytes()[part["offset"] : part["offset"] + (4 << 20)])
        done = subprocess.run(["fsck.exfat", "-n", volume], capture_output=True, text=True)
        assert done.returncode == 0 and "files 50" in done.stdout


def test_a_file_and_a_folder_differing_only_in_case_are_refused(tmp_path):
    items = [{"id": "a", "path": "/Notes", "content": {"text": "a"}},
             {"id": "b", "path": "/notes/todo.txt", "content": {"text": "b"}}]
    with pytest.raises(BuildError, match=r"/Notes: /notes is already there \(exFAT names ignore case\)"):
        build(tmp_path, [{**EXFAT_DISK, "items": items}])
