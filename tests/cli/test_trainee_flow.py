"""Every lab as a trainee uses it from the command line, in Russian and English: start, hint, check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from grader.lab import load_lab

REPO = Path(__file__).resolve().parents[2]
LABS = sorted(p.parent.name for p in (REPO / "labs").glob("*/lab.yaml"))


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize("lab_id", LABS)
def test_start_hint_and_check_work_for_every_lab(lab_id: str, lang: str, build_root: Path, build, tmp_path) -> None:
    build(lab_id, "trainee-a")  # shared with the other tests of the session
    runner = CliRunner(env={"FKLAB_BUILD_DIR": str(build_root), "FKLAB_LANG": lang})
    workdir = tmp_path / lab_id
    started = runner.invoke(cli, ["lab", "start", lab_id, "--dir", str(workdir), "--trainee", "trainee-a"])
    assert started.exit_code == 0, started.output
    assert ("Рабочая папка готова" if lang == "ru" else "Workspace ready") in started.output
    answers = workdir / "answers.yaml"
    shown = json.loads(runner.invoke(cli, ["lab", "show", lab_id, "--json"]).stdout)
    first = shown["questions"][0]["id"]
    hint = runner.invoke(cli, ["lab", "hint", lab_id, first, "--answers", str(answers), "--yes", "--json"])
    assert hint.exit_code == 0, hint.output
    taken = json.loads(hint.stdout)
    assert taken["hint"] == 1 and taken["recorded"] is True
    assert taken["text"] == load_lab(REPO / "labs" / lab_id).questions[0].hints[0].text[lang]
    checked = runner.invoke(cli, ["lab", "check", lab_id, str(answers), "--json"])
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.stdout)
    assert result["lab"] == lab_id and result["score"] == 0
    assert {q["result"] for q in result["questions"]} == {"missing"}
    table = runner.invoke(cli, ["lab", "check", lab_id, str(answers)])
    assert ("Итог" if lang == "ru" else "Score") in table.output
