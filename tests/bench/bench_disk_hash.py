"""Benchmark: hashing a 1 GiB evidence file, ours against openssl and md5sum.

Rows: SHA-256 throughput against ``openssl dgst -sha256`` (ratio = our throughput /
theirs, goal >= 0.9) and MD5+SHA-1+SHA-256 in one pass against ``md5sum`` alone
(ratio = our wall time / theirs, goal <= 1.0), each best of 3, with our peak RSS
(goal < 200 MiB). The input is random-looking data made fast: 1 MiB of urandom
repeated with a counter in every block, so no block repeats and nothing is sparse.

A last row times the command a trainee types, ``fklab disk hash`` (MD5, SHA-1 and
SHA-256) of 512 MiB, start-up included, against ``md5sum`` alone, median of 5 alternate runs.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = 1 << 30
REPEAT = 3
RSS_GOAL_MIB = 200

_HASHER = """
import resource, sys
from forensics_kit.hashing import hash_file
hash_file(sys.argv[1], sys.argv[2].split(","))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def make_input(path: Path, size: int = SIZE) -> Path:
    block = bytearray(os.urandom(1 << 20))
    with open(path, "wb") as out:
        for number in range(size >> 20):
            struct.pack_into("<Q", block, 0, number)  # every MiB differs
            out.write(block)
    return path


def _best(args: list[str]) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(REPEAT):
        start = time.perf_counter()
        proc = subprocess.run(args, check=True, stdout=subprocess.PIPE, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
        out = proc.stdout.decode()
    return best, out


def run(workdir: Path) -> list[dict]:
    missing = [t for t in ("openssl", "md5sum") if shutil.which(t) is None]
    if missing:
        return [{"name": "hash", "met": False, "note": f"skipped: missing {', '.join(missing)}"}]
    data = make_input(workdir / "evidence.bin")
    subprocess.run(["cat", str(data)], check=True, stdout=subprocess.DEVNULL)  # page cache warm for both sides
    rows = []
    ours, out = _best([sys.executable, "-c", _HASHER, str(data), "sha256"])
    theirs, _ = _best(["openssl", "dgst", "-sha256", str(data)])
    rss = int(out.split()[-1]) / 1024
    rows.append({
        "name": "SHA-256 of 1 GiB vs openssl (throughput ratio)",
        "ours_s": ours, "theirs_s": theirs, "tool": "openssl dgst -sha256",
        "ratio": theirs / ours, "goal": ">= 0.9", "met": theirs / ours >= 0.9 and rss < RSS_GOAL_MIB,
        "peak_rss_mib": rss, "note": f"{SIZE / ours / 1e6:.0f} MB/s ours, {SIZE / theirs / 1e6:.0f} MB/s openssl",
    })
    ours, out = _best([sys.executable, "-c", _HASHER, str(data), "md5,sha1,sha256"])
    theirs, _ = _best(["md5sum", str(data)])
    rss = int(out.split()[-1]) / 1024
    rows.append({
        "name": "MD5+SHA-1+SHA-256 one pass vs md5sum alone (time ratio)",
        "ours_s": ours, "theirs_s": theirs, "tool": "md5sum",
        "ratio": ours / theirs, "goal": "<= 1.0", "met": ours / theirs <= 1.0 and rss < RSS_GOAL_MIB,
        "peak_rss_mib": rss, "note": f"{os.cpu_count()} cores; includes interpreter start-up",
    })
    data.unlink()
    rows.append(_command_row(workdir))
    return rows


def _command_row(workdir: Path) -> dict:
    from timing_common import FKLAB, python_env, row, side_by_side

    data = make_input(workdir / "evidence-512m.bin", 512 << 20)
    subprocess.run(["cat", str(data)], check=True, stdout=subprocess.DEVNULL)
    ours, theirs, rss = side_by_side([FKLAB, "disk", "hash", str(data)], ["md5sum", str(data)],
                                     python_env(workdir), 5)
    data.unlink()
    return row("fklab disk hash (MD5+SHA-1+SHA-256) 512 MiB vs md5sum", ours, theirs, "md5sum", 1.0, rss=rss,
               rss_goal=RSS_GOAL_MIB, note=f"{os.cpu_count()} cores; start-up included; median of 5")


if __name__ == "__main__":
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
