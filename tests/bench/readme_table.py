"""Print the README's speed table from one run's ``bench/results/latest.json`` (or a given file).

``python tests/bench/readme_table.py [results.json]`` writes Markdown rows in the README's
columns: benchmark, ours, standard tool with its time, ratio, goal, met, our peak RSS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results" / "latest.json"


def _seconds(value: float | None) -> str:
    if not value:
        return "-"
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def table(rows: list[dict]) -> str:
    lines = ["| benchmark | ours | standard tool (same run) | ratio | goal | met | our peak RSS |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        if row.get("info"):
            met = "info"
        else:
            met = "yes" if row.get("met") else "**no**"
        ratio = row.get("ratio")
        ratio_text = "-" if ratio is None else f"{ratio:.2f}"
        if not row.get("info") and not row.get("met") and ratio is not None:
            ratio_text = f"**{ratio_text}**"
        tool = row.get("tool") or "-"
        theirs = f"{tool} {_seconds(row.get('theirs_s'))}" if row.get("theirs_s") else tool
        rss = row.get("peak_rss_mib")
        lines.append(f"| {row['name']} | {_seconds(row.get('ours_s'))} | {theirs} | {ratio_text} | "
                     f"{row.get('goal', '-')} | {met} | {'-' if rss is None else f'{rss:.0f} MiB'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS
    print(table(json.loads(path.read_text("utf-8"))))
