"""Finds every error message the code can raise, as a template, by walking the AST.

``raise SomeError(f"no partition {index} in {path}")`` gives the template
``no partition {index} in {path}``: literal text stays, each expression becomes a
``{placeholder}``. A message held in a variable is followed to the f-strings
assigned to it in the same function; both arms of ``a if c else b`` count.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What a trainee or instructor can meet (the builder is the trainer's).
SOURCES = [
    "forensics_kit/disk",
    "forensics_kit/net",
    "forensics_kit/yara",
    "forensics_kit/artefacts",
    "forensics_kit/hashing.py",
    "forensics_kit/media_format.py",
    "forensics_kit/custody.py",
    "forensics_kit/safe_output.py",
    "forensics_kit/course_build.py",
    "forensics_kit/timefmt.py",
    "forensics_kit/cli",
    "grader",
]
TRAINER_SOURCES = ["forensics_kit/builder"]

# The argument that carries the problem, for errors whose first argument is a file name.
MESSAGE_ARG = {"error": 1, "MarkedYAMLError": 2, "EvidenceError": 1, "YaraRuleError": 1, "LabDefinitionError": 1,
               "AnswerFileError": 1, "_SourceError": 1, "RecipeError": 2}
CLICK_ERRORS = {"ClickException", "BadParameter", "UsageError", "FileError"}
# Errors that are never shown as they are: a checker turns them into a reason, a caller into its own error.
INTERNAL = {"InvalidAnswer", "HttpFormatError", "DnsFormatError", "TimeSyntaxError", "ContentError",
            "UnknownKindError"}
_WORD = re.compile(r"[A-Za-z]{2,}")
# Pieces of messages made elsewhere: what these functions return, what these variables hold.
_PIECE_FUNCTIONS = re.compile(r"^(_?where|_wanted|_why|\w*_problem|\w*_hint|\w*_reason)$")
_PIECE_NAMES = {"problem", "why", "hint", "found", "where", "reason", "what"}


@dataclass(frozen=True)
class Site:
    """One message a ``raise`` can show: where it is and its template."""

    path: str
    line: int
    error: str
    template: str


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _shown(error: str) -> bool:
    """A project error or click's: what reaches the CLI's error boundary."""
    if error == "error":  # ``raise error(path, problem)``: the caller's error class, passed in
        return True
    if error in INTERNAL or hasattr(builtins, error):
        return False
    return error in CLICK_ERRORS or error.endswith(("Error", "Conflict", "Secret"))


def placeholder(expr: ast.expr) -> str:
    """A readable placeholder name for an f-string expression: ``{exc.strerror}`` -> ``exc_strerror``."""
    text = ast.unparse(expr)
    name = re.sub(r"\W+", "_", text).strip("_").lower()[:30].strip("_")
    return name if name and not name[0].isdigit() else "value"


def template_of(node: ast.expr) -> list[str]:
    """The templates a string-valued expression can produce (empty when it is not text we can read)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value.replace("{", "{{").replace("}", "}}")]
    if isinstance(node, ast.JoinedStr):
        parts, names = [], {}
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            elif isinstance(value, ast.FormattedValue):
                key = ast.unparse(value.value)
                name = names.get(key)
                if name is None:
                    base = name = placeholder(value.value)
                    n = 2
                    while name in names.values():
                        name, n = f"{base}{n}", n + 1
                    names[key] = name
                parts.append("{" + name + "}")
        return ["".join(parts)]
    if isinstance(node, ast.IfExp):
        return template_of(node.body) + template_of(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = template_of(node.left), template_of(node.right)
        if left or right:  # the unknown side is a value like any other
            unknown = ["{" + placeholder(node.left if not left else node.right) + "}"]
            return [a + b for a in left or unknown for b in right or unknown]
    if isinstance(node, ast.Name) and node.id.isupper() and node.id.lstrip("_") and node.id in _CONSTANTS:
        return template_of(_CONSTANTS[node.id])
    return []


_CONSTANTS: dict[str, ast.expr] = {}


def _assigned(function: ast.AST, name: str) -> list[ast.expr]:
    values = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
            if node.value is not None:
                values.append(node.value)
    return values


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _function_of(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> ast.AST:
    while node in parents and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        node = parents[node]
    return node


def sites(sources: list[str] = SOURCES) -> Iterator[Site]:
    """Every message a ``raise`` (or a ``click.ClickException(...)`` call) in ``sources`` can show."""
    files: list[Path] = []
    for source in sources:
        path = ROOT / source
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    for path in files:
        tree = ast.parse(path.read_text("utf-8"))
        parents = _parents(tree)
        _CONSTANTS.clear()
        _CONSTANTS.update({t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                           for t in node.targets if isinstance(t, ast.Name) and t.id.isupper()})
        for node in ast.walk(tree):
            yield from _pieces(node, path, parents)
            if not isinstance(node, ast.Call):
                continue
            error = _name(node.func)
            if not _shown(error) or not (isinstance(parents.get(node), ast.Raise) or error in CLICK_ERRORS):
                continue
            index = MESSAGE_ARG.get(error, 0)
            arg = node.args[index] if len(node.args) > index else None
            if arg is None:
                arg = next((k.value for k in node.keywords if k.arg in ("message", "problem")), None)
            if arg is None:
                continue
            exprs = [arg]
            if isinstance(arg, ast.Name):
                exprs = _assigned(_function_of(node, parents), arg.id)
            for expr in exprs:
                for template in template_of(expr):
                    if _WORD.search(re.sub(r"\{[^{}]*\}", "", template)):
                        yield Site(str(path.relative_to(ROOT)), node.lineno, error, template)


def _pieces(node: ast.AST, path: Path, parents: dict[ast.AST, ast.AST]) -> Iterator[Site]:
    """Message pieces: ``return f"..."`` of a ``where()``/``*_problem()``, ``problem = f"..."``,
    the ``super().__init__(f"...")`` of an error class, and the errors of gradebook rows
    (``error=f"..."``, ``row["error"] = f"..."``)."""
    exprs: list[ast.expr] = []
    if isinstance(node, ast.Return) and node.value is not None:
        function = _function_of(node, parents)
        if isinstance(function, ast.FunctionDef) and _PIECE_FUNCTIONS.match(function.name):
            exprs = [node.value]
    elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in _PIECE_NAMES for t in node.targets):
        exprs = [node.value]
    elif isinstance(node, ast.Assign) and any(  # row["error"] = f"..." (a gradebook row)
            isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and t.slice.value == "error"
            for t in node.targets):
        exprs = [node.value]
    elif isinstance(node, ast.Call) and any(k.arg == "error" for k in node.keywords):  # Submission(error=...)
        exprs = [k.value for k in node.keywords if k.arg == "error"]
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "__init__"
          and isinstance(node.func.value, ast.Call) and _name(node.func.value.func) == "super" and node.args):
        owner = node
        while owner in parents and not isinstance(owner, ast.ClassDef):
            owner = parents[owner]
        if isinstance(owner, ast.ClassDef) and _shown(owner.name):
            exprs = [node.args[0]]
    for expr in exprs:
        for template in template_of(expr):
            if _WORD.search(re.sub(r"\{[^{}]*\}", "", template)):
                yield Site(str(path.relative_to(ROOT)), getattr(node, "lineno", 0), "piece", template)


def normalise(template: str) -> str:
    """A template with its placeholders blanked: two templates match when these are equal."""
    return re.sub(r"(?<!\{)\{[^{}]*\}(?!\})", "{}", template)


# --- warnings: what the library appends to a ``warnings`` list, which ``output.warn`` shows

# Everything a command can warn about (the CLI's own warnings are its texts, checked elsewhere).
WARNING_SOURCES = ["forensics_kit"]
_WARNING_SKIP = ("forensics_kit/cli/",)
_WARNING_FUNCTIONS = re.compile(r"^_?warn$")
_WARNINGS_LIST = re.compile(r"(^|_)warnings$")
_WARNINGS_MAKER = re.compile(r"^\w*_warnings$")  # ``link_warnings()``: builds and returns warning texts


@dataclass(frozen=True)
class Unread:
    """A warning whose text the walk cannot read: where, and the expression as written."""

    path: str
    line: int
    source: str

    @property
    def key(self) -> str:
        return f"{self.path}: {self.source}"


def _receiver(node: ast.expr) -> str:
    """``self.warnings`` / ``warnings`` / ``report.warnings`` -> ``warnings``."""
    return _name(node)


def _warning_exprs(node: ast.Call, parents: dict[ast.AST, ast.AST]) -> list[ast.expr] | None:
    """The argument(s) of a call that adds warning text, or None when the call adds none."""
    func = node.func
    function = _function_of(node, parents)
    if isinstance(func, ast.Name) and _WARNING_FUNCTIONS.match(func.id) and node.args:
        return [node.args[0]]
    if not isinstance(func, ast.Attribute) or func.attr not in ("append", "extend") or not node.args:
        return None
    into_warnings = bool(_WARNINGS_LIST.search(_receiver(func.value)))
    in_maker = isinstance(function, ast.FunctionDef) and bool(_WARNINGS_MAKER.match(function.name))
    if func.attr == "append" and (into_warnings or in_maker and isinstance(func.value, ast.Name)):
        return [node.args[0]]
    if func.attr == "extend" and into_warnings:
        arg = node.args[0]
        if isinstance(arg, ast.List):
            return list(arg.elts)
        if isinstance(arg, ast.Name):  # a local list (``bad_options``): what is appended to it
            return [call.args[0] for call in ast.walk(function) if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
                    and _name(call.func.value) == arg.id and call.args]
        return []  # another list of warnings passed on (``reader.warnings``, ``link_warnings(...)``): read where made
    return None


def warning_sites(sources: list[str] = WARNING_SOURCES) -> tuple[list[Site], list[Unread]]:
    """Every warning text the library can append, as templates, and the ones it cannot read.

    ``warnings.append(f"...")``, ``self.warnings.append(problem + "; ...")`` (a variable is
    followed to what the function assigns it), ``warnings.extend(local_list)`` (what is
    appended to that list), the ``.append`` of a ``*_warnings()`` function, ``warn(...)``.
    A list of warnings passed on from elsewhere (``warnings.extend(reader.warnings)``) is read
    where it is made.
    """
    files: list[Path] = []
    for source in sources:
        path = ROOT / source
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    found: list[Site] = []
    unread: list[Unread] = []
    for path in files:
        relative = str(path.relative_to(ROOT))
        if relative.startswith(_WARNING_SKIP):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        parents = _parents(tree)
        functions = {f.name: f for f in tree.body if isinstance(f, ast.FunctionDef)}
        _CONSTANTS.clear()
        _CONSTANTS.update({t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                           for t in node.targets if isinstance(t, ast.Name) and t.id.isupper()})
        for node in ast.walk(tree):
            if isinstance(node, ast.AugAssign) and isinstance(node.op, ast.Add) and _WARNINGS_LIST.search(
                    _receiver(node.target)):  # ``info.warnings += [...]``
                exprs: list[ast.expr] | None = list(node.value.elts) if isinstance(node.value, ast.List) else [
                    node.value]
            elif isinstance(node, ast.Call):
                exprs = _warning_exprs(node, parents)
            else:
                continue
            if exprs is None:
                continue
            function = _function_of(node, parents)
            for expr in exprs:
                values = [expr]
                if isinstance(expr, ast.Name):
                    values = _assigned(function, expr.id)
                for name in {n.id for n in ast.walk(expr) if isinstance(n, ast.Name)}:
                    # ``problem = check_options(...)``, then f"...: {problem}": what that function returns
                    for value in _assigned(function, name):
                        if isinstance(value, ast.Call) and _name(value.func) in functions:
                            for ret in ast.walk(functions[_name(value.func)]):
                                if isinstance(ret, ast.Return) and ret.value is not None:
                                    found += [Site(relative, ret.lineno, "piece", t) for t in template_of(ret.value)
                                              if _WORD.search(re.sub(r"\{[^{}]*\}", "", t))]
                templates = [t for value in values for t in template_of(value)]
                if not templates:
                    unread.append(Unread(relative, node.lineno, ast.unparse(expr)))
                for template in templates:
                    if _WORD.search(re.sub(r"\{[^{}]*\}", "", template)):
                        found.append(Site(relative, node.lineno, "warning", template))
    return list(dict.fromkeys(found)), unread
