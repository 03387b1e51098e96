"""Carving 1 GiB (600 planted JPEG/PNG/GIF/PDF/ZIP/DOCX files in random filler): ours vs foremost,
same types, same blob; peak RSS of our side; and we find at least every file foremost finds."""

from __future__ import annotations

import shutil
from pathlib import Path

from disk_scan_common import make_blob, timed, timed_python

RSS_GOAL = 200


def run(workdir: Path) -> list[dict]:
    if shutil.which("foremost") is None:
        return [{"name": "carve", "met": False, "note": "foremost missing"}]
    blob, planted = make_blob(workdir)
    # foremost's default mode looks for headers at every byte, as we do; -q (quick) only at sector starts
    quick_s, _ = timed(["foremost", "-q", "-t", "jpg,png,gif,pdf,zip", "-i", str(blob), "-o", str(workdir / "fq")])
    out = workdir / "foremost"
    theirs_s, _ = timed(["foremost", "-t", "jpg,png,gif,pdf,zip", "-i", str(blob), "-o", str(out)])
    theirs = {int(f.stem) * 512 for f in out.rglob("*") if f.is_file() and f.stem.isdigit()}
    code = (
        "from forensics_kit.disk.carving import carve\n"
        f"found = list(carve({str(blob)!r}, {str(workdir / 'ours')!r}, types=['jpg','png','gif','pdf','zip']))\n"
        "print(' '.join(str(c.offset) for c in found))\n"
    )
    ours_s, rss, out_text = timed_python(code)
    ours = {int(x) for x in out_text.split()}
    missing = theirs - ours
    ratio = ours_s / theirs_s
    return [{
        "name": "carve 5 types (time ours/foremost)", "ours_s": ours_s, "theirs_s": theirs_s,
        "tool": "foremost (every byte)", "ratio": ratio, "goal": "< 1.0, RSS < 200 MiB, >= foremost's files",
        "met": ratio < 1.0 and rss < RSS_GOAL and not missing, "peak_rss_mib": rss,
        "note": f"planted {len(planted)}, ours {len(ours)}, foremost {len(theirs)}, foremost-only {len(missing)}; "
                f"foremost -q (sector starts only) took {quick_s:.2f}s",
    }]
