"""``fklab disk search|carve|yara`` end to end: JSON output, carved files, one-line errors."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "disk"))
import carve_samples  # noqa: E402


def lines(result: subprocess.CompletedProcess[str]) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def fklab(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FKLAB_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "forensics_kit.cli.main", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_search_carve_and_yara_on_a_blob(tmp_path: Path) -> None:
    rng = random.Random(1)
    png = carve_samples.png(rng)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x00" * 1000 + b"Secret Key" + b"\x00" * 1014 + png + b"\x00" * 100)
    hits = lines(fklab("disk", "search", str(blob), "secret key", "--json"))
    assert [(h["offset"], h["owner"]["kind"]) for h in hits] == [(1000, "unpartitioned")]
    out = tmp_path / "carved"
    rows = lines(fklab("disk", "carve", str(blob), "--out", str(out), "--json"))
    assert [(r["offset"], r["type"]) for r in rows] == [(2024, "png")]
    assert (out / "2024.png").read_bytes() == png and (out / "report.csv").exists()
    rules = tmp_path / "r.yar"
    rules.write_text('rule key { strings: $k = "Secret" condition: $k }')
    raw = lines(fklab("disk", "yara", str(blob), str(rules), "--raw", "--json"))
    assert [(m["rule"], m["offset"], m["strings"][0]["identifier"]) for m in raw] == [("key", 1000, "$k")]


def test_bad_rules_file_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    rules = tmp_path / "bad.yar"
    rules.write_text("rule x {\n  condition: oops\n}\n")
    blob = tmp_path / "b.bin"
    blob.write_bytes(b"\x00" * 4096)
    result = fklab("disk", "yara", str(blob), str(rules), "--raw")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f'Error: {rules}: line 2: undefined identifier "oops"']
