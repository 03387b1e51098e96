"""``lab show`` warns about placeholder text a trainer left (the scaffold's, or a TODO)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from forensics_kit.builder.scaffold import scaffold_case
from forensics_kit.cli.main import cli
from grader.placeholders import find_placeholders

REPO = Path(__file__).resolve().parents[2]


def test_a_scaffolded_lab_is_flagged_in_both_briefs(tmp_path, monkeypatch):
    for folder in ("labs", "datasets", "solutions"):
        (tmp_path / folder).mkdir()
    scaffold_case(tmp_path, "case-09")
    spots = find_placeholders(tmp_path / "labs" / "case-09")
    assert {p.path.name for p in spots} >= {"README.md", "README.ru.md"}
    monkeypatch.setenv("FKLAB_HOME", str(tmp_path))
    for lang, words in (("en", "placeholder text left in the lab"), ("ru", "остался шаблонный текст")):
        shown = CliRunner().invoke(cli, ["--lang", lang, "lab", "show", "case-09"])
        assert shown.exit_code == 0, shown.output
        assert words in shown.stderr and "Describe the case here" in shown.stderr + shown.stdout


def test_a_todo_is_flagged_with_its_line(tmp_path):
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "README.md").write_text("# Case\n\nThe suspect TODO: add the story.\n", "utf-8")
    (lab / "lab.yaml").write_text("id: x\n", "utf-8")
    assert [(p.path.name, p.line, p.text) for p in find_placeholders(lab)] == [("README.md", 3, "TODO")]


def test_no_shipped_lab_has_placeholder_text():
    spots = [str(p) for lab in sorted((REPO / "labs").glob("*/lab.yaml")) for p in find_placeholders(lab.parent)]
    assert spots == []


def test_a_file_named_todo_is_not_a_placeholder(tmp_path):
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "README.md").write_text("Open /Notes/todo.txt and the Todo list.\n", "utf-8")
    assert find_placeholders(lab) == []


def test_the_scaffold_asks_for_a_path_with_the_path_type(tmp_path):
    import yaml

    for folder in ("labs", "datasets", "solutions"):
        (tmp_path / folder).mkdir()
    scaffold_case(tmp_path, "case-10")
    lab = yaml.safe_load((tmp_path / "labs" / "case-10" / "lab.yaml").read_text("utf-8"))
    key = yaml.safe_load((tmp_path / "solutions" / "case-10" / "key.yaml").read_text("utf-8"))
    assert {q["id"]: q["type"] for q in lab["questions"]}["deleted_path"] == "path"
    assert key["answers"]["deleted_path"]["options"] == {"fs": "fat16"}
