"""NTFS volumes: mkntfs -T plus ntfs-3g under libfaketime; streams, deletion, times, rebuilds."""

from __future__ import annotations

import time

import pytest
from disk_helpers import build, needs_fuse, tsk

from forensics_kit.disk import open_image

NTFS_DISK = {
    "id": "disk", "type": "disk", "file": "ntfs.dd", "size": "8MiB", "scheme": "none",
    "filesystem": {"type": "ntfs", "label": "Windows"},
    "items": [
        {"id": "invoice", "path": "/Users/anna/Downloads/invoice.pdf", "content": {"generate": "bytes", "size": 6000},
         "times": {"created": "2024-02-03T08:00:00Z", "modified": "2024-02-05T09:30:00Z",
                   "accessed": "2024-02-06T10:00:00Z"},
         "ads": {"name": "Zone.Identifier",
                 "content": {"text": "[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=http://files.example.net/i.pdf\r\n"}}},
        {"id": "gone", "path": "/Users/anna/wallet.txt", "content": {"text": "seed words: apple river stone\n"},
         "deleted": True, "times": {"modified": "2024-02-07T11:00:00Z", "deleted": "2024-02-08T12:00:00Z"}},
    ],
}  # fmt: skip

pytestmark = needs_fuse


@pytest.fixture(scope="module")
def ntfs(tmp_path_factory):
    return build(tmp_path_factory.mktemp("ntfs"), [NTFS_DISK])


def test_alternate_data_stream_is_listed_by_fls_and_read_by_icat(ntfs):
    item = ntfs.truth["items"]["invoice"]
    listing = tsk("fls", "-r", "-p", ntfs.artefacts["disk"])
    assert "Users/anna/Downloads/invoice.pdf:Zone.Identifier" in listing
    line = next(x for x in listing.splitlines() if x.endswith("invoice.pdf:Zone.Identifier"))
    address = line.split()[1].rstrip(":")
    assert tsk("icat", ntfs.artefacts["disk"], address).encode() == (
        b"[ZoneTransfer]\r\nZoneId=3\r\nHostUrl=http://files.example.net/i.pdf\r\n"
    )
    assert item["ads"]["path"] == "/Users/anna/Downloads/invoice.pdf:Zone.Identifier"
    with open_image(ntfs.artefacts["disk"]) as image:
        streams = [r for r in image.walk() if r.stream == "Zone.Identifier"]
    assert streams and streams[0].inode == item["inode"]


def test_standard_information_and_file_name_times(ntfs):
    item = ntfs.truth["items"]["invoice"]
    text = tsk("istat", ntfs.artefacts["disk"], item["inode"])
    standard, file_name = text.split("$FILE_NAME Attribute Values:")
    assert "Created:\t2024-02-03 08:00:00.000000000 (UTC)" in standard
    assert "File Modified:\t2024-02-05 09:30:00.000000000 (UTC)" in standard
    assert "Accessed:\t2024-02-06 10:00:00.000000000 (UTC)" in standard
    assert "Created:\t2024-02-03 08:00:00.000000000 (UTC)" in file_name.split("Attributes:")[0]
    assert (item["mtime"], item["crtime"]) == ("2024-02-05T09:30:00Z", "2024-02-03T08:00:00Z")


def test_deleted_file_is_listed_and_recovered(ntfs):
    item = ntfs.truth["items"]["gone"]
    assert f"-/r * {item['inode']}-128-2:\tUsers/anna/wallet.txt" in tsk("fls", "-r", "-p", ntfs.artefacts["disk"])
    assert tsk("icat", ntfs.artefacts["disk"], item["inode"]) == "seed words: apple river stone\n"
    assert item["deleted"] and item["recoverable"] and item["resident"]
    assert ntfs.truth["artefacts"]["disk"]["filesystem"]["type"] == "NTFS"
    assert ntfs.truth["artefacts"]["disk"]["filesystem"]["label"] == "Windows"


def test_ntfs_rebuild_is_byte_identical(ntfs, tmp_path):
    time.sleep(1.1)
    again = build(tmp_path, [NTFS_DISK])
    assert again.artefacts["disk"].read_bytes() == ntfs.artefacts["disk"].read_bytes()
    assert again.truth == ntfs.truth


def test_volume_serial_comes_from_the_seed(ntfs, tmp_path):
    other = build(tmp_path, [NTFS_DISK], seed=99)
    serial = lambda p: p.read_bytes()[0x48:0x50]  # noqa: E731
    assert serial(other.artefacts["disk"]) != serial(ntfs.artefacts["disk"])
