"""timeline: our bodyfile is fls -r -m's, and mactime reads it into the same rows as our timeline."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest

from forensics_kit.disk import open_image
from forensics_kit.disk.timeline import bodyfile, parse_bound, timeline, zone
from forensics_kit.errors import ForensicsKitError

from .conftest import need, run


def _ours(path, partition=None) -> list[str]:
    with open_image(path) as img:
        return [entry.to_line() for entry in bodyfile(img, partition)]


def _mactime(body: str) -> list[tuple]:
    need("mactime")
    proc = subprocess.run(
        ["mactime", "-d", "-y", "-z", "UTC"], input=body, capture_output=True, text=True, check=True,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )
    rows = list(csv.reader(io.StringIO(proc.stdout)))[1:]
    return sorted((r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows)


@pytest.mark.crosscheck
@pytest.mark.parametrize("fixture", ["fat16_image", "ext4_image"])
def test_bodyfile_equals_fls_m_line_for_line(fixture, request):
    built = request.getfixturevalue(fixture)
    need("fls")
    theirs = run("fls", "-r", "-m", "/", built.path).splitlines()
    ours = _ours(built.path)
    assert sorted(ours) == sorted(theirs)
    assert any(line.split("|")[1].endswith(" (deleted)") for line in ours)


@pytest.mark.crosscheck
def test_bodyfile_of_each_partition_equals_fls_at_its_offset(mbr_image):
    need("fls")
    for index, start in zip((2, 3), mbr_image.starts, strict=True):
        theirs = run("fls", "-r", "-m", "/", "-o", str(start), mbr_image.path).splitlines()
        assert sorted(_ours(mbr_image.path, index)) == sorted(theirs)


@pytest.mark.crosscheck
@pytest.mark.parametrize("fixture", ["fat16_image", "ext4_image"])
def test_mactime_gives_the_same_rows_for_our_bodyfile_and_our_timeline(fixture, request):
    built = request.getfixturevalue(fixture)
    need("fls")
    ours = "\n".join(_ours(built.path)) + "\n"
    rows = _mactime(ours)
    assert rows == _mactime(run("fls", "-r", "-m", "/", built.path))
    with open_image(built.path) as img:
        events = timeline(bodyfile(img))
    mine = sorted(
        (e.time, str(e.size), e.macb, e.mode, str(e.uid), str(e.gid), str(e.inode), e.name) for e in events
    )
    assert mine == [row for row in rows if not row[0].startswith("0000")]  # we leave unset (0) times out


def test_display_zone_changes_the_text_not_the_instant(ext4_image):
    with open_image(ext4_image.path) as img:
        entries = list(bodyfile(img))
    utc = timeline(entries)
    moscow = timeline(entries, tz="Europe/Moscow")
    assert [e.epoch for e in utc] == [e.epoch for e in moscow]
    assert utc[0].time.endswith("Z") and moscow[0].time.endswith("+03:00")


def test_from_to_keep_only_times_within_the_range(fat16_image):
    with open_image(fat16_image.path) as img:
        entries = list(bodyfile(img))
    events = timeline(entries)
    first, last = events[0].epoch, events[-1].epoch
    assert first < last  # FAT access dates are midnight, other times later that day
    only_first = timeline(entries, start=first, end=first)
    assert only_first and {e.epoch for e in only_first} == {first}
    assert {e.epoch for e in timeline(entries, start=first + 1)} == {e.epoch for e in events} - {first}


def test_bounds_parse_dates_as_whole_days_in_the_zone():
    assert parse_bound("2024-03-01", zone("UTC")) == 1709251200
    assert parse_bound("2024-03-01", zone("UTC"), end=True) == 1709251200 + 86399
    assert parse_bound("2024-03-01T10:00", zone("Europe/Moscow")) == 1709251200 + 7 * 3600
    assert parse_bound("2024-03-01T10:00Z", zone("Europe/Moscow")) == 1709251200 + 10 * 3600
    with pytest.raises(ForensicsKitError, match="not an ISO date"):
        parse_bound("yesterday", zone("UTC"))
    with pytest.raises(ForensicsKitError, match="unknown time zone"):
        zone("Mars/Olympus")


@pytest.mark.crosscheck
def test_bodyfile_writes_a_symbolic_links_target_as_fls_m_does(tmp_path):
    need("fls")
    need("mke2fs")
    tree = tmp_path / "tree"
    (tree / "docs").mkdir(parents=True)
    (tree / "docs" / "plan.txt").write_text("meet at 9\n")
    (tree / "plan-link").symlink_to("docs/plan.txt")
    image = tmp_path / "links.img"
    env = {"E2FSPROGS_FAKE_TIME": "1700000000", "PATH": "/usr/sbin:/sbin:/usr/bin:/bin"}
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-d", str(tree), str(image), "4M"], check=True,
                   capture_output=True, env=env)
    ours = _ours(image)
    assert any(line.split("|")[1] == "/plan-link -> docs/plan.txt" for line in ours)
    assert sorted(ours) == sorted(run("fls", "-r", "-m", "/", str(image)).splitlines())
