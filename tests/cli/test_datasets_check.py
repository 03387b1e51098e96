"""``fklab datasets check``: every choice value is built, and a bad one fails before class."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from forensics_kit.builder.build import variant_seed
from forensics_kit.builder.parameters import draw_parameters
from forensics_kit.builder.recipe import load_recipe
from forensics_kit.builder.scaffold import scaffold_case
from forensics_kit.cli.main import cli
from forensics_kit.course_build import covering_variants


def _course(tmp_path: Path, folder_values: list[str]) -> Path:
    """A scaffolded case whose secret note's folder is a choice parameter."""
    for folder in ("labs", "datasets", "solutions"):
        (tmp_path / folder).mkdir()
    scaffold_case(tmp_path, "case-11")
    recipe = tmp_path / "datasets" / "case-11.yaml"
    data = yaml.safe_load(recipe.read_text("utf-8"))
    data["parameters"]["folder"] = {"type": "choice", "values": folder_values}
    for item in data["evidence"][0]["partitions"][0]["items"]:
        if item["id"] == "secret":
            item["path"] = "/{{ folder }}/access.txt"
    recipe.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return tmp_path


def test_the_variants_chosen_draw_every_choice_value(tmp_path):
    values = [f"Dir{n}" for n in range(12)]
    recipe = _course(tmp_path, values) / "datasets" / "case-11.yaml"
    names, never = covering_variants(recipe, 2)
    assert names[:2] == ["check-1", "check-2"] and never == {}
    loaded = load_recipe(recipe)
    drawn = {draw_parameters(loaded.data["parameters"], variant_seed("case-11", n), loaded.window)["folder"]
             for n in names}
    assert drawn == set(values)


def test_a_choice_value_that_breaks_the_build_fails_the_check(tmp_path, monkeypatch):
    root = _course(tmp_path, ["Notes", "bad\x00name"])
    monkeypatch.setenv("FKLAB_HOME", str(root))
    result = CliRunner().invoke(cli, ["datasets", "check", "case-11", "--variants", "1", "--json"])
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(r["result"] != "ok" for r in rows) and any(r["result"] == "ok" for r in rows)


def test_a_good_case_passes_with_its_solver_at_full_marks(tmp_path, monkeypatch):
    root = _course(tmp_path, ["Notes", "Private"])
    monkeypatch.setenv("FKLAB_HOME", str(root))
    for lang, words in (("en", "reference solvers score full marks"), ("ru", "получают полный балл")):
        result = CliRunner().invoke(cli, ["--lang", lang, "datasets", "check", "case-11", "--variants", "2"])
        assert result.exit_code == 0, result.output
        assert words in result.output
    assert not (root / "datasets" / "build").exists()  # built in a scratch folder, not the course


def test_a_solver_that_misses_a_variant_fails_the_check(tmp_path, monkeypatch):
    root = _course(tmp_path, ["Notes", "Private"])
    solver = root / "solutions" / "case-11" / "solve.py"
    solver.write_text(solver.read_text("utf-8").replace('answers["code"] = match.group(1).decode()',
                                                        'answers["code"] = "AAA-0000"'), "utf-8")
    monkeypatch.setenv("FKLAB_HOME", str(root))
    result = CliRunner().invoke(cli, ["datasets", "check", "case-11", "--variants", "1", "--json"])
    assert result.exit_code == 1
    assert "the reference solver scores 1/3 (missed: code)" in result.stdout
