"""hashing: one streaming pass, several algorithms in threads, same digests as hashlib."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics_kit import hashing
from forensics_kit.errors import EvidenceError
from forensics_kit.hashing import _groups, hash_bytes, hash_chunks, hash_file


def _expected(data: bytes) -> dict[str, str]:
    return {name: hashlib.new(name, data).hexdigest() for name in ("md5", "sha1", "sha256")}


def test_threaded_hash_of_many_chunks_equals_hashlib():
    chunks = [bytes([i]) * 70_000 for i in range(40)]
    assert hash_chunks(chunks) == _expected(b"".join(chunks))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(max_size=100_000), max_size=6))
def test_any_chunking_gives_the_digest_of_the_concatenation(chunks):
    assert hash_chunks(chunks) == _expected(b"".join(chunks))


def test_single_algorithm_and_empty_input():
    assert hash_chunks([], ["sha256"]) == {"sha256": hashlib.sha256(b"").hexdigest()}
    assert hash_bytes(b"abc", ["SHA-1"]) == {"sha1": hashlib.sha1(b"abc").hexdigest()}


def test_progress_reports_bytes_done_up_to_the_total():
    seen: list[int] = []
    chunks = [b"x" * 100_000] * 5
    hash_chunks(chunks, progress=lambda step, done, total: seen.append(done), total=500_000)
    assert seen[-1] == 500_000 and seen == sorted(seen)


def test_a_failing_reader_stops_the_hasher_threads_and_raises():
    def chunks():
        yield b"a" * 100_000
        yield b"b" * 100_000
        raise EvidenceError("img.dd", "read failed")

    before = threading.active_count()
    with pytest.raises(EvidenceError):
        hash_chunks(chunks())
    assert threading.active_count() == before


def test_unknown_algorithm_is_named():
    with pytest.raises(ValueError, match="nosuch"):
        hash_chunks([b"x"], ["nosuch"])


def test_hash_file_streams_a_file_and_names_a_missing_one(tmp_path):
    data = bytes(range(256)) * 20_000
    (tmp_path / "e.bin").write_bytes(data)
    assert hash_file(tmp_path / "e.bin") == _expected(data)
    with pytest.raises(EvidenceError, match="gone.bin"):
        hash_file(tmp_path / "gone.bin")


def test_algorithms_are_shared_among_threads_md5_alone():
    assert sorted(map(sorted, _groups(["md5", "sha1", "sha256"], 2))) == [["md5"], ["sha1", "sha256"]]
    assert _groups(["sha256"], 4) == [["sha256"]]


@pytest.mark.parametrize("cores", [1, 2, 4])
def test_hash_file_through_reused_buffers_equals_hashlib(tmp_path, monkeypatch, cores):
    # Small chunks so the few buffers are reused many times over; an uneven size for a short last read.
    monkeypatch.setattr(hashing, "CHUNK_SIZE", 4096)
    monkeypatch.setattr(hashing, "_cores", lambda: cores)
    data = bytes((i * 7 + i // 4096) % 251 for i in range(4096 * 37 + 123))
    (tmp_path / "e.bin").write_bytes(data)
    assert hash_file(tmp_path / "e.bin") == _expected(data)
    assert hash_file(tmp_path / "e.bin", ["sha256"]) == {"sha256": hashlib.sha256(data).hexdigest()}


def test_a_failing_worker_thread_raises_in_the_caller(monkeypatch):
    class Broken:
        def update(self, data) -> None:
            raise MemoryError("hasher broke")

        def hexdigest(self) -> str:
            return ""

    # Two shares on two cores: md5 and sha1 each hashed by a worker thread, the caller only reads.
    monkeypatch.setattr(hashing, "_hashers", lambda algorithms: {"md5": Broken(), "sha1": hashlib.sha1()})
    monkeypatch.setattr(hashing, "_cores", lambda: 2)
    before = threading.active_count()
    with pytest.raises(MemoryError, match="hasher broke"):
        hash_chunks([b"x" * 100_000] * 20)
    assert threading.active_count() == before


def test_a_raw_image_is_hashed_without_loading_the_disk_reader(tmp_path):
    raw = tmp_path / "usb.dd"
    raw.write_bytes(b"\x00" * 100_000 + b"end")
    probe = (
        "import json, sys\n"
        "from forensics_kit.hashing import hash_image\n"
        f"digests = hash_image({str(raw)!r})\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('pytsk3', 'forensics_kit.disk')))\n"
        "print(json.dumps([digests, loaded]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    digests, loaded = json.loads(done.stdout)
    assert digests == _expected(raw.read_bytes())
    assert loaded == []
