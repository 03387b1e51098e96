"""Shared by the disk search/carve/YARA benchmarks: a 1 GiB blob with planted files and
keywords, and a timer that runs one side in a child process and reads its peak RSS."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIZE = 1 << 30
KEYWORDS = ["Operation Nightjar", "bitcoin wallet", "invoice 4471", "Пароль", "drop point",
            "meridian", "courier", "ledger"]


def make_blob(workdir: Path, size: int = SIZE, count: int = 600) -> tuple[Path, dict[int, tuple[str, bytes]]]:
    """The blob (cached in workdir): random filler, ``count`` carvable files, each keyword 40 times
    in ASCII and 10 times in UTF-16LE."""
    sys.path.insert(0, str(REPO / "tests" / "disk"))
    import carve_samples

    path = workdir / "blob.bin"
    planted = carve_samples.make_blob(path, size, count)
    with open(path, "r+b") as out:
        step = size // (len(KEYWORDS) * 50 + 1)
        n = 0
        for word in KEYWORDS:
            for copy in range(50):
                n += 1
                data = word.encode("utf-16le") if copy % 5 == 0 else word.encode()
                out.seek(n * step + 300)
                out.write(data)
    with open(path, "rb") as handle:  # warm the page cache so both sides read from memory
        while handle.read(16 << 20):
            pass
    return path, planted


def timed(argv: list[str]) -> tuple[float, str]:
    """Run the standard tool; (wall seconds, stdout). Exit 1 (grep: no match) is not an error."""
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[0]} failed: {proc.stderr.decode(errors='replace')[-300:]}")
    return wall, proc.stdout.decode("utf-8", "replace")


def timed_python(code: str) -> tuple[float, float, str]:
    """Run our side in a fresh interpreter; (wall seconds, peak RSS MiB, stdout)."""
    argv = [sys.executable, "-c", code]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode("utf-8", "replace")
    err = proc.stderr.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"our side failed: {err[-500:]}")
    return wall, usage.ru_maxrss / 1024, out
