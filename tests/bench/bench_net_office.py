"""Many conversations and big tables: ``fklab net flows`` on an office's hour, against tshark.

Inputs (:mod:`office_capture`, cached in ``FKLAB_BENCH_NET_INPUTS`` when set): 200,000
packets in ~70,000 conversations, and 1,000,000 packets in ~500,000. Each side is the
whole command in its own process, start-up included, alternately, median of a few runs:

- ``fklab net flows --json`` against ``tshark -n -q -z conv,tcp`` (goals <= 0.6 and <= 0.5,
  peak RSS < 300 MiB on the big one);
- the tables of ``net flows`` and ``net stream`` against their own ``--json`` on the big
  capture (goals: time <= 1.5x and peak RSS <= 2x of the JSON run). Output goes to a pipe
  that is read and dropped, as a pager would.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
from pathlib import Path

from timing_common import FKLAB, PY, python_env, row, run_once, side_by_side

SMALL = (200_000, 70_000)
BIG = (1_000_000, 500_000)


def _generated(folder: Path, packets: int, conversations: int) -> tuple[Path, dict]:
    """The capture, written (or reused) by a child process, so this one stays small."""
    code = ("import json, sys; from pathlib import Path; from office_capture import write_office_capture; "
            "path, facts = write_office_capture(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])); "
            "print(json.dumps([str(path), facts]))")
    done = subprocess.run([PY, "-c", code, str(folder), str(packets), str(conversations)], check=True,
                          capture_output=True, text=True, cwd=Path(__file__).parent)
    path, facts = json.loads(done.stdout.splitlines()[-1])
    return Path(path), facts


def _piped(args: list[str], env: dict[str, str], runs: int) -> tuple[float, float, int]:
    """Median wall time and peak RSS of ``args`` with stdout drained through a pipe; lines written."""
    walls, peak, lines = [], 0.0, 0
    for _ in range(runs):
        wall, rss, out = run_once(args, env, stdout=subprocess.PIPE)
        walls.append(wall)
        peak = max(peak, rss)
        lines = out.count(b"\n")
    return statistics.median(walls), peak, lines


def _table_rows(name: str, command: list[str], env: dict[str, str], runs: int) -> list[dict]:
    json_s, json_rss, json_lines = _piped(command + ["--json"], env, runs)
    table_s, table_rss, table_lines = _piped(command, env, runs)
    time_row = row(f"{name}: table vs --json (time)", table_s, json_s, "same command --json", 1.5,
                   rss=table_rss, note=f"{json_lines:,} JSON lines, {table_lines:,} table lines")
    memory = table_rss / json_rss
    memory_row = {"name": f"{name}: table vs --json (peak RSS)", "ours_s": round(table_s, 3),
                  "theirs_s": round(json_s, 3), "tool": "same command --json", "ratio": round(memory, 3),
                  "goal": "<= 2.0", "met": memory <= 2.0, "peak_rss_mib": round(table_rss, 1),
                  "note": f"table {table_rss:.0f} MiB, --json {json_rss:.0f} MiB"}
    return [time_row, memory_row]


def run(workdir: Path) -> list[dict]:
    tshark = shutil.which("tshark")
    if tshark is None:
        return [{"name": "net office (tshark missing)", "met": False, "note": "apt-get install tshark"}]
    keep = os.environ.get("FKLAB_BENCH_NET_INPUTS")
    inputs = Path(keep) if keep else workdir
    inputs.mkdir(parents=True, exist_ok=True)
    env = python_env(workdir)
    rows = []
    captures = {}
    for packets, conversations in (SMALL, BIG):
        path, facts = _generated(inputs, packets, conversations)
        captures[packets] = path
        print(f"  {path.name}: {facts['packets']:,} packets, {facts['conversations']:,} conversations "
              f"({facts['tcp_conversations']:,} TCP)", flush=True)
        runs = 5 if packets == SMALL[0] else 3
        ours, theirs, rss = side_by_side([FKLAB, "net", "flows", "--json", str(path)],
                                         [tshark, "-n", "-q", "-z", "conv,tcp", "-r", str(path)], env, runs)
        label = f"{packets // 1000}k packets / {facts['conversations'] // 1000}k conversations"
        if packets == SMALL[0]:
            rows.append(row(f"flows --json, office {label}", ours, theirs, "tshark -q -z conv,tcp", 0.6, rss=rss,
                            note=f"median of {runs}; start-up included"))
        else:
            rows.append(row(f"flows --json, office {label}", ours, theirs, "tshark -q -z conv,tcp", 0.5, rss=rss,
                            rss_goal=300, note=f"median of {runs}; start-up included"))
    rows += _table_rows("net flows, office 1M", [FKLAB, "net", "flows", str(captures[BIG[0]])], env, 3)
    rows += _table_rows("net stream, office 1M", [FKLAB, "net", "stream", str(captures[BIG[0]])], env, 3)
    return rows


if __name__ == "__main__":
    import tempfile

    print(json.dumps(run(Path(tempfile.mkdtemp(prefix="bench-office-"))), indent=2))
