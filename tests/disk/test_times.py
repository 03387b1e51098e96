"""Times and sizes in walk() records: same text as timefmt.iso_utc, same values as fls -m."""

from __future__ import annotations

import re
import time

import pytest
from shared_corpus import corpus_path

from forensics_kit.disk import open_image
from forensics_kit.disk.walker import _iso
from forensics_kit.timefmt import iso_utc, parse_iso

from .conftest import need, run, tsk_name
from .test_corpus import LISTED, _open

FAT_IN_LOCAL_TIME = time.timezone != 0 or time.daylight != 0
# Entries whose times differ between the recorded TSK 4.11 (fls) and pytsk3's TSK 4.15:
# $MFT's $STANDARD_INFORMATION times lie in 2076 (3373865674); 4.15 reads them as unset.
VERSION_DIFFERENCES = {("windows_volume.qcow2", "/$MFT")}


@pytest.mark.parametrize(
    ("seconds", "nanoseconds"),
    [
        (0, 0),
        (0, 5),
        (1, 0),
        (-1, 0),
        (1709287200, 0),
        (1709287200, 500_000_000),
        (1709287200, 123_456_789),
        (1709287200, 1),
        (1709287199, 1_500_000_000),
        (4102444800, 0),
    ],
)
def test_fast_time_format_writes_the_same_text_as_iso_utc(seconds, nanoseconds):
    assert _iso(seconds, nanoseconds) == iso_utc(seconds, nanoseconds)


def test_out_of_range_time_from_a_damaged_entry_gives_none():
    assert _iso(1 << 50, 0) is None


def _seconds(value: str | None) -> int:
    return int(parse_iso(value).timestamp()) if value else 0


def _ours(img, partition=None) -> set[tuple]:
    return {
        (
            tsk_name(r.path),
            r.inode,
            r.size,
            _seconds(r.atime),
            _seconds(r.mtime),
            _seconds(r.ctime),
            _seconds(r.crtime),
        )
        for r in img.walk(partition)
    }


def parse_body(text: str) -> set[tuple]:
    """(path, inode, size, atime, mtime, ctime, crtime) of ``fls -m / -r`` lines."""
    rows = set()
    for line in text.splitlines():
        fields = line.split("|")
        if len(fields) != 11 or fields[1].endswith(" ($FILE_NAME)"):
            continue
        path = re.sub(r" \(deleted(-realloc)?\)$", "", fields[1]).split(" -> ")[0]  # link target
        inode = int(fields[2].split("-")[0])
        rows.add((path, inode, *map(int, fields[6:11])))
    return rows


@pytest.mark.crosscheck
def test_times_and_sizes_match_fls_bodyfile_on_ext4(ext4_image):
    need("fls")
    expected = parse_body(run("fls", "-m", "/", "-r", ext4_image.path))
    with open_image(ext4_image.path) as img:
        assert _ours(img) == expected


@pytest.mark.crosscheck
@pytest.mark.parametrize("name", LISTED)
def test_times_and_sizes_match_recorded_bodyfile(name):
    if name == "bdetogo.raw" and FAT_IN_LOCAL_TIME:
        pytest.skip("TSK reads FAT times in the local time zone; the expected file used TZ=UTC")
    with _open(name) as img:
        for fs in img.filesystems():
            body = corpus_path("expected", "images", "dfvfs", f"{name}.fls.o{fs.offset // 512}.body.txt")
            expected = parse_body(body.read_text("utf-8", "backslashreplace"))
            ours = _ours(img, fs.partition)
            skip = {path for image, path in VERSION_DIFFERENCES if image == name}
            differing = {row[0] for row in ours ^ expected}
            assert differing <= skip
            assert {r for r in ours if r[0] not in skip} == {r for r in expected if r[0] not in skip}
