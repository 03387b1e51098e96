"""Reading YAML (and JSON) files safely, with one-line errors.

Trainee answers are read with every scalar kept as the text the trainee typed
(YAML would otherwise turn ``2024-03-01 10:00`` into a datetime, ``0x400`` into
1024 and ``no`` into False); lab and key files use ordinary safe typing.
No custom tags are ever constructed, and aliases are limited so a small file
cannot expand into a huge document.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from grader.i18n import Message

MAX_FILE_BYTES = 1 << 20
MAX_ALIASES = 100
MAX_DEPTH = 40  # answers need 4 levels, labs and keys about 8; thousands deep is an attack


class _Guarded:
    """Depth and duplicate-key checks shared by both loaders (a duplicate key is an error, never a silent pick)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        mark = key_node.start_mark
                        raise yaml.YAMLError(f"line {mark.line + 1}: duplicate key {key_node.value[:60]!r}")
                    seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class _LimitedSafeLoader(_Guarded, yaml.SafeLoader):
    """SafeLoader that refuses documents with many aliases (billion-laughs), deep nesting or duplicate keys."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases")
        return super().compose_node(parent, index)


class _TextLoader(_Guarded, yaml.BaseLoader):
    """Keeps every scalar as text; refuses aliases, explicit tags, deep nesting and duplicate keys."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed in an answers file")
        tag = getattr(self.peek_event(), "tag", None)
        if tag not in (None, "!"):
            raise yaml.YAMLError(f"tags such as {str(tag)[:40]} are not allowed in an answers file")
        return super().compose_node(parent, index)


_CBase = getattr(yaml, "CBaseLoader", None)
if _CBase is not None:

    class _FastTextLoader(_Guarded, _CBase):  # type: ignore[misc, valid-type]
        """libyaml's parser and composer (10x faster than PyYAML's), text scalars, duplicate keys refused.

        The C composer cannot be hooked, so :func:`_screen` walks the event stream first (a flat loop,
        no recursion) and refuses aliases, tags and deep nesting before anything is composed.
        """


_CSafe = getattr(yaml, "CSafeLoader", None)
if _CSafe is not None:

    class _FastSafeLoader(_Guarded, _CSafe):  # type: ignore[misc, valid-type]
        """libyaml's parser and composer with the safe constructor and the duplicate-key check.

        Used for lab and key files only when the text holds no alias (``*``); any error, or a
        document nested too deeply, is read again by :class:`_LimitedSafeLoader`, whose marks and
        wording the errors keep (line numbers are worked out only when an error is reported).
        """


def _load_safe_yaml(text: str) -> Any:
    """Lab and key files: ordinary safe typing, aliases limited, nesting and duplicate keys checked."""
    if _CSafe is not None and "*" not in text:  # no alias possible: nothing for the alias limit to count
        try:
            document = yaml.load(text, Loader=_FastSafeLoader)  # noqa: S506 - safe constructor
        except (yaml.YAMLError, ValueError, RecursionError):
            pass  # reported by the pure-Python loader below, with its marks and words
        else:
            if depth(document) <= MAX_DEPTH:
                return document
    return yaml.load(text, Loader=_LimitedSafeLoader)  # noqa: S506


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]|\n(?!\Z)")  # what escapes such as \t, \n, \a make
_PATH_ESCAPE = re.compile(r"[A-Za-z0-9_.$~:-]\\[abefnrtv][A-Za-z]")  # \temp, \new: a path's backslash read as an escape


def _screen(text: str) -> None:
    """Refuse aliases, explicit tags, nesting deeper than MAX_DEPTH and Windows paths whose backslashes
    double quotes turned into tabs or newlines, from the event stream alone."""
    level = 0
    for event in yaml.parse(text, Loader=_CBase):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.YAMLError("aliases (*name) are not allowed in an answers file")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise yaml.YAMLError(f"tags such as {str(tag)[:40]} are not allowed in an answers file")
        if isinstance(event, yaml.CollectionStartEvent):
            level += 1
            if level > MAX_DEPTH:
                raise yaml.YAMLError(f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            level -= 1
        elif (isinstance(event, yaml.ScalarEvent) and event.style == '"' and _CONTROL.search(event.value)
              and _PATH_ESCAPE.search(text, event.start_mark.index, event.end_mark.index)):
            # "C:\temp\new.txt" reads as C:<tab>emp<newline>ew.txt: a Windows path in double quotes, not an answer
            raise yaml.MarkedYAMLError("while scanning a double-quoted scalar", event.start_mark,
                                       "a backslash escape made a control character", event.start_mark)


def _load_answers_yaml(text: str) -> Any:
    if _CBase is None:
        return yaml.load(text, Loader=_TextLoader)  # noqa: S506 - BaseLoader: text only
    _screen(text)
    return yaml.load(text, Loader=_FastTextLoader)  # noqa: S506 - BaseLoader: text only


def _problem(exc: yaml.YAMLError, text: str = "") -> str:
    message = explain(exc, text)
    if message is not None:
        return message.render("en")  # the CLI shows it in the trainee's language (cli.error_text)
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "nesting depth" in problem:  # libyaml's own limit (1000) is reached before ours
        problem = f"nested more than {MAX_DEPTH} levels deep"
    if mark is not None:
        return f"not valid YAML: line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return f"not valid YAML: {problem}"


# PyYAML's and libyaml's wording of the mistakes people make in answers files -> the help to give.
_MISTAKES = (
    (("hexadecimal", "hexdecimal", "escape"), "yaml.hint.windows_path"),  # also _screen's control characters
    (("mapping values are not allowed",), "yaml.hint.colon"),
    (("sequence entries are not allowed",), "yaml.hint.dash"),
    (("expected ',' or ']'", "expected ',' or '}'"), "yaml.hint.bracket"),
    (("did not find expected key", "expected <block end>"), "yaml.hint.indent"),
)


def explain(exc: yaml.YAMLError, text: str) -> Message | None:
    """Plain-language help for a YAML mistake common in answers files, as a :class:`Message`, else None.

    Backslashes in a double-quoted Windows path, an unquoted value holding ``: ``, a value
    starting with ``- ``, an unclosed quote or ``[`` (reported at the line it opens, not
    where the file ends), a tab used to indent, keys of one mapping not in one column.
    """
    mark = getattr(exc, "problem_mark", None)
    problem = str(getattr(exc, "problem", None) or "")
    context = str(getattr(exc, "context", None) or "")
    if mark is None or not problem:
        return None
    from grader.i18n import Message

    lines = text.splitlines()
    line, column = mark.line, mark.column
    key = None
    if "end of stream" in problem and "quoted scalar" in context and getattr(exc, "context_mark", None):
        line, column, key = exc.context_mark.line, exc.context_mark.column, "yaml.hint.unclosed_quote"
    elif "\t" in (lines[line] if line < len(lines) else "")[: column + 1]:
        key = "yaml.hint.tab"
    else:
        key = next((k for words, k in _MISTAKES if any(w in problem for w in words)), None)
    if key == "yaml.hint.bracket" and getattr(exc, "context_mark", None):
        line, column = exc.context_mark.line, exc.context_mark.column  # where the list opened
    if key is None:
        return None
    source = lines[line] if line < len(lines) else ""
    hint = Message(key, {} if key in ("yaml.hint.tab", "yaml.hint.indent") else {"example": _quoted(source)})
    return Message("yaml.invalid", {"line": line + 1, "column": column + 1, "hint": hint,
                                    "problem": problem[:120]})


def _quoted(source: str) -> str:
    """The line as it should be written: its value in single quotes (``q1: 'Seal: W1107793'``)."""
    line = source.strip()
    if ": " not in line:
        return line[:80]
    name, _, value = line.partition(": ")
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    elif value[:1] in "\"'":
        value = value[1:]
    return f"{name}: '{value.replace(chr(39), chr(39) * 2)}'"[:120]


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
            document = json.loads(text, object_pairs_hook=_no_duplicates, parse_int=_int_or_text,
                                  parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise error(str(path), f"not valid JSON: line {exc.lineno}: {exc.msg}") from None
        except RecursionError:
            raise error(str(path), f"not valid JSON: nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as exc:
            raise error(str(path), f"not valid JSON: {str(exc)[:80]}") from None
    else:
        try:
            document = _load_answers_yaml(text) if as_text else _load_safe_yaml(text)
        except yaml.YAMLError as exc:
            raise error(str(path), _problem(exc, text)) from None
        except RecursionError:
            raise error(str(path), f"not valid YAML: nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as exc:  # e.g. a date or number the safe loader cannot build
            raise error(str(path), f"not valid YAML: {str(exc)[:80]}") from None
    if depth(document) > MAX_DEPTH:
        raise error(str(path), f"nested more than {MAX_DEPTH} levels deep")
    return document


def depth(document: Any) -> int:
    """How deeply lists and mappings nest in ``document`` (iterative: no recursion limit to hit)."""
    deepest = 0
    stack = [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                return level
            stack.extend((child, level + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key[:60]!r}")
        out[key] = value
    return out


def _int_or_text(text: str) -> int | str:
    """JSON integers as ints, but one too long for Python's int limit stays text (a checker rejects it)."""
    return int(text) if len(text) <= 40 else text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number an answer can hold")
