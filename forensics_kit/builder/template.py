"""``{{ name }}`` templates in recipe strings, filled from the drawn parameters.

A string that is exactly one template keeps the parameter's type (an integer stays
an integer); otherwise values are written into the text with ``str``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_ANY = re.compile(r"\{\{(.*?)\}\}")
_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")

Location = tuple[str | int, ...]


def iter_template_names(value: Any, where: Location = ()) -> Iterator[tuple[Location, str]]:
    """Yield (location in the structure, name) for every template in nested data.

    A malformed template (``{{ a b }}``, ``{{}}``) is yielded with its raw text so
    the caller reports it as an unknown name.
    """
    if isinstance(value, str):
        for match in _ANY.finditer(value):
            inner = _NAME.match(match.group(1))
            yield where, inner.group(1) if inner else match.group(0)
    elif isinstance(value, dict):
        for key, child in value.items():
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
    """Fill every template in nested data; names must be known (checked at load)."""
    if isinstance(value, str):
        whole = _ANY.fullmatch(value.strip()) if value.strip().startswith("{{") else None
        if whole and _ANY.findall(value) == [whole.group(1)]:
            return params[_NAME.match(whole.group(1)).group(1)]
        return _ANY.sub(lambda m: str(params[_NAME.match(m.group(1)).group(1)]), value)
    if isinstance(value, dict):
        return {key: render(child, params) for key, child in value.items()}
    if isinstance(value, list):
        return [render(child, params) for child in value]
    return value
