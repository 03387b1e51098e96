"""grader/LABS.md documents every field of the lab, key and answers schemas, and its examples validate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from grader.schema import validate

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "grader" / "LABS.md").read_text("utf-8")
EXAMPLES = {m.group(1): m.group(2) for m in re.finditer(r"```yaml\n# example: (\S+)\n(.*?)```", DOC, re.S)}


def _fields(node: dict, defs: dict, prefix: str = "") -> set[str]:
    """Dotted field names of a schema (items as ``[]``), following $ref into $defs."""
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    found: set[str] = set()
    for name, child in (node.get("properties") or {}).items():
        if prefix.endswith(".") and name in ("en", "ru"):
            continue  # bilingual text: documented once as *text*
        found.add(prefix + name)
        found |= _fields(child, defs, prefix + name + ".")
    if isinstance(node.get("items"), dict):
        found |= _fields(node["items"], defs, prefix.rstrip(".") + "[].")
    return found


@pytest.mark.parametrize(("schema", "section"), [("lab", "## `lab.yaml`"), ("key", "## `key.yaml`"),
                                                 ("answers", "## The answers file")])
def test_every_schema_field_is_in_the_reference(schema, section):
    document = json.loads((REPO / "grader" / "schemas" / f"{schema}.schema.json").read_text())
    start = DOC.index(section)
    end = DOC.find("\n## ", start + 1)
    text = DOC[start:end if end > 0 else None]
    fields = _fields(document, document.get("$defs", {}))
    if schema == "key":  # answers.<question> is a mapping of question ids
        fields = {f for f in fields if not f.startswith("answers")} | {
            "answers.<question>.expected", "answers.<question>.options", "answers.<question>.explanation",
            "answers.<question>.expected.truth", "answers.<question>.expected.dataset"}
    missing = sorted(f for f in fields if f"`{f}`" not in text)
    assert missing == []


@pytest.mark.parametrize("kind", ["lab.yaml", "key.yaml", "answers"])
def test_reference_examples_validate_against_the_schema(kind):
    schema = {"lab.yaml": "lab", "key.yaml": "key", "answers": "answers"}[kind]
    validate(schema, yaml.safe_load(EXAMPLES[kind]), f"LABS.md {kind} example")


def test_a_misspelled_key_in_the_example_is_caught():
    from grader.errors import LabDefinitionError

    document = yaml.safe_load(EXAMPLES["lab.yaml"])
    document["questions"][0]["hint"] = document["questions"][0].pop("points")
    with pytest.raises(LabDefinitionError, match="unknown key"):
        validate("lab", document, "x")
