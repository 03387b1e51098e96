"""Scan a byte source of any size with YARA in bounded windows that overlap.

Memory stays flat (one window plus the overlap) whatever the size of the image.
Each window owns the match *starts* in its first ``window`` bytes; the overlap
only lets a match that starts there run on into the next window. So a match
starting anywhere is reported exactly once, and one up to ``overlap`` bytes long
is found even when it straddles a window boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yara

from forensics_kit.yara.rules import Rules, YaraRuleError

Reader = Callable[[int, int], bytes]
Progress = Callable[[str, int, int], None] | None

WINDOW = 16 << 20
OVERLAP = 1 << 16
PREVIEW = 32  # bytes of matched data kept per string match


@dataclass(slots=True)
class Window:
    """One window of the source: ``data`` starts at absolute ``offset``; matches starting
    at ``data[:keep]`` belong to it."""

    offset: int
    data: bytes
    keep: int


@dataclass(slots=True)
class StringHit:
    """One match of one string: identifier, absolute offset, length and the first bytes."""

    identifier: str
    offset: int
    length: int
    data: bytes


@dataclass(slots=True)
class RuleHit:
    """A rule that matched in one window, with its string matches (absolute offsets)."""

    rule: str
    tags: list[str]
    meta: dict[str, Any]
    strings: list[StringHit] = field(default_factory=list)


def iter_windows(
    read: Reader,
    start: int,
    end: int,
    *,
    window: int = WINDOW,
    overlap: int = OVERLAP,
    progress: Progress = None,
    step: str = "scanning",
) -> Iterator[Window]:
    """Read ``[start, end)`` as overlapping windows; ``read(offset, size)`` returns bytes."""
    if window <= 0 or overlap < 0:
        raise ValueError("window must be positive and overlap not negative")
    offset = start
    while offset < end:
        want = min(window + overlap, end - offset)
        data = read(offset, want)
        if not data:
            return
        keep = min(window, len(data)) if offset + len(data) < end else len(data)
        yield Window(offset, data, keep)
        offset += window
        if progress:
            progress(step, min(offset, end) - start, end - start)


def match_window(rules: Rules, win: Window, *, timeout: int = 600) -> list[RuleHit]:
    """Run the rules on one window; keep string matches that start in the window's own part.

    A rule whose strings all matched in the overlap only is left for the next window.

    Raises:
        YaraRuleError: YARA refused the scan (timeout, too many matches...).
    """
    try:
        matches = rules.compiled.match(data=win.data, timeout=timeout)
    except yara.Error as exc:
        raise YaraRuleError(rules.source, f"scan failed at byte {win.offset}: {' '.join(str(exc).split())}") from exc
    return convert_matches(matches, win.offset, win.keep)


def convert_matches(matches: list[yara.Match], base: int, keep: int | None) -> list[RuleHit]:
    """yara-python matches as :class:`RuleHit` values with offsets moved by ``base``."""
    hits: list[RuleHit] = []
    for match in matches:
        strings = [
            StringHit(s.identifier, base + inst.offset, inst.matched_length, bytes(inst.matched_data[:PREVIEW]))
            for s in match.strings
            for inst in s.instances
            if keep is None or inst.offset < keep
        ]
        if keep is not None and match.strings and not strings:
            continue
        strings.sort(key=lambda h: (h.offset, h.identifier))
        hits.append(RuleHit(match.rule, list(match.tags), dict(match.meta), strings))
    return hits


def scan_reader(
    read: Reader,
    start: int,
    end: int,
    rules: Rules,
    *,
    window: int = WINDOW,
    overlap: int = OVERLAP,
    progress: Progress = None,
    step: str = "yara",
) -> Iterator[tuple[Window, list[RuleHit]]]:
    """Scan ``[start, end)`` window by window; yield each window with its rule hits.

    Rules whose conditions need the whole object (``filesize``, counts over all of it)
    are evaluated per window: a raw scan sees windows, not files.
    """
    for win in iter_windows(read, start, end, window=window, overlap=overlap, progress=progress, step=step):
        yield win, match_window(rules, win)
