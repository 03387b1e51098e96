"""``{{ name }}`` templates in recipe strings, filled from the drawn parameters.

A string that is exactly one template keeps the parameter's type (an integer stays
an integer); otherwise values are written into the text with ``str``. Keys of
mappings are templates too (a zip member ``"Invoice_{{ n }}.ps1"``), always
rendered as text. After rendering, :func:`leftover_templates` finds any ``{{`` still in
the data, so a build can refuse to write evidence with template
text in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_ANY = re.compile(r"\{\{(.*?)\}\}")
_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")
_LEFTOVER = re.compile(r"\{\{")
_FILLED_NAME = re.compile(rb"\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}")

Location = tuple[str | int, ...]


def _names_in(text: str) -> Iterator[str]:
    for match in _ANY.finditer(text):
        inner = _NAME.match(match.group(1))
        yield inner.group(1) if inner else match.group(0)


def iter_template_names(value: Any, where: Location = ()) -> Iterator[tuple[Location, str]]:
    """Yield (location in the structure, name) for every template in nested data, keys included.

    A malformed template (``{{ a b }}``, ``{{}}``) is yielded with its raw text so
    the caller reports it as an unknown name.
    """
    if isinstance(value, str):
        for name in _names_in(value):
            yield where, name
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str):
                for name in _names_in(key):
                    yield (*where, key), name
            yield from iter_template_names(child, (*where, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from iter_template_names(child, (*where, index))


def whole_template_name(text: str) -> str | None:
    """The parameter name when ``text`` is exactly one template (``"{{ n }}"``), else None."""
    stripped = text.strip()
    whole = _ANY.fullmatch(stripped) if stripped.startswith("{{") else None
    if whole is None or _ANY.findall(text) != [whole.group(1)]:
        return None
    inner = _NAME.match(whole.group(1))
    return inner.group(1) if inner else None


def render(value: Any, params: dict[str, Any]) -> Any:
    """Fill every template in nested data, mapping keys included; names must be known (checked at load)."""
    if isinstance(value, str):
        name = whole_template_name(value)
        if name is not None:
            return params[name]
        return _ANY.sub(lambda m: str(params[_NAME.match(m.group(1)).group(1)]), value)
    if isinstance(value, dict):
        return {
            (_render_text(key, params) if isinstance(key, str) else key): render(child, params)
            for key, child in value.items()
        }
    if isinstance(value, list):
        return [render(child, params) for child in value]
    return value


def _render_text(text: str, params: dict[str, Any]) -> str:
    return _ANY.sub(lambda m: str(params[_NAME.match(m.group(1)).group(1)]), text)


def leftover_templates(value: Any, where: Location = ()) -> Iterator[tuple[Location, str]]:
    """Yield (location, text) for every string (key or value) still holding ``{{``.

    Used on rendered data: a parameter value that itself holds template text, or a
    place the render pass does not reach, would otherwise end up in the evidence.
    """
    if isinstance(value, str):
        if _LEFTOVER.search(value):
            yield where, value
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, str) and _LEFTOVER.search(key):
                yield (*where, key), key
            yield from leftover_templates(child, (*where, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leftover_templates(child, (*where, index))


def template_spans(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(offset, text)`` of every ``{{ name }}`` in raw bytes (evidence read back by the audit).

    Only a whole template with a parameter-like name counts, so random bytes that
    happen to hold ``{{`` are not reported.
    """
    for match in _FILLED_NAME.finditer(data):
        yield match.start(), match.group(0)
