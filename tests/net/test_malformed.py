"""Hostile and broken captures: results with warnings or an EvidenceError, never a crash or hang."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from shared_corpus import ROOT, corpus_files, corpus_path, skip_unless

from forensics_kit.errors import EvidenceError
from forensics_kit.hashing import hash_file
from forensics_kit.net import (
    CaptureReader,
    dns_messages,
    flows,
    http_transactions,
    read_frames,
    summarize,
)

MALFORMED = ROOT / "pcaps-malformed"
FILES = corpus_files("pcaps-malformed", recursive=True)
SECONDS = 20


@pytest.fixture
def deadline():
    """Fail (instead of hanging the suite) if one file takes more than SECONDS."""

    def _expired(signum, frame):
        raise TimeoutError(f"took more than {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@skip_unless("pcaps-malformed")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(MALFORMED)) for p in FILES])
def test_malformed_capture_gives_results_or_evidence_error(path: Path, deadline):
    before = hash_file(path)["sha256"]
    try:
        reader = CaptureReader(path)
        frames = list(reader.frames())
        warnings: list[str] = []
        summary = summarize(path, with_hashes=False)
        flows(path, warnings)
        list(dns_messages(path, warnings))
        list(http_transactions(path, warnings))
    except EvidenceError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert summary.packets == len(frames)
        assert all(isinstance(w, str) for w in warnings + reader.warnings)
    assert hash_file(path)["sha256"] == before


def test_dns_label_loop_in_corpus_yields_no_message_and_no_hang(deadline):
    path = corpus_path("pcaps-malformed", "tcpdump", "dns-badlabel.pcap")
    assert [m.qname for m in dns_messages(path)] == []


def test_random_bytes_after_a_valid_header_never_raise(tmp_path, deadline):
    import random

    from .conftest import T0, write_pcap

    rng = random.Random(7)
    for linktype in (1, 113, 276, 101, 0, 9):
        records = [(T0 + i, bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 80))))
                   for i in range(200)]
        # seed plausible headers so the fuzz gets past the link layer often
        ip_like = b"\x00" * 12 + b"\x08\x00\x45"
        records += [(T0, ip_like + bytes(rng.getrandbits(8) for _ in range(60)))
                    for _ in range(200)]
        path = write_pcap(tmp_path / f"fuzz{linktype}.pcap", records, linktype=linktype)
        assert summarize(path, with_hashes=False).packets == 400
        flows(path)
        list(dns_messages(path))
        list(http_transactions(path))
        assert len(list(read_frames(path))) == 400


def test_random_dns_payloads_only_raise_dns_format_error(deadline):
    import random

    from forensics_kit.net import DnsFormatError, parse_message

    rng = random.Random(11)
    for _ in range(3000):
        size = rng.randrange(0, 120)
        message = bytes(rng.getrandbits(8) for _ in range(size))
        if size > 12 and rng.random() < 0.5:  # many compression pointers
            message = message[:12] + bytes([0xC0 | rng.randrange(0, 1), rng.randrange(0, size)]) * 8
        try:
            parse_message(message)
        except DnsFormatError:
            pass
