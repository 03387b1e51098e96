"""One formatting layer for every command: plain-text tables for people, JSON for machines.

Records are dicts (from the library's ``to_dict()``). Listings are streamed in both
modes, so a listing of a million rows never sits in memory: ``--json`` writes one
JSON object per line, and a table is laid out from its first page of rows
(:data:`PAGE`) and then written row by row with those column widths.

Tables keep each value whole: IP addresses, times, numbers and hashes are never
split across lines (the field review's complaint about 80-column output); only
free-text columns (paths, names, descriptions) wrap, at a ``/``, space or other
separator when there is one, to keep within the terminal's width (80 columns when
output is not a terminal). When the whole values alone are wider than that, the row
stays on one line rather than cutting one of them.

rich is imported only for what needs it (progress bars, the coloured tables of
``lab`` commands on a terminal): start-up is part of every command's time.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from typing import Any

import click

Column = tuple[str, str]  # (record key, header)

PAGE = 256  # rows read ahead to choose column widths
GAP = "  "
_MIN_WRAP = 16  # a wrapped column keeps at least this many characters
_FLUSH_ROWS = 512
_BREAKS = "/\\ ,;-_.:"
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)  # one encoder: json.dumps(**options) makes one a call
_STYLE = re.compile(r"\[/?(?:bold|dim|italic|green|red|yellow|cyan|blue|magenta)?\]")


def _cell(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return ", ".join(f"{k} ({_cell(v)})" if isinstance(v, dict) else f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ("; " if any(isinstance(v, dict) for v in value) else ", ").join(_cell(v) for v in value)
    return str(value)


def json_line(record: Any) -> None:
    sys.stdout.write(_JSON.encode(record) + "\n")


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


WIDE = 1 << 16
"""The room ``fklab --wide`` gives a table: every row on one line, nothing wrapped."""


def width() -> int:
    """Columns to lay a table out in: unlimited with ``--wide``, else the terminal's, else ``COLUMNS``, else 80."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and (ctx.find_root().obj or {}).get("wide"):
        return WIDE
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    try:
        return max(20, int(os.environ.get("COLUMNS", "80")))
    except ValueError:
        return 80


def _whole(text: str) -> bool:
    """A value that must not be split: one token (IP, time, number, hash, MAC) of modest length."""
    return len(text) <= 72 and " " not in text and "/" not in text and "\\" not in text


def _layout(headers: list[str], page: list[list[str]], numeric: list[bool], room: int) -> list[int]:
    """Column widths: each column's widest cell, then the free-text columns narrowed to fit ``room``."""
    widths = [max([len(h), *(len(row[i]) for row in page)]) for i, h in enumerate(headers)]
    wrappable = [
        not numeric[i] and widths[i] > _MIN_WRAP and not all(_whole(row[i]) for row in page)
        for i in range(len(headers))
    ]
    excess = sum(widths) + len(GAP) * (len(widths) - 1) - room
    while excess > 0:
        candidates = [i for i, ok in enumerate(wrappable) if ok and widths[i] > max(_MIN_WRAP, len(headers[i]))]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def _pieces(text: str, size: int) -> list[str]:
    """Cut ``text`` into lines of at most ``size``, after a separator where one is near the end."""
    lines = []
    while len(text) > size:
        cut = max(text.rfind(ch, size // 2, size) for ch in _BREAKS)
        cut = cut + 1 if cut > 0 else size
        lines.append(text[:cut].rstrip(" "))
        text = text[cut:].lstrip(" ")
    if text or not lines:
        lines.append(text)
    return lines


class _Writer:
    """Lays rows out with fixed widths and writes them in batches.

    A row whose cells all fit is one ``str.format`` call (the widths are in the
    format); only a row with a cell wider than its column takes the slow path.
    """

    def __init__(self, widths: list[int], numeric: list[bool]) -> None:
        self.widths = widths
        self.numeric = numeric
        self.last = len(widths) - 1
        self.buffer: list[str] = []
        specs = [f"{{:{'>' if numeric[i] else '<'}{w}}}" for i, w in enumerate(widths)]
        if not numeric[-1]:
            specs[-1] = "{}"
        self.format = GAP.join(specs).format
        self.prefix = sum(widths[:-1]) + len(GAP) * self.last  # characters before the last cell
        self.last_width = widths[-1]

    def line(self, cells: Sequence[str]) -> str:
        """One row: padded cells, or several lines when a free-text cell wraps."""
        text = self.format(*cells)
        if len(text) - max(len(cells[-1]), self.last_width if self.numeric[-1] else 0) == self.prefix \
                and len(cells[-1]) <= self.last_width:
            return text.rstrip()
        return self._slow(cells)

    def _slow(self, cells: Sequence[str]) -> str:
        widths = self.widths
        if all(len(c) <= widths[i] or _whole(c) for i, c in enumerate(cells)):
            parts = [
                c.rjust(widths[i]) if self.numeric[i] else (c if i == self.last else c.ljust(widths[i]))
                for i, c in enumerate(cells)
            ]
            return GAP.join(parts).rstrip()
        split = [[c] if len(c) <= widths[i] or _whole(c) else _pieces(c, widths[i]) for i, c in enumerate(cells)]
        return "\n".join(
            self._slow([s[n] if n < len(s) else "" for s in split]) for n in range(max(len(s) for s in split))
        )

    def add(self, cells: Sequence[str]) -> None:
        self.buffer.append(self.line(cells))
        if len(self.buffer) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            sys.stdout.write("\n".join(self.buffer) + "\n")
            self.buffer.clear()


class _FoldedWriter(_Writer):
    """A table whose whole values do not fit the terminal side by side: its columns are folded
    into bands, so each row is a first line and continuation lines that start under its second
    column, every value whole (an IP address, a time, a hash or a path is never split to fit)."""

    def __init__(self, bands: list[tuple[list[int], _Writer]], indent: int) -> None:  # noqa: D107 - see the class
        self.bands = bands
        self.indent = " " * indent
        self.widths = [w for columns, writer in bands for w in writer.widths]
        self.buffer: list[str] = []

    def _lines(self, texts: list[str]) -> str:
        out = []
        for n, text in enumerate(texts):
            lead = self.indent if n else ""
            out.append("\n".join(lead + piece for piece in text.split("\n")))
        return "\n".join(out)

    def line(self, cells: Sequence[str]) -> str:
        return self._lines([writer.line([cells[i] for i in columns]) for columns, writer in self.bands])

    def rule(self) -> str:
        return self._lines([GAP.join("-" * w for w in writer.widths) for _, writer in self.bands])


def _bands(widths: list[int], room: int, indent: int) -> list[list[int]]:
    """Column indexes per band: as many columns as fit ``room`` (continuation bands after ``indent``)."""
    bands: list[list[int]] = [[]]
    used = 0
    for i, w in enumerate(widths):
        cost = w + (len(GAP) if bands[-1] else 0)
        if bands[-1] and used + cost > room:
            bands.append([])
            used, cost = indent, w
        bands[-1].append(i)
        used += cost
    return bands


def _start_table(first: list[Sequence[Any]], headers: Sequence[str], title: str | None, room: int | None) -> _Writer:
    """Lay the table out from its first rows; the writer holds the title, header and rule lines.

    Free-text columns are narrowed first (they wrap at separators); when the whole values still
    do not fit side by side, the columns are folded into bands (:class:`_FoldedWriter`).
    """
    heads = list(headers)
    numeric = [
        bool(first) and all(isinstance(r[i], int | float) and not isinstance(r[i], bool) or r[i] is None
                            for r in first)
        and any(r[i] is not None for r in first)
        for i in range(len(heads))
    ]
    page = [[_cell(v) for v in r] for r in first]
    room = width() if room is None else room
    widths = _layout(heads, page, numeric, room)
    writer: _Writer
    if sum(widths) + len(GAP) * (len(widths) - 1) <= room or len(widths) < 2:
        writer = _Writer(widths, numeric)
        rule = GAP.join("-" * w for w in writer.widths)
    else:
        indent = widths[0] + len(GAP) if widths[0] + len(GAP) <= room // 3 else 4  # under the second column
        bands = []
        for n, columns in enumerate(_bands(widths, room, indent)):
            band_widths = _layout([heads[i] for i in columns], [[row[i] for i in columns] for row in page],
                                  [numeric[i] for i in columns], room - (indent if n else 0))
            bands.append((columns, _Writer(band_widths, [numeric[i] for i in columns])))
        writer = _FoldedWriter(bands, indent)
        rule = writer.rule()
    if title:
        writer.buffer.append(title)
    writer.buffer.append(writer.line(heads))
    writer.buffer.append(rule)
    return writer


def _stream_rows(writer: _Writer, rows: Iterable[Sequence[Any]]) -> int:
    """Write ``rows`` with the writer's widths; return how many."""
    count = 0
    line, buffer, cell = writer.line, writer.buffer, _cell
    for record in rows:
        buffer.append(line([cell(v) for v in record]))
        count += 1
        if len(buffer) >= _FLUSH_ROWS:
            writer.flush()
    writer.flush()
    sys.stdout.flush()
    return count


def write_table(
    rows: Iterable[Sequence[Any]], headers: Sequence[str], title: str | None = None, room: int | None = None
) -> int:
    """Write a plain-text table of ``rows`` (sequences of raw values); return how many rows.

    Only the first :data:`PAGE` rows are held, to choose the widths; the rest stream.
    """
    raw: Iterator[Sequence[Any]] = iter(rows)
    first = list(islice(raw, PAGE))
    writer = _start_table(first, headers, title, room)
    return _stream_rows(writer, chain(first, raw))


def _write_json(records: Iterable[dict[str, Any] | str]) -> int:
    count = 0
    write, dumps, batch = sys.stdout.write, _JSON.encode, []
    for record in records:
        batch.append(record if isinstance(record, str) else dumps(record))
        count += 1
        if len(batch) >= _FLUSH_ROWS:
            write("\n".join(batch) + "\n")
            batch.clear()
    if batch:
        write("\n".join(batch) + "\n")
    sys.stdout.flush()
    return count


def _picked(records: Iterable[dict[str, Any]], keys: list[str]) -> Iterator[Sequence[Any]]:
    """The values of ``keys`` of each record (a missing one as None, shown as "-")."""
    pick = itemgetter(*keys) if len(keys) > 1 else None
    for record in records:
        try:
            yield pick(record) if pick else [record.get(keys[0])]
        except KeyError:
            yield [record.get(key) for key in keys]


def emit_records(
    records: Iterable[dict[str, Any]], columns: Sequence[Column], as_json: bool, title: str | None = None
) -> int:
    """Write records as JSON lines or as a streamed table; return how many were written.

    With ``as_json`` a record may also be a line of JSON already (a library that
    formats its own records faster, like :meth:`FlowList.json_lines`).
    """
    if as_json:
        return _write_json(records)
    keys = [key for key, _ in columns]
    return write_table(_picked(records, keys), [header(h) for _, h in columns], label(title) if title else None)


def emit_object(record: dict[str, Any], as_json: bool, title: str | None = None) -> None:
    """Write one object: one line of JSON (as every ``--json`` output), or its fields one a line."""
    if as_json:
        json_line(record)
        return
    names = [label(key) for key in record]
    pad = max((len(n) for n in names), default=0)
    room = max(_MIN_WRAP, width() - pad - len(GAP))
    lines = [label(title)] if title else []
    for name, value in zip(names, record.values(), strict=True):
        text = _cell(value)
        if len(text) <= room or _whole(text):
            pieces = [text]
        elif isinstance(value, dict):  # one entry a line (hashes, counters)
            pieces = [_cell({k: v}) for k, v in value.items()]
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):  # one item a line
            pieces = [_cell(v) for v in value]
        else:
            pieces = _pieces(text, room)
        lines.append(f"{name.ljust(pad)}{GAP}{pieces[0]}".rstrip())
        lines.extend(f"{'':{pad}}{GAP}{piece}" for piece in pieces[1:])
    sys.stdout.write("\n".join(lines) + "\n")


def label(text: str) -> str:
    """A field name or block title in the trainee's language (``cli.field.*``)."""
    return in_lang(f"field.{text}", text)


def status(key: str, **values: Any) -> str:
    """A status line in the trainee's language: ``cli.status.<key>`` of the catalogue, filled with ``values``."""
    from forensics_kit.cli.text import tr

    return tr(f"status.{key}", current_lang(), **values)


def say(text: str) -> None:
    sys.stdout.write(f"{text}\n")


def warn(text: str) -> None:
    """A warning on stderr, in the trainee's language (a library's English warning is translated
    where the catalogue has its template, as errors are)."""
    sys.stdout.flush()
    lang = current_lang()
    if lang != "en":
        from forensics_kit.cli.error_text import to_language

        text = to_language(text, lang)
    sys.stderr.write(f"{in_lang('warning', 'warning')}: {text}\n")
    sys.stderr.flush()


class Table:
    """A small table built cell by cell (``lab show``/``lab check``), drawn by :func:`show`.

    Cells may carry rich style markup (``[green]correct[/]``): on a terminal the table
    is drawn by rich in colour, elsewhere as a plain table without the markup.
    """

    def __init__(self, title: str | None = None) -> None:
        self.title = title
        self.headers: list[str] = []
        self.rows: list[tuple[str, ...]] = []

    def add_column(self, heading: str, **_options: Any) -> None:
        self.headers.append(heading)

    def add_row(self, *cells: str) -> None:
        self.rows.append(cells)


def table(title: str | None = None) -> Table:
    return Table(title=title)


def show(renderable: Any) -> None:
    """Draw a :class:`Table` (or any rich renderable) on standard output."""
    if isinstance(renderable, Table) and not sys.stdout.isatty():
        write_table(([_STYLE.sub("", c) for c in row] for row in renderable.rows), renderable.headers,
                    renderable.title)
        return
    if isinstance(renderable, Table):
        from rich.table import Table as RichTable

        drawn = RichTable(title=renderable.title, header_style="bold")
        for heading in renderable.headers:
            drawn.add_column(heading, overflow="fold")
        for row in renderable.rows:
            drawn.add_row(*row)
        renderable = drawn
    _console().print(renderable)


_consoles: dict[bool, Any] = {}


def _console(stderr: bool = False) -> Any:
    """rich's console for standard output (or error), made on first use."""
    if stderr not in _consoles:
        from rich.console import Console

        _consoles[stderr] = Console(stderr=stderr, soft_wrap=True)
    return _consoles[stderr]


def __getattr__(name: str) -> Any:
    """``err``: rich's console on standard error (progress bars draw on it), made on first use."""
    if name == "err":
        return _console(stderr=True)
    raise AttributeError(name)
