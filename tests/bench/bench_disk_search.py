"""Keyword search over 1 GiB: one literal vs ``grep -c -a -F``; 8 keywords (ASCII + UTF-16LE,
any case) in one pass vs 8 sequential ``grep -c -a -F -i`` runs; peak RSS of our side; and
one term against two with ``disk search``'s defaults (any case, ASCII + UTF-16LE): one
term must not be slower (median of 5 alternate runs each)."""

from __future__ import annotations

import shutil
import statistics
from pathlib import Path

from disk_scan_common import KEYWORDS, make_blob, timed, timed_python

RSS_GOAL = 200


def _ours(blob: Path, terms: list[str], case_sensitive: bool, encodings: tuple[str, ...]) -> str:
    return (
        "from forensics_kit.disk.search import search_image\n"
        f"hits = list(search_image({str(blob)!r}, {terms!r}, ignore_case={not case_sensitive}, "
        f"encodings={encodings!r}, owners=False))\n"
        "print(len(hits))\n"
    )


def run(workdir: Path) -> list[dict]:
    if shutil.which("grep") is None:
        return [{"name": "search", "met": False, "note": "grep missing"}]
    blob, _ = make_blob(workdir)
    rows = []
    term = KEYWORDS[0]
    theirs_s, out = timed(["grep", "-c", "-a", "-F", term, str(blob)])
    ours_s, rss, ours_out = timed_python(_ours(blob, [term], True, ("ascii",)))
    ratio = theirs_s / ours_s
    rows.append({
        "name": "search 1 literal (throughput ours/grep)", "ours_s": ours_s, "theirs_s": theirs_s,
        "tool": "grep -c -a -F", "ratio": ratio, "goal": ">= 0.5 and RSS < 200 MiB",
        "met": ratio >= 0.5 and rss < RSS_GOAL, "peak_rss_mib": rss,
        "note": f"hits ours {ours_out.strip()}, grep lines {out.strip()}",
    })
    theirs_s = 0.0
    for word in KEYWORDS:
        seconds, _ = timed(["grep", "-c", "-a", "-F", "-i", word, str(blob)])
        theirs_s += seconds
    ours_s, rss, ours_out = timed_python(_ours(blob, KEYWORDS, False, ("ascii", "utf-16le")))
    ratio = ours_s / theirs_s
    rows.append({
        "name": "search 8 terms ascii+utf16 nocase (time ours/8 greps)", "ours_s": ours_s, "theirs_s": theirs_s,
        "tool": "8 x grep -c -a -F -i", "ratio": ratio, "goal": "RSS < 200 MiB (report ratio)",
        "met": rss < RSS_GOAL, "peak_rss_mib": rss,
        "note": f"ours {ours_out.strip()} hits in one pass incl. UTF-16LE; grep runs are ASCII only",
    })
    one, two = [], []
    for _ in range(5):
        one.append(timed_python(_ours(blob, KEYWORDS[:1], False, ("ascii", "utf-16le")))[0])
        two.append(timed_python(_ours(blob, KEYWORDS[:2], False, ("ascii", "utf-16le")))[0])
    ours_s, theirs_s = statistics.median(one), statistics.median(two)
    rows.append({
        "name": "search 1 term vs 2 terms (defaults: nocase, ascii+utf16)", "ours_s": ours_s,
        "theirs_s": theirs_s, "tool": "ours with 2 terms", "ratio": ours_s / theirs_s, "goal": "<= 1.0",
        "met": ours_s / theirs_s <= 1.0, "note": f"terms {KEYWORDS[:2]}; median of 5 alternate runs each",
    })
    return rows
