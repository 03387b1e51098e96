"""timestomp: backdated $STANDARD_INFORMATION times next to the real $FILE_NAME ones, checked with TSK and ntfs-3g."""

from __future__ import annotations

import copy
import re
import shutil
import struct
import subprocess
import time

import pytest
import yaml
from builder_paths import DATASETS
from disk_helpers import build, needs_fuse, tsk

from forensics_kit.disk import open_image
from forensics_kit.disk.timeline import bodyfile
from forensics_kit.errors import RecipeError

CREATED, MODIFIED, ACCESSED = "2024-03-10T14:22:05Z", "2024-03-10T14:25:00Z", "2024-03-11T09:00:00Z"
STOMP = {"created": "2019-12-07T09:10:11Z", "modified": "2019-12-07T09:10:11.5Z",
         "accessed": "2020-01-02T03:04:05Z", "changed": "2019-12-07T09:10:12Z"}  # fmt: skip
TIMES = {"created": CREATED, "modified": MODIFIED, "accessed": ACCESSED}
NTFS_DISK = {
    "id": "disk", "type": "disk", "file": "stomp.dd", "size": "8MiB", "scheme": "none",
    "filesystem": {"type": "ntfs", "label": "Windows"},
    "items": [
        {"id": "dropper", "path": "/Windows/Temp/svchost.exe", "content": {"generate": "bytes", "size": 5000},
         "times": TIMES, "timestomp": STOMP},
        {"id": "notes", "path": "/Users/anna/notes.txt", "content": {"text": "meet at the docks\n"},
         "times": TIMES, "timestomp": {"modified": "2020-05-05T05:05:05Z"}},
        {"id": "gone", "path": "/Users/anna/old.txt", "content": {"text": "delete me\n"}, "deleted": True,
         "times": {**TIMES, "deleted": "2024-03-12T00:00:00Z"}, "timestomp": {"created": "2018-01-01T00:00:00Z"}},
    ],
}  # fmt: skip


@pytest.fixture(scope="module")
def stomped(tmp_path_factory):
    return build(tmp_path_factory.mktemp("stomp"), [NTFS_DISK])


def _istat_times(image, inode: int) -> tuple[dict[str, str], dict[str, str]]:
    """$STANDARD_INFORMATION and $FILE_NAME times of ``istat`` (``2019-12-07 09:10:11.500000000``)."""
    labels = {"Created": "created", "File Modified": "modified", "MFT Modified": "changed", "Accessed": "accessed"}
    text = tsk("istat", image, inode)
    standard, file_name = text.split("$FILE_NAME Attribute Values:")
    sections = []
    for section in (standard.split("$STANDARD_INFORMATION Attribute Values:")[1], file_name.split("Attributes:")[0]):
        found = {}
        for line in section.splitlines():
            label, _, value = line.partition(":\t")
            if label in labels:
                found[labels[label]] = value.removesuffix(" (UTC)")
        sections.append(found)
    return sections[0], sections[1]


def _istat_form(iso: str) -> str:
    """``2019-12-07T09:10:11.5Z`` as istat prints it."""
    whole, _, fraction = iso.rstrip("Z").partition(".")
    return whole.replace("T", " ") + "." + fraction.ljust(9, "0")


def _epoch(iso: str) -> int:
    from forensics_kit.timefmt import parse_iso

    return int(parse_iso(iso).timestamp())


@needs_fuse
def test_istat_shows_the_stomped_standard_information_and_the_real_file_name_times(stomped):
    item = stomped.truth["items"]["dropper"]
    si, fn = _istat_times(stomped.artefacts["disk"], item["inode"])
    assert si == {field: _istat_form(value) for field, value in STOMP.items()}
    assert set(fn.values()) == {_istat_form(CREATED)}  # ntfs-3g wrote every $FILE_NAME time at creation
    assert item["timestomp"]["si"] == STOMP
    assert item["timestomp"]["fn"] == dict.fromkeys(("created", "modified", "changed", "accessed"), CREATED)
    assert item["timestomp"]["si_before"]["created"] == CREATED
    assert item["timestomp"]["si_before"]["modified"] == MODIFIED


@needs_fuse
def test_times_left_out_of_timestomp_keep_their_planted_values(stomped):
    item = stomped.truth["items"]["notes"]
    si, _fn = _istat_times(stomped.artefacts["disk"], item["inode"])
    assert si["modified"] == _istat_form("2020-05-05T05:05:05Z")
    assert (si["created"], si["accessed"]) == (_istat_form(CREATED), _istat_form(ACCESSED))
    assert item["timestomp"]["si"] == {**item["timestomp"]["si_before"], "modified": "2020-05-05T05:05:05Z"}


@needs_fuse
def test_a_deleted_file_keeps_its_stomped_time(stomped):
    item = stomped.truth["items"]["gone"]
    si, fn = _istat_times(stomped.artefacts["disk"], item["inode"])
    assert item["deleted"] and si["created"] == _istat_form("2018-01-01T00:00:00Z") == _istat_form(item["crtime"])
    assert fn["created"] == _istat_form(CREATED)


@needs_fuse
def test_fls_m_and_our_bodyfile_show_stomped_si_and_real_file_name_lines(stomped):
    image = stomped.artefacts["disk"]
    item = stomped.truth["items"]["dropper"]
    fls = [line for line in tsk("fls", "-r", "-m", "/", image).splitlines() if "svchost.exe" in line]
    si_line = next(line.split("|") for line in fls if "($FILE_NAME)" not in line)
    fn_line = next(line.split("|") for line in fls if "/Windows/Temp/svchost.exe ($FILE_NAME)|" in line)
    # bodyfile columns: atime|mtime|ctime|crtime in epoch seconds (fractions cut)
    assert si_line[7:] == [str(_epoch(STOMP[k])) for k in ("accessed", "modified", "changed", "created")]
    assert fn_line[7:] == [str(_epoch(CREATED))] * 4
    with open_image(image) as img:
        ours = [entry.to_line() for entry in bodyfile(img) if "svchost.exe" in entry.name]
    assert sorted(ours) == sorted(fls)
    assert item["inode"] == int(si_line[2].split("-")[0])


@needs_fuse
def test_walk_records_and_truth_carry_the_stomped_times(stomped):
    item = stomped.truth["items"]["dropper"]
    with open_image(stomped.artefacts["disk"]) as img:
        record = next(r for r in img.walk() if r.path == "/Windows/Temp/svchost.exe" and r.stream is None)
    stomped_times = (STOMP["modified"], STOMP["accessed"], STOMP["created"])
    assert (record.mtime, record.atime, record.crtime) == stomped_times
    assert (item["mtime"], item["atime"], item["crtime"]) == stomped_times


def _record(image: bytes, offset: int) -> tuple[int, int, list[int], int]:
    """(update sequence number, its array's offset, stride ends, $SI content offset) of the record at ``offset``."""
    usa, count, first = *struct.unpack_from("<HH", image, offset + 4), struct.unpack_from("<H", image, offset + 20)[0]
    usn = struct.unpack_from("<H", image, offset + usa)[0]
    ends = [offset + 512 * n - 2 for n in range(1, count)]
    attribute = offset + first
    while struct.unpack_from("<I", image, attribute)[0] != 0x10:
        attribute += struct.unpack_from("<I", image, attribute + 4)[0]
    return usn, offset + usa, ends, attribute + struct.unpack_from("<H", image, attribute + 20)[0]


@needs_fuse
def test_fixups_are_redone_so_tsk_and_ntfs_3g_read_the_records(stomped):
    image = stomped.artefacts["disk"]
    data = image.read_bytes()
    for item_id in ("dropper", "notes", "gone"):
        item = stomped.truth["items"][item_id]
        offset = item["timestomp"]["image_offset"]
        assert data[offset : offset + 4] == b"FILE" and offset == item["timestomp"]["sector"] * 512
        usn, _array, ends, _si = _record(data, offset)
        assert all(data[end : end + 2] == struct.pack("<H", usn) for end in ends)
        tsk("istat", image, item["inode"])  # exits 1 on an update sequence mismatch
    tsk("fsstat", image)
    if shutil.which("ntfsinfo"):
        done = subprocess.run(["ntfsinfo", "-i", str(stomped.truth["items"]["dropper"]["inode"]), image],
                              capture_output=True, text=True, check=True)  # fmt: skip
        assert not done.stderr.strip() and "Sat Dec  7 09:10:11 2019 UTC" in done.stdout
    if not shutil.which("ntfsfix"):
        pytest.skip("ntfsfix (ntfs-3g) is not installed")
    subprocess.run(["ntfsfix", "--no-action", image], capture_output=True, check=True)


@needs_fuse
def test_only_the_standard_information_times_and_the_fixups_change(stomped, tmp_path):
    """$FILE_NAME, the directory index entries and $MFTMirr stay as an unstomped build wrote them."""
    plain = copy.deepcopy(NTFS_DISK)
    for item in plain["items"]:
        del item["timestomp"]
    before = build(tmp_path, [plain]).artefacts["disk"].read_bytes()
    after = stomped.artefacts["disk"].read_bytes()
    changed = {n for block in range(0, len(after), 4096) if before[block : block + 4096] != after[block : block + 4096]
               for n in range(block, block + 4096) if before[n] != after[n]}  # fmt: skip
    allowed: set[int] = set()
    for item in NTFS_DISK["items"]:
        _usn, array, ends, si = _record(after, stomped.truth["items"][item["id"]]["timestomp"]["image_offset"])
        allowed |= set(range(array, array + 2 + 2 * len(ends))) | {e + k for e in ends for k in (0, 1)}
        for field in item["timestomp"]:  # FILETIMEs in the order created, modified, changed, accessed
            start = si + 8 * ("created", "modified", "changed", "accessed").index(field)
            allowed |= set(range(start, start + 8))
    assert changed and changed <= allowed
    dropper_si = _record(after, stomped.truth["items"]["dropper"]["timestomp"]["image_offset"])[3]
    assert changed & set(range(dropper_si, dropper_si + 32))


@needs_fuse
def test_timestomped_ntfs_rebuilds_byte_identically(stomped, tmp_path):
    time.sleep(1.1)
    again = build(tmp_path, [NTFS_DISK])
    assert again.artefacts["disk"].read_bytes() == stomped.artefacts["disk"].read_bytes()
    assert again.truth == stomped.truth


def _error(tmp_path, disk) -> str:
    with pytest.raises(RecipeError) as caught:
        build(tmp_path, [disk])
    message = str(caught.value)
    assert "\n" not in message and "t-disk.yaml" in message
    return message


def _one_item(fs: str, stomp: dict) -> dict:
    return {"id": "disk", "type": "disk", "file": "x.dd", "size": "16MiB", "scheme": "none",
            "filesystem": {"type": fs},
            "items": [{"id": "tool", "path": "/tool.exe", "content": {"text": "MZ"}, "timestomp": stomp}]}  # fmt: skip


@pytest.mark.parametrize("fs", ["fat16", "ext4", "exfat"])
def test_timestomp_outside_ntfs_is_a_recipe_error(tmp_path, fs):
    message = _error(tmp_path, _one_item(fs, {"created": "2019-01-01T00:00:00Z"}))
    assert f"items[0] (tool): timestomp: $STANDARD_INFORMATION times are NTFS metadata, not {fs}" in message


@pytest.mark.parametrize(
    ("stomp", "problem"),
    [
        ({"modified": "last tuesday"}, "timestomp.modified: bad time 'last tuesday'"),
        ({"accessed": "1969-12-31T23:59:59Z"}, "timestomp.accessed: time 1969-12-31T23:59:59Z must lie between 1970"),
        ({"changed": "2107-01-01T00:00:00Z"}, "timestomp.changed: time 2107-01-01T00:00:00Z must lie between"),
    ],
)
def test_bad_timestomp_time_is_a_recipe_error(tmp_path, stomp, problem):
    assert f"items[0] (tool): {problem}" in _error(tmp_path, _one_item("ntfs", stomp))


def test_timestomp_needs_a_known_time_key(tmp_path):
    assert "timestomp" in _error(tmp_path, _one_item("ntfs", {"born": "2019-01-01T00:00:00Z"}))
    assert "timestomp" in _error(tmp_path, _one_item("ntfs", {}))


@needs_fuse
def test_the_guide_example_builds_and_shows_the_stomp(tmp_path):
    text = (DATASETS / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(- id: tool\n.*?)```", text, re.S)
    assert block, "the timestomp example of datasets/README.md is missing"
    disk = {**_one_item("ntfs", {}), "items": yaml.safe_load(block.group(1))}
    result = build(tmp_path, [disk])
    item = result.truth["items"]["tool"]
    si, fn = _istat_times(result.artefacts["disk"], item["inode"])
    assert set(si.values()) == {"2019-12-07 09:10:11.000000000"} and fn["created"] == "2024-03-10 14:22:05.000000000"
    assert item["timestomp"]["fn"]["created"] == "2024-03-10T14:22:05Z" and item["crtime"] == "2019-12-07T09:10:11Z"
