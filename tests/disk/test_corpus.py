"""The shared corpus (public dfvfs test images): our answers against TSK's recorded ones.

Each image is opened in its own container format (E01, split raw, QCOW2, VHD,
VMDK, raw) and must list the same names as ``fls -r -p`` recorded for it, expose
the same media as ``img_cat``, and the same volume system as ``mmls``.
"""

from __future__ import annotations

import pytest
from shared_corpus import ROOT, corpus_path, skip_unless

from forensics_kit.disk import open_image
from forensics_kit.errors import EvidenceError
from forensics_kit.hashing import hash_chunks

from .conftest import parse_fls, parse_mmls, tsk_name

IMAGES = ROOT / "images" / "dfvfs"
EXPECTED = ROOT / "expected" / "images" / "dfvfs"
pytestmark = skip_unless("images", "dfvfs")

# Images TSK lists, opened from their first segment, in every container format.
LISTED = [
    "ext2.raw",
    "ext2.E01",
    "ext2.split.E01",
    "ext2.splitraw.000",
    "ext2.qcow2",
    "ext2.vhd",
    "ext2.vmdk",
    "image.E01",
    "image-split.E01",
    "image.raw.000",
    "image.qcow2",
    "image.vhd",
    "image.vmdk",
    "ímynd.dd",
    "tsk_volume_system.raw",
    "hfsplus.raw",
    "iso9660.raw",
    "iso9660-level1.raw",
    "windows_volume.qcow2",
    "vsstest.qcow2",
    "bdetogo.raw",
    "hfsplus_zlib.dmg",
]
# The BitLocker To Go image's FAT32 discovery volume claims 64 MiB in an 805 KiB file.
TRUNCATED = {"bdetogo.raw"}
SMALL_ENOUGH_TO_HASH = 64 << 20


def _open(name: str):
    return open_image(corpus_path("images", "dfvfs", name))


@pytest.mark.crosscheck
@pytest.mark.parametrize("name", LISTED)
def test_walk_matches_recorded_fls(name):
    with _open(name) as img:
        systems = img.filesystems()
        assert systems, "no file system found"
        for fs in systems:
            expected = EXPECTED / f"{name}.fls.o{fs.offset // 512}.txt"
            assert expected.exists(), f"TSK found no file system at {fs.offset}"
            ours = {(tsk_name(r.path), r.inode, r.allocated) for r in img.walk(fs.partition)}
            assert ours == parse_fls(expected.read_text("utf-8", "backslashreplace"))


@pytest.mark.crosscheck
@pytest.mark.parametrize(
    "name",
    [n for n in LISTED if (IMAGES / n).exists() and (IMAGES / n).stat().st_size < SMALL_ENOUGH_TO_HASH],
)
def test_media_matches_recorded_img_cat_hash(name):
    fields = dict(line.split("\t") for line in (EXPECTED / f"{name}.media_hash.txt").read_text().splitlines())
    with _open(name) as img:
        assert img.size == int(fields["size"])
        assert hash_chunks(img.iter_media(), ("md5",))["md5"] == fields["md5"]


@pytest.mark.crosscheck
@pytest.mark.parametrize(
    ("name", "with_fs"),
    [("tsk_volume_system.raw", [(6, "ext2")]), ("image-split.E01", [(6, "ext2")]), ("hfsplus_zlib.dmg", [(4, "HFS+")])],
)
def test_partitions_match_recorded_mmls(name, with_fs):
    with _open(name) as img:
        ours = [(p.index, p.start, p.length, p.description) for p in img.partitions()]
        found = [(p.index, p.filesystem) for p in img.partitions() if p.filesystem]
    assert ours == parse_mmls((EXPECTED / f"{name}.mmls.txt").read_text())
    assert found == with_fs


@pytest.mark.crosscheck
def test_every_corpus_file_system_agrees_with_recorded_fls():
    """The acceptance count: every file system IMAGES_SUMMARY lists, listed as `fls -r -p` recorded it."""
    summary = corpus_path("expected", "IMAGES_SUMMARY.tsv").read_text("utf-8").splitlines()[1:]
    agree, differ = [], []
    for line in summary:
        name, *_, systems = line.split("\t")
        for system in filter(None, systems.split(",")):
            sector, _type, _lines = system.split(":")
            label = f"{name}@{sector}"
            with open_image(ROOT / name) as img:
                if sector.startswith("apsb"):  # APFS: the volume superblock fls -B names
                    records = list(img.walk())
                    expected = ROOT / "expected" / f"{name}.fls.{sector}.txt"
                else:
                    (fs,) = [f for f in img.filesystems() if f.offset == int(sector) * 512]
                    records = list(img.walk(fs.partition))
                    expected = ROOT / "expected" / f"{name}.fls.o{sector}.txt"
            ours = {(tsk_name(r.path), r.inode, r.allocated) for r in records}
            same = ours == parse_fls(expected.read_text("utf-8", "backslashreplace"))
            (agree if same else differ).append(label)
    assert not differ, f"{len(agree)} of {len(agree) + len(differ)} agree; differ: {differ}"


def test_truncated_corpus_image_opens_with_a_warning_saying_how_much_is_missing():
    with _open("bdetogo.raw") as img:
        (warning,) = [w for w in img.warnings if "truncated" in w]
        assert "needs 67108864 bytes but the media has 824320: 66284544 bytes (98.8%) are missing" in warning
        assert img.read("/autorun.inf")  # what the image holds is read
    with pytest.raises(EvidenceError, match="truncated image"):
        open_image(corpus_path("images", "dfvfs", "bdetogo.raw"), strict=True)


@pytest.mark.parametrize(
    ("name", "fs_type", "label"),
    [
        ("ext2.raw", "ext2", "ext2_test"),
        ("iso9660.raw", "ISO9660", "CDROM"),
        ("vsstest.qcow2", "NTFS", "vsstest"),
        ("hfsplus.raw", "HFS+", None),
    ],
)
def test_file_system_type_and_label(name, fs_type, label):
    with _open(name) as img:
        (fs,) = img.filesystems()
    assert (fs.type, fs.label) == (fs_type, label)


def test_ntfs_named_stream_is_listed_and_readable():
    with _open("windows_volume.qcow2") as img:
        records = {r.path: r for r in img.walk()}
        bad = records["/$BadClus:$Bad"]
        assert (bad.inode, bad.stream, bad.name) == (8, "$Bad", "$BadClus:$Bad")
        (fs,) = img.filesystems()
        assert bad.size == fs.block_size * fs.block_count  # sparse stream spanning the volume
        assert img.read("/$Volume") == b""
        assert img.read("/$Extend/$Quota:$Q")  # a named index root reads like icat 24-144-2


def test_non_ascii_file_name_image_opens():
    with _open("ímynd.dd") as img:
        assert img.read("/passwords.txt").startswith(b"place,user,password")


def test_udif_dmg_opens_as_an_image_with_the_media_7zip_unpacks():
    with _open("hfsplus_zlib.dmg") as img:
        assert img.format == "dmg"
        assert img.read("/passwords.txt").startswith(b"place,user,password")
