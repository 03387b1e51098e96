"""Damaged artefacts (truncated, bytes flipped): each reader gives one line of EvidenceError, never a traceback."""

from __future__ import annotations

import random

import pytest

from forensics_kit.errors import EvidenceError, NotFoundError
from forensics_kit.windows import parse_info, read_events, read_lnk
from forensics_kit.windows.registry import open_hive


def _read_hive(data: bytes) -> None:
    with open_hive(data, name="SYSTEM") as hive:
        for _ in hive.walk():
            pass


def _read_evtx(data: bytes) -> None:
    read_events(data, name="Security.evtx")


READERS = {
    "/Windows/System32/config/SYSTEM": _read_hive,
    "/Windows/System32/winevt/Logs/Security.evtx": _read_evtx,
    "/Users/anna/AppData/Roaming/Microsoft/Windows/Recent/Transfer plan.lnk": lambda d: read_lnk(d, name="x.lnk"),
}


def damaged(data: bytes, seed: int) -> list[bytes]:
    """Cuts at a few places (in the header, mid-structure, the last byte) and random byte flips."""
    rng = random.Random(seed)
    cuts = [data[:n] for n in (0, 3, 20, 75, 100, 511, 4096, 4100, len(data) // 2, len(data) - 1) if n < len(data)]
    flips = []
    for _ in range(25):
        copy = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            copy[rng.randrange(len(copy))] = rng.randrange(256)
        flips.append(bytes(copy))
    return cuts + flips


@pytest.mark.parametrize("path", sorted(READERS))
def test_truncated_or_corrupt_artefact_gives_a_one_line_evidence_error(wincase, path):
    read = READERS[path]
    for index, data in enumerate(damaged(wincase.files[path], seed=len(path))):
        try:
            read(data)
        except (EvidenceError, NotFoundError) as exc:
            assert "\n" not in str(exc) and str(exc), f"case {index}: {exc!r}"


def test_a_damaged_recycle_record_says_what_is_wrong(wincase):
    info = next(data for path, data in wincase.files.items() if "/$I" in path)
    for data, problem in ((info[:10], "at least 24 bytes"), (info[:30], "claims"),
                          (b"\x07" + info[1:], "unknown $I version 7")):
        with pytest.raises(EvidenceError, match=problem.replace("$", r"\$")) as caught:
            parse_info(data, "$IABC123.txt")
        assert "\n" not in str(caught.value) and str(caught.value).startswith("$IABC123.txt: ")


def test_a_file_of_another_kind_is_named_as_such():
    for read, word in ((lambda: open_hive(b"ElfFile\0" + bytes(100), name="x"), "registry hive"),
                       (lambda: read_events(b"regf" + bytes(100), name="x"), "EVTX"),
                       (lambda: read_lnk(b"regf" + bytes(100), name="x"), "shortcut")):
        with pytest.raises(EvidenceError, match=word):
            read()
