"""Start-up a trainee feels: whole ``fklab`` commands on lab-sized evidence, against the standard tools.

Every row runs the installed console script (``.venv/bin/fklab``) in a fresh process,
start-up included, alternately with the standard tool, median of :data:`RUNS`:

- ``fklab --version`` against ``python -c pass`` of the same interpreter (the floor any
  Python command pays; the ``python3`` on ``PATH`` may be a slower version-manager shim);
- ``fklab disk ls`` on disk-01's image against ``fls -r -p``;
- ``fklab net summary`` and ``fklab net flows`` on net-01's capture against
  ``tshark -n -r FILE -q -z io,stat,0``;
- ``fklab lab check`` of a 12-question lab (intro-01, answers by the reference solver,
  graded against the key as in an instructor's checkout) against ``fklab --version``.

The evidence is the course's own default build (``fklab datasets build``, cached).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from timing_common import FKLAB, PY, REPO, python_env, row, run_once, side_by_side

RUNS = 11
LAB = "intro-01"


def _evidence(env: dict[str, str], case: str, pattern: str) -> Path:
    found = sorted((REPO / "datasets" / "build" / case / "default").glob(pattern))
    if not found:
        raise RuntimeError(f"no {pattern} in the build of {case}")
    return found[0]


def run(workdir: Path) -> list[dict]:
    missing = [t for t in ("fls", "tshark") if shutil.which(t) is None]
    if missing:
        return [{"name": "start-up", "met": False, "note": f"skipped: missing {', '.join(missing)}"}]
    env = python_env(workdir)
    run_once([FKLAB, "datasets", "build", "disk-01", "net-01", LAB], env)
    image = _evidence(env, "disk-01", "*.dd")
    capture = _evidence(env, "net-01", "*.pcap")
    answers = workdir / "answers.yaml"
    run_once([FKLAB, "lab", "solve", LAB, "--out", str(answers)], env)
    tshark = [shutil.which("tshark") or "tshark", "-n", "-r", str(capture), "-q", "-z", "io,stat,0"]
    rows = []

    ours, theirs, rss = side_by_side([FKLAB, "--version"], [PY, "-c", "pass"], env, RUNS, env)
    version_s = ours
    rows.append(row("start-up: fklab --version vs python -c pass", ours, theirs, "python -c pass", 3.0, rss=rss,
                    note=f"same interpreter ({PY}); median of {RUNS}"))

    ours, theirs, rss = side_by_side([FKLAB, "disk", "ls", str(image)], ["fls", "-r", "-p", str(image)], env, RUNS)
    rows.append(row("start-up: fklab disk ls (disk-01) vs fls -r -p", ours, theirs, "fls -r -p", 5.0, rss=rss,
                    note=f"{image.name}, {image.stat().st_size >> 20} MiB; table output"))

    for what in ("summary", "flows"):
        ours, theirs, rss = side_by_side([FKLAB, "net", what, str(capture)], tshark, env, RUNS)
        rows.append(row(f"start-up: fklab net {what} (net-01) vs tshark io,stat", ours, theirs,
                        "tshark -q -z io,stat,0", 0.6, rss=rss,
                        note=f"{capture.name}, {capture.stat().st_size:,} bytes"))

    check = [FKLAB, "lab", "check", LAB, str(answers)]
    ours, version_s, rss = side_by_side(check, [FKLAB, "--version"], env, RUNS, env)
    rows.append(row(f"start-up: fklab lab check ({LAB}, 12 questions) vs fklab --version", ours, version_s,
                    "fklab --version", 2.0, rss=rss, note="plain key (instructor's checkout)"))
    return rows


if __name__ == "__main__":
    import json
    import tempfile

    print(json.dumps(run(Path(tempfile.mkdtemp(prefix="bench-startup-"))), indent=2))
