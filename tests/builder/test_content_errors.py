"""A generator option that is wrong only at build time is a one-line RecipeError, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics_kit.builder import build_case
from forensics_kit.errors import RecipeError

RECIPE = """
case: bad-content
title: {{en: Bad content, ru: Плохое содержимое}}
seed: 1
evidence:
  - id: usb
    type: disk
    file: usb.dd
    size: 16MiB
    filesystem: {{type: fat16, label: T}}
    items:
      - id: photo
        path: /P.JPG
        content: {content}
"""


def _build(tmp_path: Path, content: str):
    recipe = tmp_path / "bad-content.yaml"
    recipe.write_text(RECIPE.format(content=content), "utf-8")
    return build_case(recipe, tmp_path / "build")


def test_latitude_out_of_range_names_the_recipe_evidence_and_option(tmp_path: Path) -> None:
    with pytest.raises(RecipeError) as info:
        _build(tmp_path, "{generate: jpeg, exif: {make: X, gps: {lat: 123.0, lon: 1.0}}}")
    message = str(info.value)
    assert "bad-content.yaml" in message and "usb" in message and "lat" in message and "\n" not in message
    assert not (tmp_path / "build" / "bad-content").exists()


def test_bytes_size_with_a_unit_builds(tmp_path: Path) -> None:
    result = _build(tmp_path, "{generate: bytes, size: 3KiB}")
    assert result.truth["items"]["photo"]["size"] == 3 * 1024
