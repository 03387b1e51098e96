"""APFS (corpus apfs.raw) read with pyfsapfs, against ``fls -P apfs -B 107`` and ``pstat``.

pytsk3 cannot open APFS pools, so these show the kit lists the same names and
inodes as The Sleuth Kit's APFS support, with the same sizes and times, reads
content, writes the same bodyfile, exports, signature-checks and hashes files,
and finds the container inside a partition or at a given sector.
"""

from __future__ import annotations

import csv
import hashlib
import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_corpus import ROOT, skip_unless

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.disk.apfs import ApfsFileSystem, walk_apfs
from forensics_kit.disk.export import export_files
from forensics_kit.disk.hashset import HashSet, match_hashset
from forensics_kit.disk.records import FileSystemInfo
from forensics_kit.disk.signatures import check_signatures
from forensics_kit.disk.timeline import bodyfile, timeline
from forensics_kit.errors import EvidenceError, NotFoundError
from forensics_kit.timefmt import parse_iso

from .conftest import parse_fls

APFS = ROOT / "images" / "dfvfs" / "apfs.raw"
EXPECTED = ROOT / "expected" / "images" / "dfvfs"
pytestmark = skip_unless("images", "dfvfs", "apfs.raw")
PASSWORDS = b"place,user,password\nbank,joesmith,superrich\n"


@pytest.fixture(scope="module")
def image():
    with open_image(APFS) as img:
        yield img


@pytest.mark.crosscheck
def test_walk_matches_recorded_fls_paths_and_inodes(image):
    ours = [(r.path, r.inode, r.allocated) for r in image.walk()]
    expected_text = (EXPECTED / "apfs.raw.fls.apsb107.txt").read_text()
    assert set(ours) == parse_fls(expected_text)
    # and in the same depth-first order as fls prints them
    assert [p for p, _, _ in ours] == ["/" + line.split(":\t", 1)[1] for line in expected_text.splitlines()]


@pytest.mark.crosscheck
def test_sizes_and_times_match_recorded_bodyfile(image):
    ours = {r.path: r for r in image.walk()}
    for line in (EXPECTED / "apfs.raw.fls.apsb107.body.txt").read_text().splitlines():
        _, name, inode, _, _, _, size, atime, mtime, ctime, crtime = line.split("|")
        record = ours[name.split(" -> ")[0]]
        assert (record.inode, record.size) == (int(inode), int(size))
        times = [record.atime, record.mtime, record.ctime, record.crtime]
        assert [int(parse_iso(t).timestamp()) for t in times] == [int(atime), int(mtime), int(ctime), int(crtime)]


def test_volume_is_listed_like_pstat(image):
    assert image.filesystems() == [FileSystemInfo(None, 0, "APFS", "apfs_test", 4096, 1014)]
    assert image.partitions() == []
    kinds = {r.path: r.type for r in image.walk()}
    assert (kinds["/a_directory"], kinds["/passwords.txt"], kinds["/a_link"]) == ("dir", "file", "other")


def test_file_is_read_by_path_and_by_inode(image):
    assert image.read("/passwords.txt").startswith(PASSWORDS)
    assert len(image.read("/passwords.txt")) == 116
    assert image.read(inode=17) == b"This is a text file.\n\nWe should be able to parse it.\n"
    assert image.read("/A_DIRECTORY/another_file") == image.read(inode=19)  # this volume ignores case
    chunks = list(image.iter_content("/passwords.txt", chunk_size=50))
    assert [len(c) for c in chunks] == [50, 50, 16]


def test_directory_reads_empty_and_missing_path_is_not_found(image):
    assert image.read("/a_directory") == b""
    with pytest.raises(NotFoundError, match="no such path in the APFS volume 'apfs_test'"):
        image.read("/nope.txt")
    with pytest.raises(NotFoundError, match="inode 9999"):
        image.read(inode=9999)


def test_tsk_only_tools_name_the_apfs_volume_instead_of_failing(image):
    with pytest.raises(NotFoundError, match="no file system TSK can read"):
        image._select(None)  # noqa: SLF001 - what block maps call


@pytest.mark.crosscheck
def test_bodyfile_equals_recorded_fls_m_line_for_line(image):
    ours = [entry.to_line() for entry in bodyfile(image)]
    expected = (EXPECTED / "apfs.raw.fls.apsb107.body.txt").read_text().splitlines()
    assert sorted(ours) == sorted(expected)  # modes, uid/gid, sizes, times and the link target


def test_timeline_of_apfs_has_every_file_at_its_time(image):
    events = timeline(bodyfile(image))
    assert {e.name for e in events} >= {"/passwords.txt", "/a_directory/a_file", "/a_directory"}
    assert {(e.time, e.macb) for e in events} == {("2022-01-14T07:19:41Z", "macb")}


def test_export_of_apfs_files_equals_their_content_with_manifest_hashes(image, tmp_path):
    report = export_files(image, tmp_path, paths=["/passwords.txt", "/a_directory/*"])
    by_path = {f.path: f for f in report.files}
    assert set(by_path) == {
        "/passwords.txt", "/a_directory/a_file", "/a_directory/another_file", "/a_directory/a_resourcefork"
    }
    for path, exported in by_path.items():
        data = (tmp_path / exported.exported_as).read_bytes()
        assert data == image.read(path) and exported.size == len(data)
        assert exported.md5 == hashlib.md5(data).hexdigest()
    assert (tmp_path / "passwords.txt").read_bytes().startswith(PASSWORDS)
    rows = {r["path"]: r for r in csv.DictReader(Path(report.manifest_csv).open(encoding="utf-8"))}
    assert {p: r["sha256"] for p, r in rows.items()} == {p: f.sha256 for p, f in by_path.items()}


def test_sigcheck_on_apfs_names_the_gzip_fsevents_logs(image):
    found = {(m.path, m.inode, m.detected) for m in check_signatures(image)}
    assert found == {("/.fseventsd/000000001714941a", 25, "gzip"), ("/.fseventsd/000000001714941b", 26, "gzip")}


def test_hashset_on_apfs_finds_the_file(image):
    known = HashSet("known.txt", {"sha256": {hashlib.sha256(image.read(inode=17)).hexdigest(): "a_file"}})
    (match,) = match_hashset(image, known)
    assert (match.path, match.inode, match.label) == ("/a_directory/a_file", 17, "a_file")


def test_shadow_copy_of_an_apfs_volume_is_one_clear_error(image, tmp_path):
    assert image.shadow_copies() == []
    with pytest.raises(NotFoundError, match="no volume shadow copies on the APFS volume 'apfs_test'"):
        export_files(image, tmp_path, paths=["/passwords.txt"], shadow=1)


def test_encrypted_volume_gives_one_line_evidence_error():
    info = FileSystemInfo(None, 0, "APFS", "Macintosh HD", 4096, 1014)
    locked = ApfsFileSystem(object(), info, "mac.dd", None, [], locked=True)
    with pytest.raises(EvidenceError, match="'Macintosh HD' is encrypted") as caught:
        list(walk_apfs(locked))
    assert "\n" not in str(caught.value) and str(caught.value).startswith("mac.dd: ")


def _mbr_disk(path: Path, start: int, sectors: int, kind: int) -> None:
    """A disk with one MBR partition of type ``kind`` holding apfs.raw at sector ``start``."""
    entry = struct.pack("<B3sB3sII", 0, b"\0\0\0", kind, b"\0\0\0", start, sectors)
    mbr = bytes(446) + entry + bytes(48) + b"\x55\xaa"
    path.write_bytes(mbr + bytes((start - 1) * 512) + APFS.read_bytes() + bytes(512 * 8))


def test_container_inside_a_partition_is_found(tmp_path):
    disk = tmp_path / "mac.dd"
    _mbr_disk(disk, 2048, APFS.stat().st_size // 512, 0xAF)
    with open_image(disk) as img:
        (fs,) = img.filesystems()
        part = img.partitions()[fs.partition]
        assert (fs.type, fs.offset, part.filesystem) == ("APFS", 2048 * 512, "APFS")
        assert {r.inode for r in img.walk(fs.partition)} == {16, 17, 18, 19, 20, 21, 22, 23, 25, 26}
        assert img.read("/passwords.txt", partition=fs.partition).startswith(PASSWORDS)


def test_container_at_a_given_sector_is_found(tmp_path):
    blank = tmp_path / "wiped.dd"
    blank.write_bytes(bytes(4096 * 512) + APFS.read_bytes())
    with open_image(blank, offset=4096) as img:
        (fs,) = img.filesystems()
        assert (fs.type, fs.offset, fs.partition) == ("APFS", 4096 * 512, None)
        assert img.read("/passwords.txt").startswith(PASSWORDS)


def test_cli_lists_and_cats_apfs():
    runner = CliRunner()
    listing = runner.invoke(cli, ["disk", "ls", str(APFS), "--json"])
    assert listing.exit_code == 0, listing.output
    rows = [json.loads(line) for line in listing.output.splitlines()]
    assert {r["path"] for r in rows} >= {"/passwords.txt", "/a_directory/a_file", "/.fseventsd/fseventsd-uuid"}
    cat = runner.invoke(cli, ["disk", "cat", str(APFS), "/passwords.txt"])
    assert cat.exit_code == 0 and cat.stdout_bytes.startswith(PASSWORDS)
    info = runner.invoke(cli, ["disk", "info", str(APFS), "--json"])
    assert info.exit_code == 0 and '"label": "apfs_test"' in info.output


def test_cli_exports_timelines_checks_and_hashes_apfs(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    export = runner.invoke(cli, ["disk", "export", str(APFS), "/passwords.txt", "--out", str(out)])
    assert export.exit_code == 0, export.output
    assert (out / "passwords.txt").read_bytes().startswith(PASSWORDS)
    body = runner.invoke(cli, ["disk", "timeline", str(APFS), "--bodyfile"])
    assert body.exit_code == 0, body.output
    assert "0|/a_link -> a_directory/another_file|20|l/lrwxr-xr-x|99|99|0|" in body.stdout
    sig = runner.invoke(cli, ["disk", "sigcheck", str(APFS), "--json"])
    assert sig.exit_code == 0 and len(sig.stdout.splitlines()) == 2
    known = tmp_path / "known.md5"
    known.write_text(f"{hashlib.md5((out / 'passwords.txt').read_bytes()).hexdigest()}  passwords.txt\n")
    hits = runner.invoke(cli, ["disk", "hashset", str(APFS), str(known), "--json"])
    assert hits.exit_code == 0 and json.loads(hits.stdout)["path"] == "/passwords.txt"
    shadow = runner.invoke(cli, ["disk", "timeline", str(APFS), "--shadow", "1"])
    assert shadow.exit_code == 1 and shadow.stderr.strip().splitlines() == [
        f"Error: {APFS}: no volume shadow copies on the APFS volume 'apfs_test' (an NTFS feature)"
    ]


def test_search_hits_inside_the_container_are_unmapped_not_unpartitioned(image):
    from forensics_kit.disk.search import search_image

    hits = list(search_image(image, ["superrich"], encodings=("ascii",)))
    assert hits and b"superrich" in image.read("/passwords.txt")
    info = image.filesystems()[0]
    inside = [h for h in hits if info.offset <= h.offset < info.offset + info.block_size * info.block_count]
    assert inside == hits
    assert {h.owner.kind for h in hits} == {"unmapped"}
    assert hits[0].owner.describe() == "APFS container (not mapped)"
