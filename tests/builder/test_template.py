"""Templates are filled everywhere, mapping keys too, and a build refuses to leave any behind."""

from __future__ import annotations

import copy
import io
import zipfile

import pytest
import yaml
from test_recipe_errors import BASE

from forensics_kit.builder import build_case
from forensics_kit.builder.template import leftover_templates, render, template_spans
from forensics_kit.disk import open_image
from forensics_kit.errors import RecipeError


def _zip_recipe() -> dict:
    recipe = copy.deepcopy(BASE)
    recipe["parameters"]["n"] = {"type": "integer", "min": 10000, "max": 99999}
    recipe["evidence"][0]["items"].append({
        "id": "archive",
        "path": "/Invoice_{{ n }}.zip",
        "content": {"generate": "zip", "files": {"Invoice_{{ n }}.ps1": {"text": "# invoice {{ n }}\r\n"}}},
        "times": {"modified": "2024-03-01T10:00:00Z"},
    })
    return recipe


def test_keys_of_nested_mappings_are_rendered_as_text():
    data = {"files": {"Invoice_{{ n }}.ps1": {"text": "{{ n }}"}}, "list": [{"{{ n }}": 1}]}
    assert render(data, {"n": 42}) == {"files": {"Invoice_42.ps1": {"text": 42}}, "list": [{"42": 1}]}


def test_zip_member_names_are_rendered_in_the_built_archive(tmp_path):
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(_zip_recipe(), sort_keys=False), encoding="utf-8")
    result = build_case(path, tmp_path / "build")
    n = result.truth["parameters"]["n"]
    with open_image(result.artefacts["usb"]) as image:
        record = next(r for r in image.walk() if r.path.endswith(".zip"))
        data = image.read(inode=record.inode, partition=record.partition)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [f"Invoice_{n}.ps1"]
    assert not list(template_spans(data))


def test_an_unknown_name_in_a_key_is_a_recipe_error_at_load(tmp_path):
    recipe = _zip_recipe()
    recipe["evidence"][0]["items"][1]["content"]["files"] = {"Invoice_{{ nn }}.ps1": {"text": "x"}}
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    with pytest.raises(RecipeError, match=r"items\[1\] \(archive\).*unknown parameter 'nn'"):
        build_case(path, tmp_path / "build")


def test_a_build_fails_when_template_text_is_left_after_rendering(tmp_path):
    recipe = _zip_recipe()
    recipe["parameters"]["sneaky"] = {"type": "choice", "values": ["{{ n }}"]}  # a value holding a template
    recipe["evidence"][0]["items"][0]["content"]["text"] = "note {{ sneaky }}"
    path = tmp_path / "bad-01.yaml"
    path.write_text(yaml.safe_dump(recipe, sort_keys=False), encoding="utf-8")
    with pytest.raises(RecipeError, match="template text left unrendered"):
        build_case(path, tmp_path / "build")
    assert not (tmp_path / "build" / "bad-01").exists()


def test_leftover_templates_names_keys_and_values():
    found = list(leftover_templates({"a": ["ok", "x {{ y }}"], "{{ k }}": 1}, ("evidence",)))
    assert found == [(("evidence", "a", 1), "x {{ y }}"), (("evidence", "{{ k }}"), "{{ k }}")]
