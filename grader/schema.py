"""Validation of labs, keys and answers files against the JSON Schemas shipped in ``schemas/``.

Errors name the file, the place inside it (``question q3`` rather than a JSON
pointer where we can) and the problem, on one line.

jsonschema is the authority, but importing it and walking a lab costs more than grading
the lab: a document that passed once against the same schema (same ``repr`` of its values,
same schema bytes) is remembered in the user cache (:mod:`grader.user_cache`), and
jsonschema is imported only when a document is not known to pass.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import LabDefinitionError
from grader.user_cache import content_key, read_entry, write_entry

if TYPE_CHECKING:
    import jsonschema

SCHEMAS = Path(__file__).resolve().parent / "schemas"
_CACHE_KIND = "schema-ok"
_CACHED = frozenset({"lab", "key"})  # shipped files that rarely change; answers have their own fast path


@cache
def _schema_bytes(name: str) -> bytes:
    return (SCHEMAS / f"{name}.schema.json").read_bytes()


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    import jsonschema

    schema = json.loads(_schema_bytes(name))
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


def _passed_key(kind: str, document: Any) -> str | None:
    """The cache key of ``document`` passing ``kind``'s schema: ``repr`` tells str, int, bool, float,
    None, dates and containers apart unambiguously; anything else is not cached."""
    if kind not in _CACHED:
        return None
    try:
        text = repr(document)
    except Exception:  # noqa: BLE001 - an exotic value: just validate
        return None
    return content_key(kind, _schema_bytes(kind), text)


def validate(kind: str, document: Any, source: str) -> None:
    """Validate ``document`` against ``schemas/<kind>.schema.json``; raise LabDefinitionError."""
    key = _passed_key(kind, document)
    if key is not None and read_entry(_CACHE_KIND, key) is not None:
        return
    errors = sorted(
        _validator(kind).iter_errors(document), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if not errors:
        if key is not None:
            write_entry(_CACHE_KIND, key)
        return
    import jsonschema

    best = jsonschema.exceptions.best_match(errors) or errors[0]
    where = _where(document, list(best.absolute_path))
    message = best.message
    if best.validator == "additionalProperties":
        message = message.replace("Additional properties are not allowed", "unknown key")
    raise LabDefinitionError(source, f"{where}: {message}" if where else message)
