"""``make demo``: the main flow, shown with the real commands a trainee and instructor type.

Builds the datasets, lists the labs, then for each foundation lab starts a workspace,
lets the reference solver fill in the answers and grades them; finally grades a small
class. Output goes to ``demo-out/`` (git-ignored).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

LABS = ("disk-01", "net-01", "case-01")  # one disk lab, one network lab, the capstone


# What a trainee looks at first in each lab, before the solver answers for them.
_FIRST_LOOK = {
    "disk-01": [("disk", "info", "usb.dd"), ("disk", "ls", "usb.dd", "--deleted")],
    "net-01": [("net", "summary", "capture.pcap"), ("net", "dns", "capture.pcap")],
    "case-01": [("disk", "authlog", "server-root.dd", "/var/log/auth.log", "--year", "2024", "--summary"),
                ("net", "detect", "uplink.pcap")],
}


def _run(args: list[str], *, check: bool = True) -> int:
    print(f"\n$ {shlex.join(['fklab', *args])}", flush=True)
    exe = Path(sys.executable).with_name("fklab")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "forensics_kit.cli.main"]
    rc = subprocess.run([*cmd, *args], check=False).returncode
    if check and rc != 0:
        sys.exit(f"demo: `fklab {' '.join(args)}` failed with exit code {rc}")
    return rc


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    os.chdir(root)
    out = root / "demo-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    print("== Trainer: build the case datasets from their recipes ==")
    _run(["datasets", "build"])
    _run(["datasets", "verify"])
    print("\n== Trainee: see the labs ==")
    _run(["lab", "list"])
    for lab in LABS:
        print(f"\n== Trainee: lab {lab} ==")
        _run(["lab", "start", lab, "--dir", str(out / lab), "--name", "Demo Trainee", "--trainee", "demo"])
        for args in _FIRST_LOOK.get(lab, []):
            _run([args[0], args[1], str(out / lab / "evidence" / args[2]), *args[3:]])
        print("\n(the reference solver plays the trainee: it answers from the evidence with forensics_kit)")
        _run(["lab", "solve", lab, "--variant", "demo", "--out", str(out / lab / "answers.yaml")])
        _run(["lab", "check", lab, str(out / lab / "answers.yaml")])
    print("\n== Trainee, in Russian ==")
    _run(["--lang", "ru", "lab", "check", "net-01", str(out / "net-01" / "answers.yaml")])
    print("\n== Instructor: grade a class ==")
    class_dir = out / "class-net-01"
    class_dir.mkdir()
    shutil.copyfile(out / "net-01" / "answers.yaml", class_dir / "demo.yaml")
    (class_dir / "blank.yaml").write_text(
        "lab: net-01\ntrainee: {name: Blank, id: t2}\nanswers:\n  packets: 12\n", "utf-8"
    )
    (class_dir / "broken.yaml").write_text("lab: net-01\nanswers: [\n", "utf-8")
    _run(["grade", "net-01", str(class_dir), "--out", str(out / "gradebook-net-01")])
    print(f"\nThe class report: {out / 'gradebook-net-01' / 'report.html'} (open it in a browser)")
    print("\nDemo finished: every lab above was solved from its evidence and graded at full marks.")


if __name__ == "__main__":
    main()
