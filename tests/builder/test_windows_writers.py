"""The Windows writers' bytes: deterministic, checksums right, structures where the format documents put them."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta

import pytest

from forensics_kit.builder.windows import (
    REG_BINARY,
    REG_DWORD,
    REG_EXPAND_SZ,
    REG_MULTI_SZ,
    REG_NONE,
    REG_QWORD,
    EventLog,
    Hive,
    Shortcut,
    info_record,
    security_event,
)
from forensics_kit.windows import open_hive, parse_info, read_events, read_lnk

T = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def sample_hive(subkey_list: str = "lh", max_list: int = 512) -> Hive:
    hive = Hive(T, "\\REGISTRY\\MACHINE\\SYSTEM", subkey_list=subkey_list, max_list=max_list)
    key = hive.key("Types", T + timedelta(hours=1), class_name="4a1f2c3d")
    key.value("sz", "text").value("expand", "%SystemRoot%\\x", REG_EXPAND_SZ).value("multi", ["a", "b"], REG_MULTI_SZ)
    key.value("dword", 7, REG_DWORD).value("qword", 1 << 40, REG_QWORD).value("bin", b"\x01\x02\x03", REG_BINARY)
    key.value("none", b"", REG_NONE).value("big", bytes(range(256)) * 100, REG_BINARY).value("", "default")
    for index in range(40):
        hive.key(f"Many\\Key{index:02d}", T + timedelta(minutes=index))
    return hive


def test_same_calls_give_the_same_bytes():
    assert sample_hive().to_bytes() == sample_hive().to_bytes()
    log = [EventLog(), EventLog()]
    for each in log:
        each.add(security_event(4624, T, "WS01", {"TargetUserName": "anna", "LogonType": 2}))
    assert log[0].to_bytes() == log[1].to_bytes()


def test_regf_base_block_checksum_and_bins():
    data = sample_hive().to_bytes()
    words = struct.unpack("<127I", data[:508])
    checksum = 0
    for word in words:
        checksum ^= word
    assert struct.unpack_from("<I", data, 508)[0] == checksum
    assert data[:4] == b"regf" and struct.unpack_from("<II", data, 20) == (1, 5)
    hbins = struct.unpack_from("<I", data, 40)[0]
    assert len(data) == 4096 + hbins and hbins % 4096 == 0
    offset = 4096
    while offset < len(data):
        assert data[offset:offset + 4] == b"hbin"
        offset += struct.unpack_from("<I", data, offset + 8)[0]
    assert offset == len(data)


@pytest.mark.parametrize(("kind", "max_list"), [("lh", 512), ("lf", 512), ("li", 512), ("lh", 8), ("li", 8)])
def test_every_subkey_list_kind_reads_back(kind, max_list):
    data = sample_hive(kind, max_list).to_bytes()
    assert (b"ri" in data) == (max_list == 8)
    with open_hive(data) as hive:
        names = [k.name for k in hive.subkeys("Many")]
        types = hive.key("Types")
    assert names == [f"Key{i:02d}" for i in range(40)]
    assert hive and types.class_name == "4a1f2c3d" and types.last_written == "2024-03-05T11:00:00Z"
    got = {v.name: v.data for v in types.values}
    assert got == {"sz": "text", "expand": "%SystemRoot%\\x", "multi": ["a", "b"], "dword": 7, "qword": 1 << 40,
                   "bin": "010203", "none": "", "big": (bytes(range(256)) * 100).hex(), "": "default"}


def test_values_over_16344_bytes_use_a_big_data_record():
    assert b"db" in sample_hive().to_bytes()


def test_evtx_header_and_chunk_checksums():
    log = EventLog()
    for i in range(400):
        log.add(security_event(4625, T + timedelta(seconds=i), "WS01", {"TargetUserName": f"u{i}", "LogonType": 3}))
    data = log.to_bytes()
    assert data[:8] == b"ElfFile\0" and struct.unpack_from("<I", data, 124)[0] == zlib.crc32(data[:120])
    chunks = struct.unpack_from("<H", data, 42)[0]
    assert chunks >= 2 and len(data) == 4096 + chunks * 65536
    for index in range(chunks):
        chunk = data[4096 + index * 65536:4096 + (index + 1) * 65536]
        free = struct.unpack_from("<I", chunk, 48)[0]
        assert chunk[:8] == b"ElfChnk\0"
        assert struct.unpack_from("<I", chunk, 52)[0] == zlib.crc32(chunk[512:free])
        assert struct.unpack_from("<I", chunk, 124)[0] == zlib.crc32(chunk[:120] + chunk[128:512])
    assert [e.record_id for e in read_events(data)] == list(range(1, 401))


def test_events_out_of_time_order_are_refused():
    log = EventLog()
    log.add(security_event(4624, T, "WS01", {}))
    with pytest.raises(ValueError, match="earlier"):
        log.add(security_event(4624, T - timedelta(seconds=1), "WS01", {}))


def test_lnk_header_and_a_unicode_target():
    link = Shortcut("C:\\Users\\анна\\Документы\\отчёт.docx", size=5, created=T, modified=T, accessed=T)
    data = link.to_bytes()
    assert struct.unpack_from("<I", data, 0)[0] == 0x4C and struct.unpack_from("<I", data, 52)[0] == 5
    assert struct.unpack_from("<I", data, 60)[0] == 1  # SW_SHOWNORMAL
    assert read_lnk(data).local_path == link.target


def test_recycle_info_layouts():
    v2 = info_record("C:\\a.txt", 10, T)
    assert struct.unpack_from("<QQ", v2) == (2, 10) and struct.unpack_from("<I", v2, 24)[0] == len("C:\\a.txt") + 1
    v1 = info_record("C:\\a.txt", 10, T, version=1)
    assert len(v1) == 24 + 520 and parse_info(v1).original_path == "C:\\a.txt"
