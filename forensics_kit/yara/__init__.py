"""YARA over evidence: compile rules with one-line errors, scan files, streams and raw media.

::

    from forensics_kit.disk import open_image
    from forensics_kit.yara import compile_rules, scan_files, scan_raw

    rules = compile_rules("rules.yar")
    with open_image("usb.dd") as img:
        for match in scan_files(img, rules):        # every file, deleted ones too
            print(match.rule, match.path, match.allocated)
    for match in scan_raw("usb.dd", rules):         # the media, slack and unallocated too
        print(match.rule, match.offset, match.owner.describe())
"""

from __future__ import annotations

from forensics_kit.yara.rules import Rules, YaraRuleError, compile_rules
from forensics_kit.yara.scan import YaraMatch, scan_files, scan_raw
from forensics_kit.yara.windows import OVERLAP, WINDOW, RuleHit, StringHit, iter_windows, scan_reader

__all__ = [
    "OVERLAP",
    "WINDOW",
    "RuleHit",
    "Rules",
    "StringHit",
    "YaraMatch",
    "YaraRuleError",
    "compile_rules",
    "iter_windows",
    "scan_files",
    "scan_raw",
    "scan_reader",
]
