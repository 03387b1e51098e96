"""Tables of real commands on lab evidence fit 80 and 120 columns and never split a value that must be
read whole (an IP address, a time, a hash, a path), as a trainee on a laptop terminal reads them."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli

WHOLE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]*:[0-9a-f:]+|\d{4}-\d\d-\d\dT[\d:.]+Z?"
                   r"|[0-9a-f]{32,64}|/\S+)$")

# command (after the evidence path), and the --json fields whose values must stay whole
COMMANDS = [
    ("disk-01", "usb", ["disk", "ls", "{e}", "--deleted"], ["path", "mtime"]),
    ("disk-01", "usb", ["disk", "timeline", "{e}"], ["path", "time"]),
    ("net-01", "capture", ["net", "flows", "{e}"], ["src", "dst", "start"]),
    ("net-01", "capture", ["net", "dns", "{e}"], ["client", "server", "answers", "time"]),
    ("net-01", "capture", ["net", "http", "{e}"], ["client", "server", "sha256"]),
]


def _evidence(build, case: str, artefact: str):
    folder = build(case, None)
    truth = json.loads((folder / "truth.json").read_text("utf-8"))
    return folder / truth["artefacts"][artefact]["file"]


def _values(records: list[dict], fields: list[str]) -> set[str]:
    found: set[str] = set()
    for record in records:
        for name in fields:
            value = record.get(name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str) and WHOLE.match(item) and len(item) <= 70:
                    found.add(item)
    return found


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize(("case", "artefact", "command", "fields"), COMMANDS,
                         ids=[" ".join(c[2][:2]) for c in COMMANDS])
def test_table_fits_the_terminal_and_keeps_values_whole(build, case, artefact, command, fields, width):
    evidence = _evidence(build, case, artefact)
    args = [str(evidence) if w == "{e}" else w for w in command]
    runner = CliRunner(env={"COLUMNS": str(width)})
    as_json = runner.invoke(cli, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    records = [json.loads(line) for line in as_json.stdout.splitlines() if line.strip()]
    table = runner.invoke(cli, args)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines and max(len(line) for line in lines) <= width
    values = _values(records, fields)
    split = sorted(v for v in values if not any(v in line for line in lines))
    assert split == [], f"split across lines or cut: {split[:5]}"


def test_wide_lays_every_row_on_one_line(build):
    evidence = _evidence(build, "net-01", "capture")
    runner = CliRunner(env={"COLUMNS": "80"})
    records = [json.loads(line) for line in runner.invoke(cli, ["net", "dns", str(evidence), "--json"]).stdout
               .splitlines()]
    folded = runner.invoke(cli, ["net", "dns", str(evidence)]).stdout.splitlines()
    wide = runner.invoke(cli, ["--wide", "net", "dns", str(evidence)]).stdout.splitlines()
    assert len(wide) == len(records) + 2 < len(folded)  # header, rule, one line a record
    assert max(len(line) for line in wide) > 80
