"""Property tests: promises that must hold for any answer, not just chosen examples."""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from grader import Outcome, make_checker  # noqa: E402
from grader.messages import CATALOGUE  # noqa: E402

KEYS = {
    "hash": "d41d8cd98f00b204e9800998ecf8427e", "integer": 5, "ip": "10.0.0.1",
    "number": 1.5, "one_of": ["a"], "regex": "a+", "set": ["a", "b"], "text": "a",
    "timestamp": "2024-03-01T10:00:00Z",
}
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=8,
)
FAST = settings(max_examples=60, deadline=None)


@FAST
@given(type_=st.sampled_from(sorted(KEYS)), answer=JSONISH)
def test_any_answer_gives_a_result_within_the_points_and_never_raises(type_, answer):
    result = make_checker(type_).check(answer, KEYS[type_], 2)
    assert 0.0 <= result.points <= result.max_points == 2.0
    assert (result.points == 2.0) == (result.outcome is Outcome.CORRECT)
    assert result.reason.render("en") and result.reason.render("ru")


@FAST
@given(
    expected=st.sets(st.integers(0, 30), min_size=1, max_size=6),
    answer=st.lists(st.integers(0, 40), max_size=10),
    penalty=st.sampled_from([0.0, 0.5, 1.0, 2.0]),
)
def test_set_score_is_bounded_and_full_only_for_the_exact_set(expected, answer, penalty):
    checker = make_checker("set", {"item_type": "integer", "penalty": penalty})
    result = checker.check(answer, sorted(expected), 3)
    assert 0.0 <= result.points <= 3.0
    assert (result.outcome is Outcome.CORRECT) == (set(answer) == expected)
    if penalty >= 1 and set(answer) >= expected and len(set(answer)) >= 2 * len(expected):
        assert result.points == 0.0


@FAST
@given(number=st.integers(-(10**12), 10**12))
def test_integer_accepts_its_grouped_and_hex_spellings(number):
    checker = make_checker("integer")
    sign = "-" if number < 0 else ""
    for text in (f"{number:,}", f"{number:_}", f"{number:,}".replace(",", " "),
                 f"{sign}{abs(number):#x}"):
        assert checker.check(text, number).outcome is Outcome.CORRECT, text


@FAST
@given(text=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1))
def test_text_padding_and_case_do_not_change_the_verdict(text):
    checker = make_checker("text")
    if not text.strip():
        return
    assert checker.check(f" {text} ", text).outcome is Outcome.CORRECT
    if text.upper().casefold() == text.lower().casefold():  # not true for every letter ('İ')
        assert checker.check(f"  {text.upper()}\t", text.lower()).outcome is Outcome.CORRECT


@FAST
@given(key=st.sampled_from(sorted(CATALOGUE)), lang=st.sampled_from(["en", "ru", "xx"]),
       value=st.integers() | st.text(max_size=10))
def test_rendering_any_message_with_any_params_never_raises(key, lang, value):
    from grader import render

    assert isinstance(render(key, lang, given=value, count=value, x=value), str)
