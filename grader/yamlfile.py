"""Reading YAML (and JSON) files safely, with one-line errors.

Trainee answers are read with every scalar kept as the text the trainee typed
(YAML would otherwise turn ``2024-03-01 10:00`` into a datetime, ``0x400`` into
1024 and ``no`` into False); lab and key files use ordinary safe typing.
No custom tags are ever constructed, and aliases are limited so a small file
cannot expand into a huge document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1 << 20
MAX_ALIASES = 100


class _LimitedSafeLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents with many aliases (billion-laughs)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases")
        return super().compose_node(parent, index)


class _TextLoader(yaml.BaseLoader):
    """Keeps every scalar as text; refuses aliases and explicit tags (answers never need them)."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed in an answers file")
        tag = getattr(self.peek_event(), "tag", None)
        if tag not in (None, "!"):
            raise yaml.YAMLError(f"tags such as {tag} are not allowed in an answers file")
        return super().compose_node(parent, index)


def _problem(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"not valid YAML: line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"not valid YAML: {problem}"


def read_text(path: Path, error: type[Exception], limit: int = MAX_FILE_BYTES) -> str:
    """Read a UTF-8 text file, no larger than ``limit``; raise ``error(path, problem)``."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise error(str(path), "is a folder, not a file")
        if size > limit:
            raise error(str(path), f"too large ({size} bytes, at most {limit})")
        data = path.read_bytes()
    except FileNotFoundError:
        raise error(str(path), "no such file") from None
    except OSError as exc:
        raise error(str(path), f"cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(str(path), f"not UTF-8 text (byte {exc.start})") from None


def decode(data: bytes, source: str, error: type[Exception], limit: int = MAX_FILE_BYTES) -> str:
    """Bytes read from elsewhere (a zip member) as UTF-8 text, with the same limits as a file."""
    if len(data) > limit:
        raise error(source, f"too large ({len(data)} bytes, at most {limit})")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(source, f"not UTF-8 text (byte {exc.start})") from None


def load_document(path: Path, error: type[Exception], *, as_text: bool = False) -> Any:
    """Load a YAML or JSON file into plain Python values; errors become ``error(path, problem)``."""
    return parse_text(read_text(path, error), path, error, as_text=as_text)


def parse_text(text: str, path: Path, error: type[Exception], *, as_text: bool = False) -> Any:
    """Parse YAML or JSON text (chosen by ``path``'s suffix) safely; errors become ``error(path, problem)``."""
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(str(path), f"not valid JSON: line {exc.lineno}: {exc.msg}") from None
    try:
        return yaml.load(text, Loader=_TextLoader if as_text else _LimitedSafeLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise error(str(path), _problem(exc)) from None
