"""Volume shadow copies of the corpus NTFS volume (vsstest.qcow2), against vshadowinfo and dfvfs.

TSK lists only the current volume; the two stores show it as it was at 06:35
and 06:37 on 2013-12-03: before ``syslog`` was gzipped and before
``password.txt`` and ``another_file`` were written. Export, timeline, signature
check and hash sets read a store's files from that store: MFT entry 35 is a
plain-text ``syslog`` there and ``syslog.gz`` on the live volume.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_corpus import ROOT, corpus_path, skip_unless

from forensics_kit.cli.main import cli
from forensics_kit.disk import open_image
from forensics_kit.disk.export import export_files
from forensics_kit.disk.hashset import HashSet, match_hashset
from forensics_kit.disk.search import search_image
from forensics_kit.disk.signatures import check_signatures, detect
from forensics_kit.disk.timeline import bodyfile, timeline
from forensics_kit.errors import NotFoundError

VSS = ROOT / "images" / "dfvfs" / "vsstest.qcow2"
pytestmark = skip_unless("images", "dfvfs", "vsstest.qcow2")


@pytest.fixture(scope="module")
def image():
    with open_image(VSS) as img:
        yield img


def _vshadowinfo_stores(tmp_path: Path) -> list[tuple[str, str]]:
    """(identifier, ISO creation time) per store as vshadowinfo prints them (it reads raw volumes only)."""
    import pyqcow

    raw = tmp_path / "vsstest.raw"
    qcow = pyqcow.file()
    qcow.open(str(VSS))
    size, chunk, zero = qcow.get_media_size(), 1 << 20, bytes(1 << 20)
    with raw.open("wb") as out:  # sparse: the 1 GiB volume is mostly never-written zeros
        out.truncate(size)
        for offset in range(0, size, chunk):
            data = qcow.read_buffer_at_offset(chunk, offset)
            if data != zero:
                out.seek(offset)
                out.write(data)
    qcow.close()
    text = subprocess.run(["vshadowinfo", str(raw)], capture_output=True, text=True, check=True).stdout
    stores = []
    for ident, when, fraction in re.findall(
        r"Identifier\s*: (\S+)\n.*?Creation time\s*: (\w{3} \d\d, \d{4} \d\d:\d\d:\d\d)\.(\d+) UTC", text, re.S
    ):
        base = datetime.strptime(when, "%b %d, %Y %H:%M:%S").strftime("%Y-%m-%dT%H:%M:%S")
        stores.append((ident, f"{base}.{fraction}".rstrip("0") + "Z"))
    return stores


def _dfvfs_stores() -> list[tuple[str, str]]:
    """(identifier, ISO creation time) per store as dfvfs's VSS file system gives them."""
    from dfvfs.lib import definitions
    from dfvfs.path import factory
    from dfvfs.resolver import resolver

    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_OS, location=str(VSS))
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_QCOW, parent=spec)
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_VSHADOW, location="/", parent=spec)
    stores = []
    for entry in resolver.Resolver.OpenFileEntry(spec).sub_file_entries:
        store = entry.GetVShadowStore()
        iso = entry.creation_time.CopyToDateTimeStringISO8601().replace("+00:00", "Z")
        stores.append((str(store.identifier), iso))
    return stores


def test_stores_and_creation_times_match_vshadowinfo(image, tmp_path):
    expected = _vshadowinfo_stores(tmp_path) if shutil.which("vshadowinfo") else _dfvfs_stores()
    ours = [(c.identifier, c.creation_time) for c in image.shadow_copies()]
    assert ours == expected
    assert ours == [
        ("600f0b69-5bdf-11e3-9d6c-005056c00008", "2013-12-03T06:35:09.7363787Z"),
        ("600f0b6d-5bdf-11e3-9d6c-005056c00008", "2013-12-03T06:37:48.9190583Z"),
    ]


def test_stores_match_dfvfs_and_cover_the_whole_volume(image):
    copies = image.shadow_copies()
    assert [(c.identifier, c.creation_time) for c in copies] == _dfvfs_stores()
    assert [c.index for c in copies] == [1, 2]
    assert {c.size for c in copies} == {image.size}


def test_first_store_lists_syslog_before_it_was_gzipped(image):
    live = {r.path: r for r in image.walk()}
    old = {r.path: r for r in image.walk(shadow=1)}
    assert "/syslog" in old and "/syslog" not in live
    assert "/syslog.gz" in live and "/syslog.gz" not in old
    assert old["/syslog"].inode == live["/syslog.gz"].inode == 35  # same MFT entry, renamed
    assert {"/password.txt", "/another_file"} <= live.keys() - old.keys()


def test_second_store_has_another_file_but_not_password_txt(image):
    paths = {r.path for r in image.walk(shadow=2)}
    assert "/another_file" in paths and "/syslog.gz" in paths
    assert "/password.txt" not in paths


def test_file_read_from_a_store_is_the_live_gzip_uncompressed(image):
    old = image.read("/syslog", shadow=1)
    assert len(old) == 1247 and old.startswith(b"Jan 22 07:52:33 myhostname")
    assert gzip.decompress(image.read("/syslog.gz")) == old
    assert image.read(inode=35, shadow=1) == old


def test_file_missing_from_a_store_is_not_found_naming_the_store(image):
    with pytest.raises(NotFoundError, match="shadow copy 2"):
        image.read("/password.txt", shadow=2)


def test_store_number_out_of_range_names_the_valid_ones(image):
    with pytest.raises(NotFoundError, match=r"no shadow copy 3 .*stores: 1-2"):
        list(image.walk(shadow=3))


def test_volume_without_shadow_copies_has_none():
    with open_image(corpus_path("images", "dfvfs", "windows_volume.qcow2")) as img:
        assert img.shadow_copies() == []
        with pytest.raises(NotFoundError, match="no volume shadow copies"):
            img.read("/$Volume", shadow=1)


def test_cli_lists_stores_and_reads_and_lists_one():
    runner = CliRunner()
    shadows = runner.invoke(cli, ["disk", "shadows", str(VSS), "--json"])
    assert shadows.exit_code == 0, shadows.output
    assert '"creation_time": "2013-12-03T06:35:09.7363787Z"' in shadows.output
    listing = runner.invoke(cli, ["disk", "ls", str(VSS), "--shadow", "1", "--path", "/syslog*", "--json"])
    assert listing.exit_code == 0, listing.output
    assert '"path": "/syslog"' in listing.output and "syslog.gz" not in listing.output
    cat = runner.invoke(cli, ["disk", "cat", str(VSS), "/syslog", "--shadow", "1"])
    assert cat.exit_code == 0 and cat.stdout_bytes.startswith(b"Jan 22 07:52:33")
    missing = runner.invoke(cli, ["disk", "cat", str(VSS), "/syslog", "--shadow", "9"])
    assert missing.exit_code != 0 and "no shadow copy 9" in missing.output


# -- export, timeline, sigcheck and hashset on a shadow copy ------------------------------


def _dfvfs_store_file(store_index: int, location: str):
    """The file entry dfvfs opens at ``location`` in a store (index from 0) of the QCOW image, through TSK."""
    from dfvfs.lib import definitions
    from dfvfs.path import factory
    from dfvfs.resolver import resolver

    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_OS, location=str(VSS))
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_QCOW, parent=spec)
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_VSHADOW, store_index=store_index, parent=spec)
    spec = factory.Factory.NewPathSpec(definitions.TYPE_INDICATOR_TSK, location=location, parent=spec)
    return resolver.Resolver.OpenFileEntry(spec)


def test_export_from_a_store_copies_its_version_with_matching_manifest(image, tmp_path):
    report = export_files(image, tmp_path, paths=["/syslog"], shadow=1)
    (exported,) = report.files
    data = (tmp_path / exported.exported_as).read_bytes()
    assert data == image.read("/syslog", shadow=1) == _dfvfs_store_file(0, "/syslog").GetFileObject().read()
    assert (exported.path, exported.inode, exported.size, exported.shadow) == ("/syslog", 35, 1247, 1)
    digests = (hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest())
    (row,) = csv.DictReader(Path(report.manifest_csv).open(encoding="utf-8"))
    assert (row["md5"], row["sha256"], row["shadow"]) == (*digests, "1")
    (entry,) = json.loads(Path(report.manifest_json).read_text("utf-8"))
    assert (entry["md5"], entry["sha256"], entry["shadow"]) == (*digests, 1)


def test_export_of_the_same_entry_differs_between_store_and_live_volume(image, tmp_path):
    old = export_files(image, tmp_path / "old", inode=35, shadow=1).files[0]
    live = export_files(image, tmp_path / "live", inode=35).files[0]
    assert (old.path, live.path) == ("/syslog", "/syslog.gz")
    data = (tmp_path / "live" / live.exported_as).read_bytes()
    assert gzip.decompress(data) == (tmp_path / "old" / old.exported_as).read_bytes()
    assert live.shadow is None


def test_export_of_a_path_only_in_a_store_finds_nothing_on_the_live_volume(image, tmp_path):
    with pytest.raises(NotFoundError, match="no file matches the selection"):
        export_files(image, tmp_path / "live", paths=["/syslog"])
    with pytest.raises(NotFoundError, match="no file in shadow copy 2 matches"):
        export_files(image, tmp_path / "two", paths=["/password.txt"], shadow=2)
    with pytest.raises(NotFoundError, match=r"no shadow copy 3 .*stores: 1-2"):
        export_files(image, tmp_path / "three", paths=["/syslog"], shadow=3)
    assert not (tmp_path / "three").exists()  # refused before the output folder is made


def test_bodyfile_of_a_store_has_that_stores_names_sizes_and_times(image):
    old = {e.name: e for e in bodyfile(image, shadow=1)}
    assert "/syslog" in old and "/password.txt" not in old and "/syslog.gz" not in old
    syslog = old["/syslog"]
    theirs = _dfvfs_store_file(0, "/syslog")
    expected = [int(t.CopyToPosixTimestamp()) for t in (
        theirs.access_time, theirs.modification_time, theirs.change_time, theirs.creation_time
    )]
    assert [syslog.atime, syslog.mtime, syslog.ctime, syslog.crtime] == expected
    assert (syslog.inode, syslog.size, syslog.mode) == (35, 1247, "r/rrwxrwxrwx")  # live entry 35 has 540 bytes
    live = {e.name: e for e in bodyfile(image)}
    assert live["/syslog.gz"].inode == 35 and live["/syslog.gz"].size == 540
    second = {e.name for e in bodyfile(image, shadow=2)}
    assert "/another_file" in second and "/password.txt" not in second


def test_timeline_of_a_store_shows_the_file_before_it_was_gzipped(image):
    events = [e for e in timeline(bodyfile(image, shadow=1)) if e.name == "/syslog"]
    assert [(e.time, e.size) for e in events if "m" in e.macb] == [("2013-12-03T06:32:24Z", 1247)]


def test_sigcheck_reads_a_stores_content_not_the_live_volumes(image):
    # Entry 35 is gzip on the live volume; read from there, the extension-less /syslog would be reported.
    assert detect(image.read(inode=35)[:4096]) == "gzip"
    assert detect(image.read(inode=35, shadow=1)[:4096]) is None
    before = len(image.warnings)
    assert list(check_signatures(image, shadow=1)) == []
    assert image.warnings[before:] == []  # every file was read, none skipped


def test_hashset_on_a_store_finds_the_old_version_and_not_the_live_one(image):
    old_md5 = hashlib.md5(_dfvfs_store_file(0, "/syslog").GetFileObject().read()).hexdigest()
    live_sha256 = hashlib.sha256(image.read("/syslog.gz")).hexdigest()
    known = HashSet("known.txt", {"md5": {old_md5: "syslog (old)"}, "sha256": {live_sha256: "syslog.gz"}})
    (match,) = match_hashset(image, known, shadow=1)
    assert (match.path, match.inode, match.algorithm, match.hash, match.label) == (
        "/syslog", 35, "md5", old_md5, "syslog (old)"
    )
    assert [m.path for m in match_hashset(image, known)] == ["/syslog.gz"]
    assert [m.path for m in match_hashset(image, known, shadow=2)] == ["/syslog.gz"]


def test_tools_on_a_volume_without_shadow_copies_say_so_in_one_line(tmp_path):
    with open_image(corpus_path("images", "dfvfs", "windows_volume.qcow2")) as img:
        for run in (
            lambda: export_files(img, tmp_path, paths=["/$Volume"], shadow=1),
            lambda: list(bodyfile(img, shadow=1)),
            lambda: list(check_signatures(img, shadow=1)),
            lambda: list(match_hashset(img, HashSet("k", {"md5": {"0" * 32: None}}), shadow=1)),
        ):
            with pytest.raises(NotFoundError, match="no volume shadow copies on the NTFS file system"):
                run()


def test_cli_exports_timelines_checks_and_hashes_a_store(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    export = runner.invoke(cli, ["disk", "export", str(VSS), "/syslog", "--shadow", "1", "--out", str(out), "--json"])
    assert export.exit_code == 0, export.output
    assert json.loads(export.stdout)["shadow"] == 1
    with open_image(VSS) as img:
        assert (out / "syslog").read_bytes() == img.read("/syslog", shadow=1)
    body = runner.invoke(cli, ["disk", "timeline", str(VSS), "--shadow", "1", "--bodyfile"])
    assert body.exit_code == 0, body.output
    assert "0|/syslog|35-128-3|r/rrwxrwxrwx|0|0|1247|" in body.stdout and "password.txt" not in body.stdout
    sig = runner.invoke(cli, ["disk", "sigcheck", str(VSS), "--shadow", "1", "--json"])
    assert sig.exit_code == 0 and sig.stdout == ""
    known = tmp_path / "known.md5"
    known.write_text(f"{hashlib.md5((out / 'syslog').read_bytes()).hexdigest()}  syslog\n")
    hits = runner.invoke(cli, ["disk", "hashset", str(VSS), str(known), "--shadow", "1", "--json"])
    assert hits.exit_code == 0, hits.output
    assert [json.loads(line)["path"] for line in hits.stdout.splitlines()] == ["/syslog"]


@pytest.mark.parametrize(
    "args",
    [
        ["export", str(VSS), "/syslog", "--out", "OUT"],
        ["timeline", str(VSS)],
        ["sigcheck", str(VSS)],
        ["hashset", str(VSS), "KNOWN"],
        ["search", str(VSS), "syslog"],
    ],
    ids=["export", "timeline", "sigcheck", "hashset", "search"],
)
def test_cli_bad_shadow_number_is_one_line_and_non_zero(args, tmp_path):
    known = tmp_path / "known.txt"
    known.write_text("0" * 32 + "\n")
    args = [str(tmp_path / "out") if a == "OUT" else str(known) if a == "KNOWN" else a for a in args]
    runner = CliRunner()
    result = runner.invoke(cli, ["disk", *args, "--shadow", "3"])
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {VSS}: no shadow copy 3 on the NTFS file system (stores: 1-2)"
    ]
    assert result.stdout == "" and not (tmp_path / "out").exists()
    zero = runner.invoke(cli, ["disk", *args, "--shadow", "0"])
    assert zero.exit_code == 2 and "0 is not in the range x>=1" in zero.output


SYSLOG_LINE = "INFO No new content."  # a line of /syslog, which the live volume keeps only gzipped


def test_search_of_a_store_finds_old_text_in_its_file_where_the_live_volume_has_free_space(image):
    old = image.read("/syslog", shadow=1)
    assert SYSLOG_LINE.encode() in old
    in_store = list(search_image(image, [SYSLOG_LINE], shadow=1, encodings=("ascii",)))
    assert in_store and {(h.owner.kind, h.owner.path, h.owner.inode) for h in in_store} == {("file", "/syslog", 35)}
    assert len(in_store) == old.count(SYSLOG_LINE.encode())
    store = image._source(None, 1)  # noqa: SLF001 - the store's bytes, to check the offsets
    assert all(store.read_at(h.offset, h.length) == SYSLOG_LINE.encode() for h in in_store)
    live = {h.offset: h.owner.kind for h in search_image(image, [SYSLOG_LINE], encodings=("ascii",))}
    assert {h.offset for h in in_store} <= set(live) and set(live.values()) == {"unallocated"}
    newer = list(search_image(image, [SYSLOG_LINE], shadow=2, encodings=("ascii",)))
    assert all(h.owner.kind != "file" for h in newer)  # gzipped by the time of the second copy


def test_cli_search_of_a_store_names_the_stores_file():
    result = CliRunner().invoke(cli, ["disk", "search", str(VSS), SYSLOG_LINE, "--shadow", "1", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]  # one JSON object a hit
    assert rows and {row["owner"]["path"] for row in rows} == {"/syslog"}
