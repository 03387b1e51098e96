"""ntfs_mft: a record split across two fragments of $MFT is read, patched and written back with valid fixups."""

from __future__ import annotations

import struct

import pytest

from forensics_kit.builder import ntfs_mft
from forensics_kit.errors import BuildError

# 512-byte clusters, 1024-byte records: entry 4 is $MFT clusters 8 and 9, which the runs put at
# volume clusters 50 and 200, so the record's two strides lie far apart and out of order.
RUNS = [(100, 8), (50, 1), (200, 4)]
STRIDES = (50 * 512, 200 * 512)
USN = 7
SI_TIMES = (ntfs_mft.filetime(1_700_000_000), ntfs_mft.filetime(1_700_000_100), ntfs_mft.filetime(1_700_000_200),
            ntfs_mft.filetime(1_700_000_300))  # fmt: skip
FN_TIMES = (ntfs_mft.filetime(1_710_000_000),) * 4


def _record() -> bytearray:
    """A 1024-byte FILE record (fixups not yet applied): $SI, a Win32 $FILE_NAME, the end marker."""
    data = bytearray(1024)
    data[:4] = b"FILE"
    struct.pack_into("<HH", data, 4, 48, 3)
    struct.pack_into("<H", data, 20, 56)
    struct.pack_into("<IIBBHHH", data, 56, 0x10, 24 + 72, 0, 0, 0, 0, 0)
    struct.pack_into("<IH", data, 56 + 16, 72, 24)
    struct.pack_into("<4Q", data, 56 + 24, *SI_TIMES)
    fn = 56 + 96
    struct.pack_into("<IIBBHHH", data, fn, 0x30, 24 + 80, 0, 0, 0, 0, 2)
    struct.pack_into("<IH", data, fn + 16, 80, 24)
    struct.pack_into("<Q4Q", data, fn + 24, 5, *FN_TIMES)
    data[fn + 24 + 64 : fn + 24 + 66] = bytes([4, 1])  # name length, Win32 namespace
    struct.pack_into("<I", data, fn + 104, 0xFFFFFFFF)
    data[510:512], data[1022:1024] = b"ab", b"cd"  # what the fixups hide
    return data


def _fixed_up(record: bytearray, usn: int) -> bytearray:
    out = bytearray(record)
    struct.pack_into("<H", out, 48, usn)
    out[50:52], out[52:54] = out[510:512], out[1022:1024]
    struct.pack_into("<H", out, 510, usn)
    struct.pack_into("<H", out, 1022, usn)
    return out


def _write_volume(path, usn: int) -> None:
    image = bytearray(128 << 10)
    image[3:7] = b"NTFS"
    struct.pack_into("<HB", image, 11, 512, 1)
    struct.pack_into("<b", image, 0x40, -10)
    on_disk = _fixed_up(_record(), usn)
    for index, offset in enumerate(STRIDES):
        image[offset : offset + 512] = on_disk[index * 512 : (index + 1) * 512]
    path.write_bytes(bytes(image))


@pytest.fixture
def volume(tmp_path, monkeypatch):
    path = tmp_path / "frag.ntfs"
    _write_volume(path, USN)
    monkeypatch.setattr(ntfs_mft, "_mft_runs", lambda _volume: (512, RUNS))
    return path


def test_a_record_across_mft_fragments_is_read_with_its_fixups_undone(volume):
    record = ntfs_mft.read_record(volume, 4)
    assert record.strides == list(STRIDES)
    assert record.data[510:512] == b"ab" and record.data[1022:1024] == b"cd"
    assert tuple(record.times(ntfs_mft.STANDARD_INFORMATION).values()) == SI_TIMES
    assert tuple(record.times(ntfs_mft.FILE_NAME).values()) == FN_TIMES


def test_patched_standard_times_are_written_with_the_next_sequence_number(volume):
    before = volume.read_bytes()
    record = ntfs_mft.read_record(volume, 4)
    record.set_standard_times({"modified": ntfs_mft.filetime(1_500_000_000, 500_000_000)})
    ntfs_mft.write_record(volume, record)
    after = volume.read_bytes()
    expected = _record()
    struct.pack_into("<Q", expected, 56 + 24 + 8, ntfs_mft.filetime(1_500_000_000, 500_000_000))
    expected = _fixed_up(expected, USN + 1)
    assert after[STRIDES[0] : STRIDES[0] + 512] + after[STRIDES[1] : STRIDES[1] + 512] == expected
    changed = [n for n in range(len(after)) if after[n] != before[n]]
    assert all(STRIDES[0] <= n < STRIDES[0] + 512 or STRIDES[1] <= n < STRIDES[1] + 512 for n in changed)
    again = ntfs_mft.read_record(volume, 4)
    assert ntfs_mft.posix(again.times(ntfs_mft.STANDARD_INFORMATION)["modified"]) == (1_500_000_000, 500_000_000)
    assert tuple(again.times(ntfs_mft.FILE_NAME).values()) == FN_TIMES


def test_a_torn_record_and_the_mirrored_entries_are_refused(volume):
    image = bytearray(volume.read_bytes())
    image[STRIDES[1] + 510 : STRIDES[1] + 512] = b"\x00\x00"
    volume.write_bytes(bytes(image))
    with pytest.raises(BuildError, match="fails its fixup check in stride 1"):
        ntfs_mft.read_record(volume, 4)
    with pytest.raises(BuildError, match=r"mirrored in \$MFTMirr"):
        ntfs_mft.read_record(volume, 3)


def test_the_sequence_number_wraps_past_0xffff_to_1(volume):
    _write_volume(volume, 0xFFFE)
    record = ntfs_mft.read_record(volume, 4)
    ntfs_mft.write_record(volume, record)
    image = volume.read_bytes()
    assert image[STRIDES[0] + 48 : STRIDES[0] + 50] == image[STRIDES[1] + 510 : STRIDES[1] + 512] == b"\x01\x00"
    assert ntfs_mft.read_record(volume, 4).data == record.data
