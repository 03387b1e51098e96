"""Answer types load on demand: every built-in type is known by name, its module imported when a lab uses it.

``fklab lab check`` pays only for the checkers its lab's questions use (start-up a trainee
feels on every check); the registry contract stays whole: known types listed in the
unknown-type error, registration on subclassing, classes importable from the package.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader.checkers import base
from grader.lab import load_lab
from grader.lazy_re import lazy

REPO = Path(__file__).resolve().parents[2]
_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.__stderr__.write("MODULES=" + json.dumps(sorted(sys.modules)) + "\\n"))
sys.argv = ["fklab", *ARGS]
from forensics_kit.cli.main import main
main()
"""


def _modules_after(*args: str, cache: Path | None = None) -> set[str]:
    code = _PROBE.replace("ARGS", repr(list(args)))
    env = {**os.environ, **({"FKLAB_CACHE_DIR": str(cache)} if cache else {})}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO,
                          env=env)
    line = next(x for x in done.stderr.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def test_each_built_in_type_is_registered_by_the_module_the_table_names() -> None:
    for name, module in base.BUILT_IN.items():
        importlib.import_module(module)
        assert base._REGISTRY[name].__module__ == module, name
    built_in_classes = {n for n, c in base._REGISTRY.items() if c.__module__.startswith("grader.checkers.")}
    assert built_in_classes == set(base.BUILT_IN)  # a new checker module must be listed in BUILT_IN


def test_unknown_type_lists_built_in_types_not_yet_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_REGISTRY", {})  # as at start-up: nothing imported yet
    with pytest.raises(base.CheckerConfigError) as info:
        base.get_checker("sett")
    assert all(name in str(info.value) for name in base.BUILT_IN)
    assert "did you mean 'set'" in str(info.value)


def test_a_checker_class_is_importable_from_the_package() -> None:
    from grader.checkers import SetChecker, TimestampChecker

    assert SetChecker.name == "set" and TimestampChecker.name == "timestamp"
    with pytest.raises(ImportError):
        from grader.checkers import NoSuchChecker  # noqa: F401


def test_lab_check_imports_only_the_checkers_its_questions_use(tmp_path: Path) -> None:
    lab = load_lab(REPO / "labs" / "intro-01" / "lab.yaml")
    used = {base.BUILT_IN[q.type] for q in lab.questions}
    unused = set(base.BUILT_IN.values()) - used
    assert unused, "intro-01 uses every answer type: pick a lab that does not"
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"lab: intro-01\nanswers:\n  {lab.questions[0].id}: x\n", "utf-8")
    cache = tmp_path / "cache"  # a fresh user cache, as on a trainee's first check after installing
    cold = _modules_after("lab", "check", "intro-01", str(answers), cache=cache)
    assert used <= cold and cold & unused == set()
    modules = _modules_after("lab", "check", "intro-01", str(answers), cache=cache)
    assert used <= modules
    assert modules & unused == set()
    # Loaded only where needed: a zone name (intro-01's times are UTC), copying evidence, a misspelt type.
    # (The first check builds the user cache - catalogue and schema checks - and may load more for that.)
    assert modules & {"zoneinfo", "shutil", "difflib"} == set()


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_the_pattern() -> None:
    pattern = lazy(r"(?P<n>\d+) packets?", re.IGNORECASE)
    assert pattern._compiled is None  # type: ignore[attr-defined]
    assert pattern.fullmatch("3 Packets")["n"] == "3"
    assert pattern.sub("#", "1 packet, 2 packets") == "#, #"
    assert pattern.pattern == r"(?P<n>\d+) packets?" and pattern.flags & re.IGNORECASE
