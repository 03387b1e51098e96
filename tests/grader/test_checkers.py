"""The checker contract and registry, and the text and numeric answer types."""

from __future__ import annotations

import subprocess
import sys

import pytest

from grader import CheckerConfigError, Outcome, get_checker, known_types, make_checker
from grader.checkers import Checker, CheckResult, TextChecker, base
from grader.i18n import msg

BUILT_IN = ["hash", "integer", "ip", "number", "one_of", "regex", "set", "text", "timestamp"]


def check(type_: str, given: object, expected: object, points: float = 1.0, **options: object):
    return make_checker(type_, options).check(given, expected, points)


# --- registry and contract ---------------------------------------------------


def test_every_built_in_type_is_registered():
    assert set(BUILT_IN) <= set(known_types())
    assert known_types() == sorted(known_types())
    assert get_checker("text") is TextChecker


def test_unknown_type_error_names_the_known_types_and_suggests_the_closest():
    with pytest.raises(CheckerConfigError) as info:
        get_checker("sett")
    text = str(info.value)
    assert "unknown answer type 'sett'" in text
    assert all(name in text for name in BUILT_IN)
    assert "did you mean 'set'" in text


def test_new_subclass_registers_itself(monkeypatch):
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))

    class PathChecker(Checker):
        name = "path_demo"

        def prepare_expected(self, expected):
            return str(expected).replace("\\", "/")

        def score(self, given, expected, max_points):
            ok = str(given).replace("\\", "/") == expected
            return base.correct(max_points) if ok else base.wrong(max_points, msg("text.wrong"))

    assert "path_demo" in known_types()
    assert make_checker("path_demo").check("a\\b", "a/b", 2).points == 2.0


def test_second_class_with_a_taken_name_is_refused(monkeypatch):
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    with pytest.raises(CheckerConfigError, match="already defined"):

        class Impostor(TextChecker):
            name = "text"


def test_unknown_option_error_names_checker_and_known_options():
    with pytest.raises(CheckerConfigError) as info:
        make_checker("number", {"tol": 1})
    assert str(info.value) == "checker 'number': unknown option 'tol' (known: abs_tol, rel_tol)"


@pytest.mark.parametrize(
    ("type_", "options"),
    [
        ("text", {"case_sensitive": "yes"}),
        ("integer", {"tolerance": -1}),
        ("integer", {"tolerance": True}),
        ("set", {"item_type": "colour"}),
        ("hash", {"accept": ["crc32"]}),
        ("timestamp", {"assume_tz": "Mars/Olympus"}),
    ],
)
def test_bad_option_value_is_a_config_error(type_, options):
    with pytest.raises(CheckerConfigError, match=f"checker '{type_}'"):
        make_checker(type_, options)


def test_options_must_be_a_mapping():
    with pytest.raises(CheckerConfigError):
        make_checker("text", ["case_sensitive"])  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [None, "", "   ", [], {}])
@pytest.mark.parametrize("type_", BUILT_IN)
def test_empty_answer_is_missing_with_no_points(type_, given):
    expected = {
        "hash": "d41d8cd98f00b204e9800998ecf8427e", "integer": 5, "ip": "10.0.0.1",
        "number": 1.5, "one_of": ["a"], "regex": "a+", "set": ["a"], "text": "a",
        "timestamp": "2024-03-01T10:00:00Z",
    }[type_]
    result = check(type_, given, expected, 3)
    assert (result.outcome, result.points, result.max_points) == (Outcome.MISSING, 0.0, 3.0)


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("text", "x"), ("integer", 5), ("ip", "10.0.0.1"), ("number", 1.0), ("regex", "x"),
        ("hash", "d41d8cd98f00b204e9800998ecf8427e"), ("timestamp", "2024-03-01T10:00:00Z"),
        ("set", ["x"]),
    ],
)
def test_answer_of_the_wrong_kind_is_wrong_never_an_exception(type_, expected):
    result = check(type_, {"answer": "x"}, expected, 2)
    assert result.outcome is Outcome.WRONG and result.points == 0
    assert result.reason.key == "answer.wrong_kind"


def test_negative_max_points_is_a_config_error():
    with pytest.raises(CheckerConfigError, match="max_points"):
        check("text", "a", "a", -1)


def test_result_to_dict_is_json_ready_and_rendered_in_the_language():
    result = check("integer", "12", 5)
    data = result.to_dict("ru")
    assert data["outcome"] == "wrong" and data["points"] == 0.0 and data["max_points"] == 1.0
    assert data["reason"] == "Число не совпадает с ожидаемым."
    assert data["reason_key"] == "integer.wrong"
    assert isinstance(result, CheckResult)


# --- text, one_of, regex -----------------------------------------------------


@pytest.mark.parametrize("given", ["evil.exe", "  EVIL.exe ", "Evil.Exe\n"])
def test_text_ignores_case_and_surrounding_space(given):
    assert check("text", given, "evil.exe").outcome is Outcome.CORRECT


def test_text_collapses_inner_whitespace_but_not_removes_it():
    assert check("text", "John   Smith", "john smith").outcome is Outcome.CORRECT
    assert check("text", "JohnSmith", "john smith").outcome is Outcome.WRONG


def test_text_accepts_any_of_a_list_of_expected_answers():
    assert check("text", "ntfs", ["NTFS", "New Technology File System"]).outcome is Outcome.CORRECT


def test_text_number_answer_is_read_as_text():
    assert check("text", 443, "443").outcome is Outcome.CORRECT


def test_text_yaml_boolean_answer_gets_a_quoting_hint():
    result = check("text", False, "no")
    assert result.outcome is Outcome.WRONG and result.reason.key == "answer.yaml_bool"


def test_case_sensitive_text_says_only_the_case_is_wrong():
    result = check("text", "password1", "PassWord1", case_sensitive=True)
    assert result.outcome is Outcome.WRONG and result.reason.key == "text.case_differs"
    assert check("text", "PassWord1", "PassWord1", case_sensitive=True).points == 1.0


def test_text_empty_expected_is_a_config_error():
    with pytest.raises(CheckerConfigError):
        make_checker("text").validate_expected(["ok", " "])


def test_one_of_accepts_each_listed_answer_and_needs_a_list():
    for given in ("FAT32", "fat 32"):
        assert check("one_of", given, ["fat32", "FAT 32"]).outcome is Outcome.CORRECT
    assert check("one_of", "exfat", ["fat32"]).reason.key == "one_of.wrong"
    with pytest.raises(CheckerConfigError, match="list"):
        make_checker("one_of").validate_expected("fat32")


def test_regex_needs_a_full_match_of_the_trimmed_answer():
    pattern = r"C:\\Users\\\w+\\Desktop"
    assert check("regex", r"  c:\users\bob\desktop ", pattern).outcome is Outcome.CORRECT
    assert check("regex", r"C:\Users\bob\Desktop\x", pattern).outcome is Outcome.WRONG


def test_regex_case_matters_when_ignore_case_is_false():
    assert check("regex", "ABC", "abc", ignore_case=False).outcome is Outcome.WRONG


def test_regex_that_does_not_compile_is_a_config_error():
    with pytest.raises(CheckerConfigError, match="does not compile"):
        make_checker("regex").validate_expected("([a-z]")


# --- integer, number -----------------------------------------------------------


@pytest.mark.parametrize(
    "given", [1024, "1024", "1 024", "1,024", "1\u00a0024", "1_024", "0x400", "0X400", 1024.0,
              "1024.0", " +1024 "]
)
def test_integer_reads_grouped_hex_and_integral_forms(given):
    assert check("integer", given, 1024).outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["10 24", "1.024", "1024 and 2", "twelve", 10.5, "1,02,4"])
def test_integer_unreadable_text_is_wrong_with_a_reason(given):
    result = check("integer", given, 1024)
    assert result.outcome is Outcome.WRONG and result.reason.key == "integer.invalid"


def test_integer_bool_is_not_a_number():
    assert check("integer", True, 1).reason.key == "answer.wrong_kind"


def test_integer_leading_zeros_are_decimal():
    assert check("integer", "007", 7).outcome is Outcome.CORRECT


def test_integer_tolerance_accepts_near_values_only():
    assert check("integer", 1022, 1024, tolerance=2).outcome is Outcome.CORRECT
    assert check("integer", 1021, 1024, tolerance=2).outcome is Outcome.WRONG


def test_integer_expected_must_be_whole():
    with pytest.raises(CheckerConfigError):
        make_checker("integer").validate_expected("many")


@pytest.mark.parametrize("given", ["12,5", "12.5", 12.5, "1.25e1", "12.500"])
def test_number_reads_decimal_comma_point_and_exponent(given):
    assert check("number", given, 12.5).outcome is Outcome.CORRECT


def test_number_comma_before_three_digits_is_ambiguous():
    assert check("number", "1,024", 1024).reason.key == "number.ambiguous"
    assert check("number", "1,024.5", 1024.5).outcome is Outcome.CORRECT


def test_number_tolerances():
    assert check("number", 3.15, 3.14159, abs_tol=0.01).outcome is Outcome.CORRECT
    assert check("number", 3.2, 3.14159, abs_tol=0.01).outcome is Outcome.WRONG
    assert check("number", 101, 100, rel_tol=0.02).outcome is Outcome.CORRECT


@pytest.mark.parametrize("given", ["nan", "inf", "1e400", "about 3"])
def test_number_rejects_non_finite_and_text(given):
    assert check("number", given, 1.0).reason.key == "number.invalid"


def test_grader_imports_no_forensic_back_ends():
    code = (
        "import sys, grader, grader.checkers; "
        "print(sorted({'pytsk3', 'scapy', 'dfvfs', 'yara'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
