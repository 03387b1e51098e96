"""Shared by the benchmarks: side-by-side medians of wall time and peak RSS of child processes.

Each measured command runs in its own process, ours and theirs alternately (so a burst of
load from the other users of a shared machine hits both sides alike), and the median of
``runs`` wall times is kept. Peak RSS comes from ``os.wait4`` of that child alone.

Our side runs with byte-code caching on, as an installed fklab does (pip compiles
``.pyc`` files at install): when the environment sets ``PYTHONDONTWRITEBYTECODE``, every
start would compile every module from source instead, which no user's fklab does.
The cache goes to a scratch folder (``PYTHONPYCACHEPREFIX``), never into the checkout.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PY = sys.executable
FKLAB = str(Path(PY).with_name("fklab"))
RUNS = 7
_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def python_env(scratch: Path) -> dict[str, str]:
    """The environment of our side: byte-code cached in ``scratch/pycache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return env


def run_once(args: list[str], env: dict[str, str] | None = None, stdout=subprocess.DEVNULL,
             cwd: Path = REPO, ok: tuple[int, ...] = (0,)) -> tuple[float, float, bytes]:
    """Run ``args`` to completion: (wall seconds, peak RSS MiB, stdout if piped).

    The peak RSS is read by ``/usr/bin/time`` when present: on Linux a child's own
    ``ru_maxrss`` starts from its parent's size at fork, which a bench process that
    generated a big input would inflate.
    """
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile("r") as usage_file:
        prefix = [_TIME, "-f", "%M", "-o", usage_file.name] if _TIME else []
        start = time.perf_counter()
        proc = subprocess.Popen(prefix + args, stdout=stdout, stderr=errors, env=env, cwd=cwd)
        out = proc.stdout.read() if proc.stdout else b""
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-400:]
            raise RuntimeError(f"{' '.join(map(str, args))} exited {code}: {message}")
        lines = usage_file.read().split()
        peak_kib = int(lines[-1]) if _TIME and lines and lines[-1].isdigit() else usage.ru_maxrss
    return wall, peak_kib / 1024, out


def side_by_side(ours: list[str], theirs: list[str], env: dict[str, str], runs: int = RUNS,
                 theirs_env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Median wall time of ours and of theirs over ``runs`` alternate runs, and our peak RSS (MiB)."""
    run_once(ours, env)  # warm: byte-code cache and page cache
    run_once(theirs, theirs_env)
    ours_s, theirs_s, rss = [], [], 0.0
    for _ in range(runs):
        wall, peak, _ = run_once(ours, env)
        ours_s.append(wall)
        rss = max(rss, peak)
        theirs_s.append(run_once(theirs, theirs_env)[0])
    return statistics.median(ours_s), statistics.median(theirs_s), rss


def row(name: str, ours_s: float, theirs_s: float, tool: str, goal: float, *, rss: float | None = None,
        note: str = "", rss_goal: float | None = None) -> dict:
    """One result row, ratio = ours / theirs, met when ``ratio <= goal`` (and RSS under ``rss_goal``)."""
    ratio = ours_s / theirs_s if theirs_s else None
    met = ratio is not None and ratio <= goal and (rss_goal is None or (rss is not None and rss < rss_goal))
    return {"name": name, "ours_s": round(ours_s, 4), "theirs_s": round(theirs_s, 4), "tool": tool,
            "ratio": round(ratio, 3) if ratio is not None else None,
            "goal": f"<= {goal}" + (f" and peak RSS < {rss_goal:g} MiB" if rss_goal else ""), "met": met,
            "peak_rss_mib": round(rss, 1) if rss is not None else None, "note": note}
