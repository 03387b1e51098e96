"""One formatting layer for every command: rich tables for people, JSON for machines.

Records are dicts (from the library's ``to_dict()``); listings in ``--json`` mode are
written one JSON object per line and streamed, so a large listing never sits in memory.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

Column = tuple[str, str]  # (record key, header)

_out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def json_line(record: Any) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def current_lang() -> str:
    """The ``--lang`` of the running command (English outside a command)."""
    import click

    ctx = click.get_current_context(silent=True)
    return ((ctx.find_root().obj or {}).get("lang", "en") if ctx else "en") or "en"


def in_lang(key: str, english: str) -> str:
    """``cli.<key>`` of the gettext catalogue in the trainee's language, else the English text."""
    lang = current_lang()
    if lang == "en":
        return english
    from forensics_kit.cli.text import CATALOGUE

    return CATALOGUE.get(key, {}).get(lang) or english


def header(text: str) -> str:
    """A column header in the trainee's language (``cli.col.*``)."""
    return in_lang(f"col.{text}", text)


def emit_records(
    records: Iterable[dict[str, Any]], columns: Sequence[Column], as_json: bool, title: str | None = None
) -> int:
    """Write records as JSON lines or as a table; return how many were written."""
    count = 0
    if as_json:
        for record in records:
            json_line(record)
            count += 1
        sys.stdout.flush()
        return count
    table = Table(title=label(title) if title else None, show_lines=False, header_style="bold")
    for _, heading in columns:
        table.add_column(header(heading), overflow="fold")
    for record in records:
        table.add_row(*(_cell(record.get(key)) for key, _ in columns))
        count += 1
    _out.print(table)
    return count


def emit_object(record: dict[str, Any], as_json: bool, title: str | None = None) -> None:
    """Write one object: pretty JSON, or a two-column table of its fields."""
    if as_json:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    table = Table(title=label(title) if title else None, show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    for key, value in record.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
        table.add_row(label(key), _cell(value))
    _out.print(table)


def label(text: str) -> str:
    """A field name or block title in the trainee's language (``cli.field.*``)."""
    return in_lang(f"field.{text}", text)


def status(key: str, **values: Any) -> str:
    """A status line in the trainee's language: ``cli.status.<key>`` of the catalogue, filled with ``values``."""
    from forensics_kit.cli.text import tr

    return tr(f"status.{key}", current_lang(), **values)


def say(text: str) -> None:
    _out.print(text, markup=False, highlight=False)


def warn(text: str) -> None:
    err.print(f"warning: {text}", markup=False, highlight=False)


def table(title: str | None = None) -> Table:
    return Table(title=title, header_style="bold")


def show(renderable: Any) -> None:
    _out.print(renderable)
