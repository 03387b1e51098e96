"""MBR logical partitions: the extended partition and its EBR chain, checked with mmls/fls, the kit and sfdisk."""

from __future__ import annotations

import copy
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from disk_helpers import build, tsk

from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError

SECTOR = 512
LOGICAL_DISK = {
    "id": "disk", "type": "disk", "file": "disk.dd", "size": "16MiB", "scheme": "mbr",
    "partitions": [
        {"id": "boot", "size": "2MiB", "filesystem": {"type": "fat12", "label": "BOOT"},
         "items": [{"id": "readme", "path": "/readme.txt", "content": {"text": "on a primary partition"}}]},
        {"id": "root", "size": "2MiB", "filesystem": {"type": "ext2", "label": "root"}},
        {"id": "docs", "size": "2MiB", "logical": True, "filesystem": {"type": "fat12", "label": "DOCS"},
         "items": [{"id": "ledger", "path": "/Docs/ledger.txt", "content": {"text": "cash ledger, logical one"}}]},
        {"id": "home", "size": "2MiB", "logical": True, "filesystem": {"type": "ext2", "label": "home"},
         "items": [{"id": "notes", "path": "/notes.txt", "content": {"text": "notes on the second logical"}}]},
        {"id": "stash", "size": "2MiB", "logical": True, "filesystem": {"type": "fat12", "label": "STASH"},
         "items": [{"id": "keys", "path": "/keys.txt", "content": {"text": "keys on the third logical"}}]},
    ],
}  # fmt: skip
# The first logical is deleted (left out of the chain), the second hidden, the container typed 0x05.
CHANGED_DISK = {
    "id": "disk", "type": "disk", "file": "changed.dd", "size": "12MiB", "scheme": "mbr", "extended_type": "0x05",
    "partitions": [
        {"id": "sys", "size": "2MiB", "filesystem": {"type": "fat12"}},
        {"id": "gone", "size": "2MiB", "logical": True, "deleted": True, "filesystem": {"type": "fat12"},
         "items": [{"id": "lost", "path": "/lost.txt", "content": {"text": "in a deleted logical partition"}}]},
        {"id": "veiled", "size": "2MiB", "logical": True, "hidden": True, "filesystem": {"type": "fat12"},
         "items": [{"id": "veil", "path": "/veil.txt", "content": {"text": "in a hidden logical partition"}}]},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def logical(tmp_path_factory):
    return build(tmp_path_factory.mktemp("logical"), [LOGICAL_DISK])


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    return build(tmp_path_factory.mktemp("changed"), [CHANGED_DISK])


def _mmls(image: Path) -> list[tuple[int, str, int, int, int, str]]:
    """Every mmls row: index, slot, start, end, length, description."""
    rows = []
    for line in tsk("mmls", image).splitlines():
        if line[:3].isdigit() and line[3] == ":":
            slot, start, end, length, description = line[4:].split(None, 4)
            rows.append((int(line[:3]), slot, int(start), int(end), int(length), description))
    return rows


def _kit(image: Path) -> list[tuple[int, str, int, int, int, str]]:
    with open_image(image) as opened:
        return [(p.index, p.slot, p.start, p.end, p.length, p.description) for p in opened.partitions()]


def _entries(sector: bytes) -> list[tuple[int, int, int]]:
    """(type, LBA start, length) of a boot sector's four entries, after checking its signature."""
    assert sector[510:] == b"\x55\xaa"
    return [(sector[446 + 16 * n + 4], *struct.unpack_from("<II", sector, 446 + 16 * n + 8)) for n in range(4)]


def test_mmls_shows_extended_partition_tables_and_logicals_as_the_kit_does(logical):
    image = logical.artefacts["disk"]
    rows = _mmls(image)
    assert rows == _kit(image)
    described = [(slot, description) for _i, slot, _s, _e, _l, description in rows if slot != "-------"]
    assert described == [
        ("Meta", "Primary Table (#0)"), ("000:000", "DOS FAT12 (0x01)"), ("000:001", "Linux (0x83)"),
        ("Meta", "Win95 Extended (0x0f)"), ("Meta", "Extended Table (#1)"), ("001:000", "DOS FAT12 (0x01)"),
        ("Meta", "DOS Extended (0x05)"), ("Meta", "Extended Table (#2)"), ("002:000", "Linux (0x83)"),
        ("Meta", "DOS Extended (0x05)"), ("Meta", "Extended Table (#3)"), ("003:000", "DOS FAT12 (0x01)"),
    ]  # fmt: skip


def test_truth_of_logicals_and_extended_partition_matches_mmls(logical):
    rows = {row[0]: row for row in _mmls(logical.artefacts["disk"])}
    disk = logical.truth["artefacts"]["disk"]
    parts = {p["id"]: p for p in disk["partitions"]}
    for part in parts.values():
        _index, slot, start, end, length, description = rows[part["index"]]
        assert (slot, start, end, length, description) == (
            part["slot"], part["start"], part["end"], part["length"], part["description"]
        )
    assert [parts[p]["slot"] for p in ("docs", "home", "stash")] == ["001:000", "002:000", "003:000"]
    assert [p["logical"] for p in disk["partitions"]] == [False, False, True, True, True]
    extended = disk["extended"]
    _index, slot, start, end, length, description = rows[extended["index"]]
    assert (slot, start, end, length, description) == ("Meta", extended["start"], extended["end"],
                                                       extended["length"], "Win95 Extended (0x0f)")  # fmt: skip
    assert extended["start"] == parts["docs"]["start"] - 2048 and extended["end"] == parts["stash"]["end"]
    tables = extended["tables"]
    assert [rows[t["index"]][5] for t in tables] == [f"Extended Table (#{n})" for n in (1, 2, 3)]
    assert [(t["sector"], t["partition"]) for t in tables] == [(parts[p]["ebr"], p) for p in ("docs", "home", "stash")]
    assert logical.truth["items"]["notes"]["partition"] == parts["home"]["index"]


def test_fls_and_the_kit_walk_list_the_planted_files_of_each_logical(logical):
    image = logical.artefacts["disk"]
    parts = {p["id"]: p for p in logical.truth["artefacts"]["disk"]["partitions"]}
    with open_image(image) as opened:
        for part, path in (("docs", "/Docs/ledger.txt"), ("home", "/notes.txt"), ("stash", "/keys.txt")):
            listed = tsk("fls", "-r", "-p", "-o", parts[part]["start"], image)
            assert path.lstrip("/") in [line.split("\t", 1)[1] for line in listed.splitlines()]
            assert path in {r.path for r in opened.walk(partition=parts[part]["index"])}
    item = logical.truth["items"]["keys"]
    assert tsk("icat", "-o", parts["stash"]["start"], image, item["inode"]) == "keys on the third logical"


def test_extended_entry_and_ebr_chain_are_written_byte_exactly(logical):
    raw = logical.artefacts["disk"].read_bytes()
    extended = logical.truth["artefacts"]["disk"]["extended"]
    parts = [p for p in logical.truth["artefacts"]["disk"]["partitions"] if p["logical"]]
    base = extended["start"]
    assert _entries(raw[:SECTOR])[2] == (0x0F, base, extended["length"])
    assert _entries(raw[:SECTOR])[3] == (0, 0, 0)
    for number, part in enumerate(parts):
        ebr = raw[part["ebr"] * SECTOR : part["ebr"] * SECTOR + SECTOR]
        assert ebr[:446] == bytes(446)
        entries = _entries(ebr)
        assert entries[0] == (0x01 if part["filesystem"] == "FAT12" else 0x83, 2048, part["length"])
        following = parts[number + 1] if number + 1 < len(parts) else None
        link = (0x05, following["ebr"] - base, following["end"] + 1 - following["ebr"]) if following else (0, 0, 0)
        assert entries[1] == link
        assert entries[2:] == [(0, 0, 0), (0, 0, 0)]


def test_sfdisk_writes_the_same_mbr_and_ebr_bytes_for_the_same_layout(logical, tmp_path):
    """util-linux is the reference: fed our table's dump, it must write every table sector the same."""
    if not shutil.which("sfdisk", path="/usr/sbin:/sbin:/usr/bin:/bin"):
        pytest.skip("sfdisk (fdisk package) is not installed")
    sfdisk = shutil.which("sfdisk", path="/usr/sbin:/sbin:/usr/bin:/bin")
    image = logical.artefacts["disk"]
    dump = subprocess.run([sfdisk, "-d", image], capture_output=True, text=True, check=True).stdout
    verify = subprocess.run([sfdisk, "--verify", image], capture_output=True, text=True, check=True)
    assert "No errors detected" in verify.stdout
    blank = tmp_path / "blank.dd"
    with open(blank, "wb") as out:
        out.truncate(image.stat().st_size)
    subprocess.run(
        [sfdisk, "-q", "--no-reread", "--no-tell-kernel", blank],
        input=dump.replace(str(image), str(blank)), text=True, capture_output=True, check=True,
    )  # fmt: skip
    ours, theirs = image.read_bytes(), blank.read_bytes()
    extended = logical.truth["artefacts"]["disk"]["extended"]
    for sector in [0, *(t["sector"] for t in extended["tables"])]:
        assert ours[sector * SECTOR : (sector + 1) * SECTOR] == theirs[sector * SECTOR : (sector + 1) * SECTOR], sector


def test_parted_reads_the_extended_partition_and_its_logicals(logical):
    parted = shutil.which("parted", path="/usr/sbin:/sbin:/usr/bin:/bin")
    if not parted:
        pytest.skip("parted is not installed")
    done = subprocess.run([parted, "-s", logical.artefacts["disk"], "unit", "s", "print"], capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert not done.stderr
    kinds = [line.split()[4] for line in done.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert kinds == ["primary", "primary", "extended", "logical", "logical", "logical"]


def test_logical_rebuild_is_byte_identical(logical, tmp_path):
    again = build(tmp_path, [LOGICAL_DISK])
    assert again.artefacts["disk"].read_bytes() == logical.artefacts["disk"].read_bytes()
    assert again.truth == logical.truth


def test_deleted_logical_leaves_the_chain_and_hidden_one_swaps_its_type(changed):
    image = changed.artefacts["disk"]
    assert _mmls(image) == _kit(image)
    disk = changed.truth["artefacts"]["disk"]
    gone, veiled = disk["partitions"][1], disk["partitions"][2]
    assert not gone["in_table"] and gone["index"] is None and gone["ebr"] is None
    assert veiled["type"] == "0x11" and veiled["description"] == "DOS FAT12 Hidden (0x11)"
    extended = disk["extended"]
    assert (extended["type"], extended["description"]) == ("0x05", "DOS Extended (0x05)")
    assert [(t["sector"], t["partition"]) for t in extended["tables"]] == [(extended["start"], "veiled")]
    ebr = _entries(image.read_bytes()[extended["start"] * SECTOR :][:SECTOR])
    assert ebr[0] == (0x11, veiled["start"] - extended["start"], veiled["length"]) and ebr[1] == (0, 0, 0)
    listing = tsk("fls", "-o", gone["start"], image)
    assert f"{changed.truth['items']['lost']['inode']}:\tlost.txt" in listing
    with open_image(image) as opened:
        assert "/veil.txt" in {r.path for r in opened.walk(partition=veiled["index"])}


def _disk(**changes) -> dict:
    disk = copy.deepcopy(LOGICAL_DISK)
    disk.update(changes)
    return disk


_PRIMARY = {"id": "x", "size": "1MiB"}
_LOGICAL = {"id": "y", "size": "1MiB", "logical": True}


@pytest.mark.parametrize(
    ("disk", "message"),
    [
        (_disk(scheme="gpt"), "partitions[2] (docs): logical: logical partitions need scheme mbr (this disk's "
                              "scheme is gpt)"),
        ({"id": "d", "type": "disk", "file": "d.dd", "size": "8MiB", "scheme": "none", "partitions": [_LOGICAL]},
         "partitions[0] (y): logical: logical partitions need scheme mbr (this disk's scheme is none)"),
        (_disk(partitions=[{**_PRIMARY, "id": f"p{n}"} for n in range(4)] + [_LOGICAL]),
         "at most 3 primary ones (got 4): the 4th entry is the extended partition"),
        (_disk(partitions=[_LOGICAL, _PRIMARY]), "partitions[1] (x): list primary partitions before the logical ones"),
        (_disk(partitions=[_PRIMARY], extended_type="0x0F"), "extended_type: no partition is marked 'logical: true'"),
        (_disk(scheme="gpt", partitions=[_PRIMARY], extended_type=5), "an extended partition needs scheme mbr"),
        (_disk(partitions=[{**_LOGICAL, "type": "0x0F"}]), "a logical partition cannot be an extended one itself"),
        (_disk(partitions=[_LOGICAL, {**_LOGICAL, "id": "z", "start": "3MiB"}]),
         "partitions[1] (z): logical partition at byte 3145728 needs its extended boot record 1 MiB before it"),
        (_disk(partitions=[{**_PRIMARY, "start": "4MiB"}, {**_LOGICAL, "start": "3MiB"},
                           {**_LOGICAL, "id": "z", "start": "7MiB"}]),
         "partitions[0] (x): partition 'x' overlaps the extended partition"),
        (_disk(partitions=[{**_PRIMARY, "id": f"p{n}"} for n in range(5)]),
         "at most 4 primary partitions (mark the others 'logical: true')"),
        (_disk(extended_type="0x85"), "unknown value '0x85'"),
    ],
)  # fmt: skip
def test_bad_logical_recipes_give_one_line_errors(tmp_path, disk, message):
    with pytest.raises(RecipeError) as caught:
        build(tmp_path, [disk])
    text = str(caught.value)
    assert message in text and "\n" not in text and "t-disk.yaml" in text
