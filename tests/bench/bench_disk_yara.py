"""Raw YARA scan of 1 GiB with a small rule set: ours (16 MiB windows) vs the ``yara`` command."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from disk_scan_common import make_blob, timed, timed_python

RSS_GOAL = 200
RULES = r"""
rule nightjar { strings: $a = "Operation Nightjar" ascii wide nocase condition: $a }
rule wallet { strings: $a = "bitcoin wallet" nocase $b = /invoice [0-9]{4}/ condition: any of them }
rule pdf_header { strings: $a = "%PDF-1." condition: $a }
rule png_header { strings: $a = { 89 50 4E 47 0D 0A 1A 0A 00 00 00 0D 49 48 44 52 } condition: $a }
"""


def run(workdir: Path) -> list[dict]:
    if shutil.which("yara") is None:
        return [{"name": "yara raw", "met": False, "note": "yara missing"}]
    blob, _ = make_blob(workdir)
    rules = workdir / "rules.yar"
    rules.write_text(RULES)
    theirs_s, out = timed(["yara", "-s", str(rules), str(blob)])
    theirs = len(re.findall(r"^0x[0-9a-f]+:", out, re.MULTILINE))
    code = (
        "from forensics_kit.yara import scan_raw\n"
        f"print(sum(len(m.strings) for m in scan_raw({str(blob)!r}, {str(rules)!r}, owners=False)))\n"
    )
    ours_s, rss, ours_out = timed_python(code)
    ratio = ours_s / theirs_s
    return [{
        "name": "yara raw 1 GiB, 4 rules (time ours/yara)", "ours_s": ours_s, "theirs_s": theirs_s,
        "tool": "yara -s", "ratio": ratio, "goal": "<= 1.2, RSS < 200 MiB",
        "met": ratio <= 1.2 and rss < RSS_GOAL, "peak_rss_mib": rss,
        "note": f"string matches ours {ours_out.strip()}, yara {theirs}",
    }]
