"""The shared corpus is reached only through tests/shared_corpus.py, so a clone without it skips."""

from __future__ import annotations

import re
from pathlib import Path

import shared_corpus

TESTS = Path(__file__).resolve().parent
# A path built to the corpus by hand: "shared" / "corpus", "../shared/corpus", "shared/corpus".
DIRECT = re.compile(r"""["']shared["']\s*/\s*["']corpus["']|shared/corpus|\.parent\s*/\s*["']shared["']""")


def test_no_test_builds_a_path_to_the_corpus_except_the_helper():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"shared_corpus.py", "test_shared_corpus.py"}
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if DIRECT.search(line)
    ]
    assert offenders == []


def test_corpus_location_follows_the_environment(monkeypatch, tmp_path):
    import importlib

    monkeypatch.setenv(shared_corpus.ENV, str(tmp_path))
    moved = importlib.reload(shared_corpus)
    try:
        assert moved.ROOT == tmp_path
        assert moved.corpus_files("images") == []
        assert not moved.present("images")
        (tmp_path / "pcaps" / "a").mkdir(parents=True)
        (tmp_path / "pcaps" / "a" / "x.pcap").write_bytes(b"")
        assert moved.corpus_files("pcaps", pattern="*/*") == [tmp_path / "pcaps" / "a" / "x.pcap"]
    finally:
        monkeypatch.undo()
        importlib.reload(shared_corpus)


def test_a_missing_corpus_file_skips_the_test_with_the_reason(monkeypatch, tmp_path):
    import importlib

    import pytest

    monkeypatch.setenv(shared_corpus.ENV, str(tmp_path))
    moved = importlib.reload(shared_corpus)
    try:
        with pytest.raises(pytest.skip.Exception, match="shared corpus not found .*images/x.raw is missing"):
            moved.corpus_path("images", "x.raw")
    finally:
        monkeypatch.undo()
        importlib.reload(shared_corpus)

