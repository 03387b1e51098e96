"""Property tests: readers given mangled artefacts return results or EvidenceError, nothing else."""

from __future__ import annotations

import struct
import zlib

import pytest
from artefact_samples import generated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics_kit.artefacts import (
    read_auth_log,
    read_bash_history,
    read_browser_history,
    read_exif,
    read_office_properties,
    read_pdf_info,
)
from forensics_kit.errors import EvidenceError

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PHOTO = generated("jpeg", exif={"make": "Canon", "taken": "2024-03-05T14:02:11Z", "gps": {"lat": 1.5, "lon": 2.5}})
SAMPLES = {
    read_exif: PHOTO,
    read_pdf_info: generated("pdf", author="A", created="2024-03-01T10:00:00Z"),
    read_office_properties: generated("docx", author="A"),
    read_browser_history: generated("browser_history", visits=[{"url": "https://a/", "time": "2024-03-01T10:00:00Z"}]),
}


def _mutate(data: bytes, flips: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for position, value in flips:
        out[position % len(out)] = value
    return bytes(out)


@FAST
@given(st.sampled_from(sorted(SAMPLES, key=lambda f: f.__name__)),
       st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), min_size=1, max_size=8))
def test_mangled_binary_artefacts_give_results_or_evidence_errors(reader, flips):
    try:
        reader(_mutate(SAMPLES[reader], flips))
    except EvidenceError:
        pass


@FAST
@given(st.lists(st.tuples(st.integers(12, 400), st.integers(0, 255)), min_size=1, max_size=6))
def test_mangled_exif_segment_gives_info_or_evidence_error(flips):
    try:
        read_exif(_mutate(PHOTO, flips))
    except EvidenceError:
        pass


@FAST
@given(st.text(alphabet=st.sampled_from(list("JanFebMar 0123456789:[]#-T+.sshd Failed for from port user invalid\n")),
               max_size=400))
def test_log_and_history_readers_accept_any_text(text):
    read_auth_log(text, year=2024)
    read_bash_history(text)


def test_png_with_huge_dimensions_is_refused_without_decoding():
    png = generated("png", width=8, height=8)
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    bomb = png[:16] + chunk + png[16 + len(chunk) :]
    with pytest.raises(EvidenceError, match="too large"):
        read_exif(bomb)
