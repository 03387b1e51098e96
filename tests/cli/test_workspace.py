"""A trainee's workspace cannot be swapped under them: ``lab start`` and ``lab check`` guard it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics_kit.cli.main import cli
from grader.workflow import EVIDENCE_HASHES, WorkspaceConflict, check_answers, start_lab

LAB = "net-01"


def _start(runner: CliRunner, workdir: Path, *extra: str, lang: str = "en"):
    return runner.invoke(cli, ["--lang", lang, "lab", "start", LAB, "--dir", str(workdir), *extra])


@pytest.fixture
def runner(build_root: Path, build) -> CliRunner:
    for variant in (None, "t-01", "t-02"):
        build(LAB, variant)
    return CliRunner(env={"FKLAB_BUILD_DIR": str(build_root)})


def test_start_for_another_variant_in_the_same_folder_is_refused_and_nothing_changes(runner, tmp_path):
    workdir = tmp_path / "ws"
    assert _start(runner, workdir, "--trainee", "t-01").exit_code == 0
    answers = workdir / "answers.yaml"
    answers.write_text(answers.read_text("utf-8") + "\n# my notes\n", "utf-8")
    before = {p.name: p.read_bytes() for p in (workdir / "evidence").iterdir()}
    refused = _start(runner, workdir, "--trainee", "t-02")
    assert refused.exit_code == 1
    assert "already holds a workspace for lab net-01, variant t-01" in refused.output
    assert "--force" in refused.output and "Traceback" not in refused.output
    assert {p.name: p.read_bytes() for p in (workdir / "evidence").iterdir()} == before
    assert answers.read_text("utf-8").endswith("# my notes\n")
    default = _start(runner, workdir)  # no --trainee is the default variant: another variant too
    assert default.exit_code == 1 and "variant t-01" in default.output


def test_conflict_is_explained_in_russian(runner, tmp_path):
    workdir = tmp_path / "ws"
    assert _start(runner, workdir, "--trainee", "t-01").exit_code == 0
    refused = _start(runner, workdir, "--trainee", "t-02", lang="ru")
    assert refused.exit_code == 1 and "уже есть рабочая папка лабораторной net-01, вариант t-01" in refused.output


def test_force_moves_the_old_workspace_aside_and_keeps_its_answers(runner, tmp_path):
    workdir = tmp_path / "ws"
    assert _start(runner, workdir, "--trainee", "t-01").exit_code == 0
    old_answers = (workdir / "answers.yaml").read_text("utf-8")
    forced = _start(runner, workdir, "--trainee", "t-02", "--force")
    assert forced.exit_code == 0, forced.output
    aside = tmp_path / "ws.previous-1"
    assert f"Moved the previous workspace to {aside}" in forced.output
    assert (aside / "answers.yaml").read_text("utf-8") == old_answers
    assert "variant: t-02" in (workdir / "answers.yaml").read_text("utf-8")
    again = _start(runner, workdir, "--trainee", "t-01", "--force")
    assert again.exit_code == 0 and (tmp_path / "ws.previous-2" / "answers.yaml").exists()


def test_restarting_the_same_variant_keeps_the_answers(runner, tmp_path):
    workdir = tmp_path / "ws"
    assert _start(runner, workdir, "--trainee", "t-01").exit_code == 0
    (workdir / "answers.yaml").write_text((workdir / "answers.yaml").read_text("utf-8") + "# mine\n", "utf-8")
    again = _start(runner, workdir, "--trainee", "t-01")
    assert again.exit_code == 0 and "Kept your existing answers file" in again.output
    assert (workdir / "answers.yaml").read_text("utf-8").endswith("# mine\n")


def test_an_unreadable_answers_file_is_not_silently_replaced(test_course, build, tmp_path):
    workdir = tmp_path / "ws"
    workdir.mkdir()
    (workdir / "answers.yaml").write_text("lab: [unclosed\n", "utf-8")
    with pytest.raises(WorkspaceConflict) as caught:
        start_lab(test_course, LAB, workdir, build)
    assert caught.value.lab is None
    assert (workdir / "answers.yaml").read_text("utf-8") == "lab: [unclosed\n"


def test_check_says_when_the_workspace_evidence_is_not_the_answers_evidence(test_course, build, tmp_path):
    ws = start_lab(test_course, LAB, tmp_path / "ws", build, trainee_id="t-01", variant="t-01")
    assert check_answers(test_course, LAB, ws.answers, build).warnings == ()
    other = start_lab(test_course, LAB, tmp_path / "other", build, trainee_id="t-02", variant="t-02")
    (copy,) = ws.evidence.values()
    os.chmod(copy, 0o644)
    copy.write_bytes(next(iter(other.evidence.values())).read_bytes())  # swapped under the trainee
    keys = [w.key for w in check_answers(test_course, LAB, ws.answers, build).warnings]
    assert keys == ["workspace_evidence_differs"]
    shown = CliRunner(env={"FKLAB_BUILD_DIR": str(test_course.builds)}).invoke(
        cli, ["--lang", "ru", "lab", "check", LAB, str(ws.answers)])
    assert "SHA-256 отличается" in shown.output


def test_unchanged_evidence_is_not_hashed_again(test_course, build, tmp_path, monkeypatch):
    import grader.workflow as workflow

    ws = start_lab(test_course, LAB, tmp_path / "ws", build)
    assert (ws.directory / "evidence" / EVIDENCE_HASHES).exists()
    monkeypatch.setattr(workflow, "_sha256", lambda path: pytest.fail(f"hashed {path} again"))
    assert check_answers(test_course, LAB, ws.answers, build).warnings == ()
