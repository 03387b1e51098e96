"""NTFS: MFT entry numbers as inodes, named streams (ADS) listed and read like fls/icat."""

from __future__ import annotations

import subprocess

import pytest

from forensics_kit.disk import open_image

from .conftest import fls, need, run


def test_alternate_data_stream_is_listed_as_its_own_record(ntfs_image):
    with open_image(ntfs_image.path) as img:
        records = {r.path: r for r in img.walk()}
        (fs,) = img.filesystems()
    stream = records["/report.txt:secret"]
    assert (stream.stream, stream.name, stream.size) == ("secret", "report.txt:secret", 14)
    assert stream.inode == records["/report.txt"].inode
    assert records["/report.txt"].stream is None
    assert (fs.type, fs.label) == ("NTFS", "FKNTFS")


def test_files_and_streams_read_back_by_path(ntfs_image):
    with open_image(ntfs_image.path) as img:
        for path, data in ntfs_image.files.items():
            assert img.read(path) == data, path


@pytest.mark.crosscheck
def test_ntfs_walk_matches_fls(ntfs_image):
    with open_image(ntfs_image.path) as img:
        ours = {(r.path, r.inode, r.allocated) for r in img.walk()}
    assert ours == fls(ntfs_image.path)


@pytest.mark.crosscheck
def test_ntfs_stream_reads_byte_identical_to_icat_with_attribute(ntfs_image):
    need("fls", "icat")
    # fls prints "r/r 64-128-4:\treport.txt:secret": icat takes that address as is.
    line = next(x for x in run("fls", "-r", ntfs_image.path).splitlines() if x.endswith(":secret"))
    address = line.split()[1].rstrip(":")
    with open_image(ntfs_image.path) as img:
        assert img.read("/report.txt:secret") == run_bytes("icat", ntfs_image.path, address)
        inode = int(address.split("-")[0])
        assert img.read(inode=inode) == run_bytes("icat", ntfs_image.path, str(inode))


def run_bytes(*args) -> bytes:
    """Run a tool and return its raw standard output."""
    return subprocess.run([str(a) for a in args], capture_output=True, check=True).stdout
