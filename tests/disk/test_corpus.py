"""The shared corpus (public dfvfs test images): our answers against TSK's recorded ones.

Each image is opened in its own container format (E01, split raw, QCOW2, VHD,
VMDK, raw) and must list the same names as ``fls -r -p`` recorded for it, expose
the same media as ``img_cat``, and the same volume system as ``mmls``.
"""

from __future__ import annotations

from pathlib import Path

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
]
# The BitLocker To Go image's FAT32 discovery volume claims 64 MiB in an 805 KiB file.
TRUNCATED = {"bdetogo.raw"}
SMALL_ENOUGH_TO_HASH = 64 << 20


def _open(name: str):
    return open_image(corpus_path("images", "dfvfs", name), allow_truncated=name in TRUNCATED)


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
@pytest.mark.parametrize("name", ["tsk_volume_system.raw", "image-split.E01"])
def test_partitions_match_recorded_mmls(name):
    with _open(name) as img:
        ours = [(p.index, p.start, p.length, p.description) for p in img.partitions()]
        with_fs = [(p.index, p.filesystem) for p in img.partitions() if p.filesystem]
    assert ours == parse_mmls((EXPECTED / f"{name}.mmls.txt").read_text())
    assert with_fs == [(6, "ext2")]


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


@pytest.mark.parametrize("name", ["hfsplus_zlib.dmg"])
def test_unsupported_image_kinds_give_one_line_evidence_error(name):
    # DMG (UDIF) is not a container we open. (APFS opens through pyfsapfs: test_apfs.py.)
    with pytest.raises(EvidenceError, match="not a disk image") as caught:
        _open(name)
    assert "\n" not in str(caught.value) and Path(name).name in str(caught.value)
