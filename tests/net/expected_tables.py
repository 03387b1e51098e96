"""Readers for the standard tools' outputs (tshark conversation tables, capinfos).

Used by the cross-checks on the shared corpus (stored outputs) and on our
generated captures (tshark run live).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

_CONV = re.compile(
    r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+) (bytes|kB|MB)\s+(\d+)\s+(\d+) (bytes|kB|MB)"
    r"\s+(\d+)\s+(\d+) (bytes|kB|MB)\s+([\d.]+)\s+([\d.]+)"
)
_UNIT = {"bytes": 1, "kB": 1000, "MB": 1_000_000}
TSHARK = shutil.which("tshark")
CAPINFOS = shutil.which("capinfos")


def parse_conv(text: str) -> list[dict]:
    """Rows of ``tshark -q -z conv,X``: a, b, frames/bytes each way and total."""
    rows = []
    for line in text.splitlines():
        m = _CONV.match(line)
        if m:
            g = m.groups()
            rows.append({
                "a": g[0], "b": g[1],
                "frames_ba": int(g[2]), "bytes_ba": (int(g[3]), _UNIT[g[4]]),
                "frames_ab": int(g[5]), "bytes_ab": (int(g[6]), _UNIT[g[7]]),
                "frames": int(g[8]), "bytes": (int(g[9]), _UNIT[g[10]]),
                "start": float(g[11]), "duration": float(g[12]),
            })
    return rows


def bytes_match(ours: int, theirs: tuple[int, int]) -> bool:
    """tshark prints large byte counts in kB/MB rounded down; compare at its precision."""
    value, unit = theirs
    return ours // unit in (value, value - 1) if unit > 1 else ours == value


def split_endpoint(text: str) -> tuple[str, int]:
    """``10.0.0.1:80`` or ``fe80::1:80`` -> (address, port)."""
    address, _, port = text.rpartition(":")
    return address, int(port)


def tally(rows: list[dict], with_ports: bool) -> dict:
    """Totals per unordered endpoint pair (tshark may split one 5-tuple into streams)."""
    out: dict = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        a = split_endpoint(row["a"]) if with_ports else (row["a"], None)
        b = split_endpoint(row["b"]) if with_ports else (row["b"], None)
        key = frozenset((a, b))
        out[key][0] += row["frames"]
        value, unit = row["bytes"]
        out[key][1] += value
        out[key][2] = max(out[key][2], unit)
    return dict(out)


def capinfos_field(text: str, name: str) -> str | None:
    """The value of one ``Name:  value`` line of capinfos output."""
    for line in text.splitlines():
        if line.startswith(name + ":"):
            return line.split(":", 1)[1].strip()
    return None


def run(args: list[str]) -> str:
    """Run a tool with a fixed environment and return its standard output."""
    return subprocess.run(
        args, capture_output=True, text=True, check=True, timeout=120,
        env={"TZ": "UTC", "LC_ALL": "C", "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"},
    ).stdout


def tshark_fields(path: Path, fields: list[str], display_filter: str,
                  extra: tuple[str, ...] = ()) -> list[list[str]]:
    """``tshark -T fields`` rows for a display filter."""
    args = [TSHARK, "-n", "-r", str(path), *extra, "-T", "fields"]
    for field in fields:
        args += ["-e", field]
    out = run(args + ["-Y", display_filter])
    return [line.split("\t") for line in out.splitlines() if line.strip()]
