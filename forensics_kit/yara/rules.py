"""Compile YARA rules with one-line errors that name the rules file and the line.

yara-python reports a bad rules file as ``rules.yar(7): syntax error ...`` and bad
source text as ``line 7: ...``; trainees see both the same way:
``rules.yar: line 7: syntax error, unexpected identifier``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yara

from forensics_kit.errors import ForensicsKitError

_FILE_LINE = re.compile(r"^(?P<file>.*)\((?P<line>\d+)\): (?P<msg>.*)$", re.DOTALL)
_LINE = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$", re.DOTALL)


class YaraRuleError(ForensicsKitError):
    """A YARA rules file or text that does not compile (or a scan that YARA refused).

    The message is one line: ``rules.yar: line 7: syntax error, unexpected identifier``.
    """

    def __init__(self, source: str, problem: str, line: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        where = f"{source}: line {line}: " if line is not None else f"{source}: "
        super().__init__(where + problem)


@dataclass(frozen=True, slots=True)
class Rules:
    """Compiled YARA rules and where they came from (a file name, or ``<rules>`` for text).

    Attributes:
        compiled: the yara-python ``Rules`` object.
        source: the rules file, or ``"<rules>"`` for rules given as text.
        names: rule identifiers, in file order.
    """

    compiled: yara.Rules
    source: str
    names: tuple[str, ...]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _parse_error(exc: yara.Error, source: str) -> YaraRuleError:
    text = str(exc).strip()
    match = _FILE_LINE.match(text)
    if match:
        name = match.group("file") or source
        return YaraRuleError(name, _one_line(match.group("msg")), int(match.group("line")))
    match = _LINE.match(text)
    if match:
        return YaraRuleError(source, _one_line(match.group("msg")), int(match.group("line")))
    return YaraRuleError(source, _one_line(text) or type(exc).__name__)


def compile_rules(path_or_text: str | Path, *, externals: dict[str, object] | None = None) -> Rules:
    """Compile a rules file (a :class:`~pathlib.Path`, or a string naming an existing file) or rules text.

    A string that names an existing file is read as a file (``include`` resolves next
    to it); any other string is taken as the rules themselves.

    Raises:
        YaraRuleError: the rules do not compile, or the file cannot be read; one line
            with the file name and line number.
    """
    is_path = isinstance(path_or_text, Path) or (
        path_or_text.strip() != "" and "\n" not in path_or_text and "{" not in path_or_text
        and Path(path_or_text).exists()
    )
    try:
        if is_path:
            path = Path(path_or_text)
            source = str(path)
            if not path.is_file():
                raise YaraRuleError(source, "no such rules file" if not path.exists() else "not a file")
            try:
                text = path.read_text("utf-8", "replace")
            except OSError as exc:
                raise YaraRuleError(source, f"cannot read: {exc.strerror or exc}") from exc
            compiled = yara.compile(filepath=str(path), externals=externals or {})
        else:
            source = "<rules>"
            text = str(path_or_text)
            compiled = yara.compile(source=text, externals=externals or {})
    except yara.SyntaxError as exc:
        raise _parse_error(exc, source) from exc
    except yara.Error as exc:
        raise _parse_error(exc, source) from exc
    names = tuple(rule.identifier for rule in compiled)
    if not names and not re.search(r"\brule\b", text):
        raise YaraRuleError(source, "no rules in the text")
    return Rules(compiled, source, names)


def escape_text(text: str) -> str:
    """Escape a literal for a YARA text string (``"..."``)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def hex_string(alternatives: list[list[bytes]]) -> str:
    """A YARA hex string from a sequence of positions, each a list of byte alternatives.

    ``[[b"A", b"a"], [b"\\xd0\\x9f", b"\\xd0\\xbf"]]`` gives ``{ ( 41 | 61 ) ( d0 9f | d0 bf ) }``.
    """
    parts = []
    for options in alternatives:
        unique = list(dict.fromkeys(options))
        rendered = [" ".join(f"{b:02x}" for b in opt) for opt in unique]
        parts.append(rendered[0] if len(rendered) == 1 else "( " + " | ".join(rendered) + " )")
    return "{ " + " ".join(parts) + " }"
