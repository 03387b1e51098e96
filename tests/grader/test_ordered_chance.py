"""``ordered`` is chance-corrected: guessing earns little, the shown order nothing, a near miss most."""

from __future__ import annotations

import itertools
import random

import pytest

from grader.checkers import Outcome, make_checker
from grader.checkers.ordered import kendall_distance, order_credit

EVENTS = ["C", "D", "E", "B", "A", "F"]  # case-01's timeline shape: the printed example is A..F


@pytest.mark.parametrize("n", [4, 5, 6, 8, 10])
def test_random_orders_average_at_most_a_tenth_of_the_points(n):
    expected = [f"e{i}" for i in range(n)]
    checker = make_checker("ordered")
    rng = random.Random(n)
    total = 0.0
    trials = 3000
    for _ in range(trials):
        order = expected[:]
        rng.shuffle(order)
        total += checker.check(order, expected, 1.0).points
    assert total / trials <= 0.10


@pytest.mark.parametrize("n", [4, 5, 6, 7])
def test_the_exact_average_over_every_order_is_at_most_a_tenth(n):
    mean = sum(order_credit(kendall_distance(list(p), n), n) for p in itertools.permutations(range(n)))
    assert mean / len(list(itertools.permutations(range(n)))) <= 0.10


def test_random_partial_answers_average_little_too():
    checker = make_checker("ordered")
    rng = random.Random(1)
    points = []
    for _ in range(2000):
        order = rng.sample(EVENTS, rng.randint(2, 6))
        points.append(checker.check(order, EVENTS, 1.0).points)
    assert sum(points) / len(points) <= 0.10


def test_the_example_order_printed_in_the_question_earns_nothing_unless_right():
    checker = make_checker("ordered", {"zero_orders": ["A", "B", "C", "D", "E", "F"]})
    shown = checker.check(["A", "B", "C", "D", "E", "F"], EVENTS, 3)
    assert (shown.outcome, shown.points) == (Outcome.WRONG, 0.0)
    assert "order the question shows" in shown.reason.render("en")
    right = make_checker("ordered", {"zero_orders": EVENTS}).check(EVENTS, EVENTS, 3)
    assert right.outcome is Outcome.CORRECT


def test_one_adjacent_swap_in_six_events_still_earns_most():
    result = make_checker("ordered").check(["D", "C", "E", "B", "A", "F"], EVENTS, 3)
    assert result.outcome is Outcome.PARTIAL and result.points > 1.5
    assert "14 of 15 pairs" in result.reason.render("en")


def test_three_events_or_fewer_give_credit_only_for_the_right_order():
    result = make_checker("ordered").check(["b", "a", "c"], ["a", "b", "c"], 1)
    assert result.outcome is Outcome.WRONG and result.reason.params["parts"][-1].key == "ordered.no_partial"


def test_a_long_answer_is_checked_in_linear_time():
    import time

    expected = [f"event-{i}" for i in range(60)]
    given = [f"noise-{i}" for i in range(60_000)] + expected
    start = time.perf_counter()
    result = make_checker("ordered").check(given, expected, 1)
    assert time.perf_counter() - start < 2 and result.points == 0


def test_worthless_orders_may_come_from_the_truth_in_the_expected_value():
    expected = {"order": ["search", "listing", "map", "photo1", "bank", "photo2", "chat"],
                "zero_orders": [["search", "listing", "map", "bank", "chat", "photo1", "photo2"]]}
    checker = make_checker("ordered")
    assert checker.check(expected["order"], expected, 3).outcome is Outcome.CORRECT
    mistake = checker.check(expected["zero_orders"][0], expected, 3)
    assert (mistake.outcome, mistake.points) == (Outcome.WRONG, 0.0)
    assert checker.check(expected["zero_orders"][0], expected["order"], 3).points > 1  # without it: 41%
