"""Compiling rules: files and text, and one-line errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from forensics_kit.errors import ForensicsKitError
from forensics_kit.yara import YaraRuleError, compile_rules


def test_rules_file_and_text_compile_and_list_their_names(tmp_path: Path) -> None:
    path = tmp_path / "rules.yar"
    path.write_text('rule one { strings: $a = "x" condition: $a }\nrule two { condition: true }\n')
    assert compile_rules(path).names == ("one", "two")
    assert compile_rules(str(path)).source == str(path)
    assert compile_rules('rule t { condition: false }').source == "<rules>"


def test_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "rules.yar"
    path.write_text("rule ok { condition: true }\n\nrule bad {\n  strings:\n    $a = \"x\"\n  condition:\n"
                    "    $a and oops\n}\n")
    with pytest.raises(YaraRuleError) as info:
        compile_rules(path)
    assert str(info.value) == f'{path}: line 7: undefined identifier "oops"'
    assert "\n" not in str(info.value) and info.value.line == 7
    assert isinstance(info.value, ForensicsKitError)


def test_text_error_and_missing_file_are_one_line() -> None:
    with pytest.raises(YaraRuleError, match=r"^<rules>: line 2: "):
        compile_rules('rule r {\n condition: $nope }')
    with pytest.raises(YaraRuleError, match=r"^nothere.yar: no such rules file$"):
        compile_rules(Path("nothere.yar"))
    with pytest.raises(YaraRuleError, match=r"^<rules>: line 1: syntax error"):
        compile_rules("just some words")
    with pytest.raises(YaraRuleError, match=r"^<rules>: no rules in the text$"):
        compile_rules("  ")
