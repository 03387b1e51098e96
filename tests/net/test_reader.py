"""The record reader: pcap variants, pcapng interfaces, damaged and foreign files."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from forensics_kit.errors import EvidenceError
from forensics_kit.net import CaptureReader, read_frames

from .conftest import T0, _block


def test_microsecond_pcap_frames_are_numbered_from_one_with_exact_times(captures):
    frames = list(read_frames(captures["http"]))
    assert [f.number for f in frames] == list(range(1, 19))
    assert frames[0].ts_ns == T0  # 123 ns lost to microsecond resolution
    assert frames[1].ts_ns == T0 + 10_000_000
    assert frames[0].linktype == 1 and frames[0].caplen == len(frames[0].data) == frames[0].length


def test_nanosecond_pcap_keeps_nanoseconds(captures):
    (frame,) = read_frames(captures["nano"])
    assert frame.ts_ns == T0 + 123_456_789
    assert frame.time == "2024-03-01T10:00:00.123456789Z"


def test_big_endian_pcap_reads_like_little_endian(captures):
    little = [(f.ts_ns, f.data) for f in read_frames(captures["http"])]
    big = [(f.ts_ns, f.data) for f in read_frames(captures["big"])]
    assert big == little


def test_pcapng_interfaces_keep_their_link_type_and_resolution(captures):
    frames = list(read_frames(captures["pcapng"]))
    assert [(f.interface, f.linktype) for f in frames] == [(0, 1), (1, 101), (0, 1)]
    assert frames[0].ts_ns == T0 + 1_000  # microsecond default resolution
    assert frames[1].ts_ns == T0 + 2_000_000_001  # if_tsresol 9: nanoseconds


def test_pcapng_simple_packet_block_is_a_frame_without_time(tmp_path):
    data = b"\x01" * 20
    path = tmp_path / "spb.pcapng"
    path.write_bytes(
        _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
        + _block(1, struct.pack("<HHI", 1, 0, 0))
        + _block(3, struct.pack("<I", len(data)) + data)
    )
    (frame,) = read_frames(path)
    assert frame.data == data and frame.ts_ns == 0 and frame.number == 1


def test_truncated_last_record_stops_with_a_warning_naming_the_frame(captures):
    reader = CaptureReader(captures["truncated"])
    assert len(list(reader.frames())) == 2
    assert len(reader.warnings) == 1 and reader.warnings[0].startswith("frame 3: truncated")


def test_bad_pcapng_block_length_stops_with_a_warning(tmp_path):
    good = (_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
            + _block(1, struct.pack("<HHI", 1, 0, 0)))
    path = tmp_path / "bad.pcapng"
    path.write_bytes(good + struct.pack("<II", 6, 13) + b"\0" * 20)
    reader = CaptureReader(path)
    assert list(reader.frames()) == []
    assert "bad length 13" in reader.warnings[0]


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty file"), (b"GIF89a not a capture at all", "not a pcap or pcapng"),
     (b"\xd4\xc3\xb2\xa1\x02\x00", "header is truncated")],
    ids=["empty", "foreign", "short-header"],
)
def test_file_that_is_not_a_capture_raises_evidence_error_at_once(tmp_path, content, problem):
    path = tmp_path / "x.pcap"
    path.write_bytes(content)
    with pytest.raises(EvidenceError, match=problem) as info:
        read_frames(path)  # no iteration needed: the header is checked on the call
    assert str(info.value).startswith(str(path) + ": ")


def test_missing_file_raises_evidence_error(tmp_path: Path):
    with pytest.raises(EvidenceError, match="no such file"):
        CaptureReader(tmp_path / "absent.pcap")


def test_unknown_link_type_is_read_but_reported_as_undecodable(tmp_path):
    from forensics_kit.net import flows, summarize

    from .conftest import write_pcap

    path = write_pcap(tmp_path / "odd.pcap", [(T0, b"\x00" * 30)], linktype=182)
    assert [f.linktype for f in read_frames(path)] == [182]
    warnings: list[str] = []
    assert flows(path, warnings) == []
    assert "link type 182 is not decoded" in warnings[0]
    assert "link type 182" in summarize(path, with_hashes=False).warnings[0]
