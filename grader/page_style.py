"""One visual style for every page the grader writes (class report, course view, feedback).

Pages open from a USB stick with no network, so the style is inline CSS. Long values (hashes,
paths, URLs, Russian words) wrap inside their cell instead of pushing it out of its section, and
wide tables scroll inside their own box: nothing overflows a section at 800 px or 1400 px.
"""

from __future__ import annotations

__all__ = ["CSS"]

CSS = (
    "body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1c2430;"
    "background:#fff}h1{font-size:1.5rem;overflow-wrap:anywhere}h2{font-size:1.15rem;margin-top:2rem;"
    "border-bottom:2px solid #dde3ea}section{margin-bottom:1.5rem}.scroll{overflow-x:auto;max-width:100%}"
    "table{border-collapse:collapse;width:100%}td,th{border:1px solid #cfd6de;padding:.3rem .5rem;"
    "text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#eef2f6}"
    "code{overflow-wrap:anywhere;word-break:break-word}.num{text-align:right;white-space:nowrap}"
    "svg.hist{max-width:100%;height:auto}.low{color:#b3261e}.flag{color:#9a3412}.help td:first-child{"
    "border-left:4px solid #b3261e}.note{background:#fff4d6;padding:.5rem;border-left:4px solid #e0a800}"
    ".warn{background:#fff4d6;padding:.5rem;border-left:4px solid #e0a800}.missing,.pending,.absent{color:#5f6b7a}"
    ".correct{color:#17703a}.partial{color:#9a6500}.wrong{color:#b3261e}svg text{font:12px system-ui,sans-serif;"
    "fill:#1c2430}"
)
