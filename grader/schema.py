"""Validation of labs, keys and answers files against the JSON Schemas shipped in ``schemas/``.

Errors name the file, the place inside it (``question q3`` rather than a JSON
pointer where we can) and the problem, on one line.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from grader.errors import LabDefinitionError

SCHEMAS = Path(__file__).resolve().parent / "schemas"


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    text = (SCHEMAS / f"{name}.schema.json").read_text("utf-8")
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _where(document: Any, path: list[Any]) -> str:
    """Turn a JSON path into words: ``question q3: hints: [1]: cost``."""
    words: list[str] = []
    node = document
    for step in path:
        if isinstance(node, list) and isinstance(step, int):
            node = node[step] if step < len(node) else None
            ident = node.get("id") if isinstance(node, dict) else None
            if ident and words and words[-1] == "questions":
                words[-1] = f"question {ident}"
            else:
                words.append(str(ident) if ident else f"[{step}]")
        else:
            words.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ": ".join(words)


def validate(kind: str, document: Any, source: str) -> None:
    """Validate ``document`` against ``schemas/<kind>.schema.json``; raise LabDefinitionError."""
    errors = sorted(
        _validator(kind).iter_errors(document), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if not errors:
        return
    best = jsonschema.exceptions.best_match(errors) or errors[0]
    where = _where(document, list(best.absolute_path))
    message = best.message
    if best.validator == "additionalProperties":
        message = message.replace("Additional properties are not allowed", "unknown key")
    raise LabDefinitionError(source, f"{where}: {message}" if where else message)
