"""``stat_entry`` and ``fklab disk stat`` against The Sleuth Kit's ``istat`` on tiny FAT16, ext4 and NTFS images.

istat prints allocation, size, times, owner and mode, and where the content lies
(FAT: sectors, ext: direct blocks, NTFS: each non-resident attribute's clusters);
ours must say the same, deleted entries included, and on NTFS give the
$FILE_NAME times istat shows beside the $STANDARD_INFORMATION ones.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_corpus import ROOT, skip_unless

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image, stat_entry
from forensics_kit.disk.stat import EntryStat
from forensics_kit.errors import NotFoundError

from .conftest import BuiltImage, MbrImage, need, run

REPO = Path(__file__).resolve().parents[2]
APFS = ROOT / "images" / "dfvfs" / "apfs.raw"
_TIME = re.compile(r"^(?P<label>[A-Za-z ]+):\t+(?P<value>\S+ \S+) \(UTC\)$")


def istat(image: Path, inode: int, *extra: str) -> str:
    """istat's text for one inode, times in UTC."""
    need("istat")
    return run("istat", "-z", "UTC", *extra, image, str(inode))


def iso(text: str) -> str | None:
    """istat's ``2026-11-28 15:30:31.114163000`` as the kit writes it: ``2026-11-28T15:30:31.114163Z``."""
    if text.startswith("0000-00-00"):
        return None
    day, clock = text.split(" ")
    if "." in clock:
        whole, fraction = clock.split(".")
        fraction = fraction.rstrip("0")
        clock = f"{whole}.{fraction}" if fraction else whole
    return f"{day}T{clock}Z"


def times(text: str) -> dict[str, str | None]:
    """The ``Label:\\tTIME (UTC)`` lines of one istat section, by label."""
    found = {}
    for line in text.splitlines():
        match = _TIME.match(line)
        if match:
            found[match["label"]] = iso(match["value"])
    return found


def section(text: str, title: str) -> str:
    """The lines of an istat section (up to the next blank line)."""
    return text.split(title, 1)[1].split("\n\n", 1)[0]


def numbers_after(text: str, title: str) -> list[int]:
    """The block numbers istat lists under a heading (``Sectors:``, ``Direct Blocks:``)."""
    return [int(n) for n in section(text, title).split()]


def blocks_of(entry: EntryStat) -> list[int]:
    """Every block of the content, run by run, as istat lists them one by one."""
    assert entry.blocks is not None
    return [run.first + i for run in entry.blocks.runs if not run.sparse for i in range(run.count)]


def stat(image: Path, path: str | None = None, **kwargs) -> EntryStat:
    with open_image(image) as img:
        return stat_entry(img, path, **kwargs)


# -- FAT16 ---------------------------------------------------------------------------------


@pytest.mark.crosscheck
@pytest.mark.parametrize("path", ["/Quarterly report 2024.docx", "/secret plan.txt", "/DOCS"])
def test_fat16_entry_equals_istat_allocation_size_times_and_sectors(fat16_image: BuiltImage, path: str) -> None:
    entry = stat(fat16_image.path, path)
    text = istat(fat16_image.path, entry.inode)
    assert entry.allocated == ("\nAllocated\n" in text)
    assert f"\nSize: {entry.size}\n" in text
    shown = times(text)
    assert (entry.times["mtime"], entry.times["atime"]) == (shown["Written"], shown["Accessed"])
    assert entry.times["crtime"].split(".")[0].rstrip("Z") == shown["Created"].rstrip("Z")  # istat drops the 10 ms
    assert blocks_of(entry) == numbers_after(text, "Sectors:\n")
    assert entry.blocks.block_size == 512 and entry.blocks.first.sector == blocks_of(entry)[0]


def test_deleted_fat_file_keeps_its_sectors_and_they_hold_its_content(fat16_image: BuiltImage) -> None:
    entry = stat(fat16_image.path, "/secret plan.txt")
    assert not entry.allocated and entry.type == "file" and entry.links == 0
    start = entry.blocks.first.image_offset
    with open(fat16_image.path, "rb") as raw:
        raw.seek(start)
        head = raw.read(entry.size)
    assert head == fat16_image.deleted["/secret plan.txt"]


# -- ext4 ----------------------------------------------------------------------------------


@pytest.mark.crosscheck
@pytest.mark.parametrize("path", ["/home/user/photo.jpg", "/home/user/evidence.txt", "/home/user"])
def test_ext4_entry_equals_istat_owner_mode_links_times_and_direct_blocks(ext4_image: BuiltImage, path: str) -> None:
    entry = stat(ext4_image.path, path)
    text = istat(ext4_image.path, entry.inode)
    assert entry.allocated == ("\nAllocated\n" in text)
    assert f"\nuid / gid: {entry.uid} / {entry.gid}\n" in text
    assert f"\nmode: {entry.mode}\n" in text
    assert f"\nsize: {entry.size}\n" in text
    assert f"\nnum of links: {entry.links}\n" in text
    shown = times(section(text, "Inode Times:\n"))
    assert entry.times == {
        "atime": shown["Accessed"], "mtime": shown["File Modified"], "ctime": shown["Inode Modified"],
        "crtime": shown["File Created"],
    }
    assert blocks_of(entry) == numbers_after(text, "Direct Blocks:\n")


def test_ext4_mode_and_octal_and_kind(ext4_image: BuiltImage) -> None:
    entry = stat(ext4_image.path, "/home/user")
    assert (entry.type, entry.mode[0], entry.mode_octal) == ("dir", "d", "0755")
    assert entry.sequence is None and entry.file_name_times is None


def test_deleted_ext4_file_by_inode_gives_its_blocks(ext4_image: BuiltImage) -> None:
    by_path = stat(ext4_image.path, "/home/user/evidence.txt")
    by_inode = stat(ext4_image.path, inode=by_path.inode)
    assert not by_inode.allocated and by_inode.path is None
    assert blocks_of(by_inode) == blocks_of(by_path) != []
    with open(ext4_image.path, "rb") as raw:
        raw.seek(by_inode.blocks.first.image_offset)
        assert raw.read(by_inode.size) == ext4_image.deleted["/home/user/evidence.txt"]


def test_partition_offset_is_in_the_image_offset_and_sector(mbr_image: MbrImage) -> None:
    with open_image(mbr_image.path) as img:
        index = next(p.index for p in img.partitions() if p.filesystem == "ext4")
        entry = stat_entry(img, "/home/user/photo.jpg", partition=index)
    first = entry.blocks.first
    assert first.image_offset == mbr_image.starts[1] * 512 + first.first * entry.blocks.block_size
    assert first.sector == first.image_offset // 512
    with open(mbr_image.path, "rb") as raw:
        raw.seek(first.image_offset)
        assert raw.read(4) == b"\xff\xd8\xff\xe0"


# -- NTFS ----------------------------------------------------------------------------------


def _attribute_lines(text: str) -> list[tuple[str, str | None, bool, int, list[int]]]:
    """(type-id, name, resident, size, clusters) of each attribute istat lists."""
    found = []
    body = text.split("Attributes: \n", 1)[1]
    for line in body.splitlines():
        match = re.match(r"Type: \S+ \((\d+-\d+)\)\s+Name: (.*?)\s+(Resident|Non-Resident)\s+size: (\d+)", line)
        if match:
            name = None if match[2] == "N/A" else match[2]
            found.append((match[1], name, match[3] == "Resident", int(match[4]), []))
        elif line.strip() and found:
            found[-1][4].extend(int(n) for n in line.split())
    return found


@pytest.mark.crosscheck
@pytest.mark.parametrize("path", ["/invoice.pdf", "/report.txt", "/"])
def test_ntfs_entry_equals_istat_times_file_name_times_and_attributes(ntfs_image: BuiltImage, path: str) -> None:
    entry = stat(ntfs_image.path, path)
    text = istat(ntfs_image.path, entry.inode)
    assert f"Sequence: {entry.sequence}\n" in text and f"\nLinks: {entry.links}\n" in text
    assert entry.allocated == ("Allocated " in text.split("\n\n")[0] and "Not Allocated" not in text)
    si = times(section(text, "$STANDARD_INFORMATION Attribute Values:\n"))
    fn = times(section(text, "$FILE_NAME Attribute Values:\n"))
    keys = {"Created": "crtime", "File Modified": "mtime", "MFT Modified": "ctime", "Accessed": "atime"}
    assert entry.times == {ours: si[label] for label, ours in keys.items()}
    assert entry.file_name_times == {ours: fn[label] for label, ours in keys.items()}
    ours = [
        (a.address, a.name, a.resident, a.size, [r.first + i for r in a.runs for i in range(r.count)])
        for a in entry.attributes
    ]
    assert ours == _attribute_lines(text)


def test_resident_ntfs_file_has_no_runs_and_says_resident(ntfs_image: BuiltImage) -> None:
    entry = stat(ntfs_image.path, "/report.txt")
    assert entry.blocks.resident and entry.blocks.runs == () and entry.blocks.first is None
    assert entry.blocks.attribute == "128-2"
    stream = stat(ntfs_image.path, "/report.txt:secret")
    assert stream.size == len(b"hidden payload") and stream.blocks.attribute != "128-2"


def test_non_resident_ntfs_file_gives_the_cluster_its_content_starts_at(ntfs_image: BuiltImage) -> None:
    entry = stat(ntfs_image.path, "/invoice.pdf")
    assert not entry.blocks.resident and entry.blocks.block_size == 4096
    with open(ntfs_image.path, "rb") as raw:
        raw.seek(entry.blocks.first.sector * 512)
        assert raw.read(8) == b"%PDF-1.4"


@pytest.mark.crosscheck
def test_timestomped_ntfs_file_shows_both_time_sets_as_istat_does(ntfs_user_image: BuiltImage) -> None:
    entry = stat(ntfs_user_image.path, "/Users/anna/Downloads/invoice.pdf")
    text = istat(ntfs_user_image.path, entry.inode)
    fn = times(section(text, "$FILE_NAME Attribute Values:\n"))
    assert entry.file_name_times["mtime"] == fn["File Modified"] == "2024-02-03T08:00:00Z"
    assert entry.times["mtime"] == "2024-02-05T09:30:00Z" != entry.file_name_times["mtime"]
    assert [n.name for n in entry.file_names] == ["invoice.pdf"] and entry.file_names[0].parent > 5


@pytest.mark.crosscheck
def test_deleted_ntfs_file_is_unallocated_with_istat_attributes(ntfs_user_image: BuiltImage) -> None:
    entry = stat(ntfs_user_image.path, "/Users/anna/wallet.txt")
    text = istat(ntfs_user_image.path, entry.inode)
    assert not entry.allocated and "Not Allocated File" in text
    assert [(a.address, a.resident, a.size) for a in entry.attributes] == [
        (address, resident, size) for address, _, resident, size, _ in _attribute_lines(text)
    ]


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "inode", "needle"),
    [("/nope.txt", None, "no 'nope.txt'"), (None, 0, "inode 0"), (None, 99_999, "no inode 99999")],
)
def test_missing_entries_are_not_found(ext4_image: BuiltImage, path: str | None, inode: int | None, needle: str):
    with pytest.raises(NotFoundError, match=needle):
        stat(ext4_image.path, path, inode=inode)


def test_path_and_inode_together_is_a_value_error(ext4_image: BuiltImage) -> None:
    with pytest.raises(ValueError):
        stat(ext4_image.path, "/etc.conf", inode=12)


# -- CLI -----------------------------------------------------------------------------------


def test_cli_prints_fields_attributes_and_runs(ntfs_image: BuiltImage) -> None:
    result = CliRunner().invoke(cli, ["--lang", "en", "disk", "stat", str(ntfs_image.path), "/invoice.pdf"])
    assert result.exit_code == 0, result.output
    entry = stat(ntfs_image.path, "/invoice.pdf")
    assert re.search(rf"sector\s+{entry.blocks.first.sector}\s", result.output)
    assert re.search(r"\$FILE_NAME crtime\s+\d{4}-", result.output)
    assert "$DATA" in result.output and "First block" in result.output


def test_cli_json_is_one_object_with_the_library_fields(ext4_image: BuiltImage) -> None:
    args = ["disk", "stat", str(ext4_image.path), "--inode", "15", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record == stat(ext4_image.path, inode=15).to_dict()
    assert record["allocated"] is False and record["blocks"]["runs"][0]["first"] == record["blocks"]["first_block"]


@pytest.mark.parametrize(
    ("args", "needle"), [(["/nope.txt"], "nope.txt"), (["--inode", "0"], "inode 0"), ([], "PATH or --inode")]
)
def test_cli_errors_are_one_line_with_exit_1_or_2(ext4_image: BuiltImage, args: list[str], needle: str) -> None:
    env = {**os.environ, "FKLAB_LANG": "en"}
    env.pop("FKLAB_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "forensics_kit.cli.main", "disk", "stat", str(ext4_image.path), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == (2 if not args else 1), proc.stderr
    assert "Traceback" not in proc.stderr
    if args:
        lines = [line for line in proc.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and needle in lines[0], proc.stderr
    else:
        assert needle in proc.stderr


# -- APFS (shared corpus, optional) --------------------------------------------------------


@pytest.mark.crosscheck
@skip_unless("images", "dfvfs", "apfs.raw")
def test_apfs_entry_blocks_owner_and_mode_equal_istat() -> None:
    entry = stat(APFS, "/passwords.txt")
    text = istat(APFS, entry.inode, "-P", "apfs", "-B", "107")
    assert f"Mode:\t{entry.mode}\n" in text and f"owner / group: {entry.uid} / {entry.gid}\n" in text
    assert f"Size:\t{entry.size}\n" in text
    assert blocks_of(entry) == _attribute_lines(text)[0][4]
    link = stat(APFS, "/a_link")
    assert link.type == "link" and link.link_target and link.blocks is not None and link.blocks.runs == ()
