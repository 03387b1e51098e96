"""timeline: our bodyfile is fls -r -m's, and mactime reads it into the same rows as our timeline.

On NTFS that includes the ``ADDR-TYPE-ID`` inodes, the ``NAME ($FILE_NAME)`` lines with the
$FILE_NAME times, and the ``-`` name type of deleted and orphan names.
"""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, datetime

import pytest
from shared_corpus import corpus_path

from forensics_kit.disk import open_image
from forensics_kit.disk.timeline import bodyfile, parse_bound, timeline, zone
from forensics_kit.disk.tsk_meta import filetime_iso, nt_seconds
from forensics_kit.errors import ForensicsKitError

from .conftest import _ntfs_3g_usable, need, run

INVOICE = "/Users/anna/Downloads/invoice.pdf"


# fls 4.11 (Debian 12's sleuthkit, which also wrote the corpus's answers) wraps an unset NTFS
# FILETIME to 3373865674 (2076-11-29); TSK 4.13 and later, pytsk3's included, and our bodyfile
# write 0. Only that one value is read back as 0 in fls's output: anything else must agree.
_FLS_411_UNSET = "3373865674"


def _tsk(lines: list[str]) -> list[str]:
    """fls -m lines with fls 4.11's wrapped unset time read as 0."""
    out = []
    for line in lines:
        fields = line.split("|")
        if len(fields) == 11:
            fields[7:] = ["0" if value == _FLS_411_UNSET else value for value in fields[7:]]
        out.append("|".join(fields))
    return out


def _ours(path, partition=None) -> list[str]:
    with open_image(path) as img:
        return [entry.to_line() for entry in bodyfile(img, partition)]


def _lines_by_name(path) -> dict[str, list[str]]:
    """Our bodyfile's fields, keyed by the name column."""
    return {fields[1]: fields for fields in (line.split("|") for line in _ours(path))}


def _istat_file_name_times(image, inode: int) -> list[int]:
    """(atime, mtime, ctime, crtime) of the $FILE_NAME section of ``istat``, read independently of pytsk3."""
    need("istat")
    section = run("istat", image, str(inode)).split("$FILE_NAME Attribute Values:")[1].split("Attributes:")[0]
    stamps = {}
    for line in section.splitlines():
        label, _, value = line.partition(":\t")
        if value.endswith("(UTC)"):
            moment = datetime.strptime(value[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            stamps[label] = int(moment.timestamp())
    return [stamps["Accessed"], stamps["File Modified"], stamps["MFT Modified"], stamps["Created"]]


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def _mactime(body: str) -> list[tuple]:
    need("mactime")
    proc = subprocess.run(
        ["mactime", "-d", "-y", "-z", "UTC"], input=body, capture_output=True, text=True, check=True,
        env={"TZ": "UTC", "PATH": "/usr/bin:/bin"},
    )
    rows = list(csv.reader(io.StringIO(proc.stdout)))[1:]
    return sorted((r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows)


@pytest.mark.crosscheck
@pytest.mark.parametrize(
    "fixture", ["fat16_image", "ext4_image", "ntfs_image", "ntfs_user_image", "ntfs_names_image"]
)
def test_bodyfile_equals_fls_m_line_for_line(fixture, request):
    built = request.getfixturevalue(fixture)
    need("fls")
    theirs = _tsk(run("fls", "-r", "-m", "/", built.path).splitlines())
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
@pytest.mark.parametrize("fixture", ["fat16_image", "ext4_image", "ntfs_user_image"])
def test_mactime_gives_the_same_rows_for_our_bodyfile_and_our_timeline(fixture, request):
    built = request.getfixturevalue(fixture)
    need("fls")
    ours = "\n".join(_ours(built.path)) + "\n"
    rows = _mactime(ours)
    assert rows == _mactime("\n".join(_tsk(run("fls", "-r", "-m", "/", built.path).splitlines())) + "\n")
    with open_image(built.path) as img:
        events = timeline(bodyfile(img))
    mine = sorted(
        (e.time, str(e.size), e.macb, e.mode, str(e.uid), str(e.gid), e.address, e.name) for e in events
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


@pytest.mark.crosscheck
def test_ntfs_file_name_line_carries_the_file_name_times_not_the_standard_information_ones(ntfs_user_image):
    lines = _lines_by_name(ntfs_user_image.path)
    data, file_name = lines[INVOICE], lines[f"{INVOICE} ($FILE_NAME)"]
    inode = int(data[2].split("-")[0])
    assert data[2].startswith(f"{inode}-128-") and file_name[2].startswith(f"{inode}-48-")
    assert [int(t) for t in file_name[7:11]] == _istat_file_name_times(ntfs_user_image.path, inode)
    created = _epoch("2024-02-03T08:00:00Z")
    assert [int(t) for t in file_name[7:11]] == [created] * 4  # $FN keeps the creation time in all four
    assert [int(t) for t in data[7:11]][:2] == [_epoch("2024-02-06T10:00:00Z"), _epoch("2024-02-05T09:30:00Z")]
    assert (data[3], data[6]) == ("r/rrwxrwxrwx", str(len(ntfs_user_image.files[INVOICE])))
    assert file_name[3] == data[3] and int(file_name[6]) > 66  # the $FILE_NAME attribute's own size
    stream = lines[f"{INVOICE}:Zone.Identifier"]
    assert stream[2].startswith(f"{inode}-128-") and stream[2] != data[2]
    assert f"{INVOICE}:Zone.Identifier ($FILE_NAME)" not in lines  # one $FILE_NAME line per name


@pytest.mark.crosscheck
def test_deleted_and_orphan_ntfs_names_start_their_mode_with_a_dash(ntfs_user_image):
    lines = _lines_by_name(ntfs_user_image.path)
    deleted = [f for name, f in lines.items() if name.startswith("/Users/anna/wallet.txt")]
    assert sorted(f[1] for f in deleted) == ["/Users/anna/wallet.txt ($FILE_NAME) (deleted)",
                                             "/Users/anna/wallet.txt (deleted)"]
    orphans = [f for name, f in lines.items() if name.startswith("/$OrphanFiles/OrphanFile-")]
    assert orphans
    assert {f[3][:3] for f in deleted + orphans} == {"-/r"}
    assert lines[INVOICE][3].startswith("r/r") and lines["/Users/anna"][3].startswith("d/d")
    with open_image(ntfs_user_image.path) as img:
        record = next(r for r in img.walk() if r.path == "/Users/anna/wallet.txt")
    keys = "partition path name inode size type allocated mtime atime ctime crtime stream".split()
    assert record.to_dict()["type"] == "file" and list(record.to_dict()) == keys  # no raw name type in the JSON


@pytest.mark.crosscheck
def test_bodyfile_of_the_lab_ntfs_laptop_equals_fls_m(build):
    need("fls")
    if not _ntfs_3g_usable():
        pytest.skip("disk-03 is written through ntfs-3g with FUSE (root, /dev/fuse)")
    image = build("disk-03", None) / "laptop.dd"
    with open_image(image) as img:
        (fs,) = img.filesystems()
    ours = _ours(image, fs.partition)
    assert sorted(ours) == sorted(_tsk(run("fls", "-r", "-m", "/", "-o", str(fs.offset // 512), image).splitlines()))
    assert any(" ($FILE_NAME) (deleted)|" in line for line in ours)


@pytest.mark.crosscheck
@pytest.mark.parametrize("name", ["vsstest.qcow2", "windows_volume.qcow2"])
def test_bodyfile_of_real_ntfs_equals_recorded_fls_m(name):
    image = corpus_path("images", "dfvfs", name)
    body = corpus_path("expected", "images", "dfvfs", f"{name}.fls.o0.body.txt")
    expected = _tsk(body.read_text("utf-8", "backslashreplace").splitlines())
    assert sorted(_ours(image)) == sorted(expected)


@pytest.mark.crosscheck
def test_file_name_line_is_the_last_one_that_is_not_a_dos_alias(ntfs_names_image):
    need("istat")
    lines = _lines_by_name(ntfs_names_image.path)
    for name in ("/Long report name.txt", "/target.txt", "/hardlink copy.txt"):
        inode = lines[name][2].split("-")[0]
        text = run("istat", ntfs_names_image.path, inode)
        # istat shows each $FILE_NAME's name and then the attribute list, both in the entry's order.
        names = [row.split("Name: ", 1)[1] for row in text.split("Attributes:")[0].splitlines()
                 if row.startswith("Name: ")]
        ids = [row.split("(48-")[1].split(")")[0] for row in text.splitlines() if "$FILE_NAME (48-" in row]
        assert len(names) == len(ids) == 2  # Win32 name + its 8.3 alias, or two hard-link names
        wanted = [i for n, i in zip(names, ids, strict=True) if n != "LONGRE~1.TXT"][-1]
        assert lines[f"{name} ($FILE_NAME)"][2] == f"{inode}-48-{wanted}"
    assert "LONGRE~1.TXT" not in "".join(lines)  # the alias is no name of its own


def test_filetimes_convert_to_epoch_seconds_and_unset_times_to_zero():
    assert nt_seconds(116_444_736_000_000_000) == 0
    assert nt_seconds(116_444_736_000_000_000 + 19_999_999) == 1  # whole seconds, truncated
    assert nt_seconds(133_568_832_730_000_000) == _epoch("2024-04-06T13:21:13Z")
    assert nt_seconds(0) == 0  # unset: not 2076-11-29 as fls 4.11 wrote it
    assert nt_seconds(116_444_736_000_000_000 - 1) == 0  # before 1970


def test_filetime_text_keeps_seven_digits_and_is_none_when_unset_or_out_of_range():
    assert filetime_iso(133_568_832_731_234_567) == "2024-04-06T13:21:13.1234567Z"
    assert filetime_iso(0) is None and filetime_iso(116_444_736_000_000_000) is None
    assert filetime_iso(2**64 - 1) is None  # a crafted $FILE_NAME time past year 9999
