"""The ``timestamp`` answer type."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from grader import CheckerConfigError, Outcome, make_checker

EXPECTED = "2024-03-01T10:00:00Z"


def check(given: object, expected: object = EXPECTED, **options: object):
    return make_checker("timestamp", options).check(given, expected, 1)


@pytest.mark.parametrize(
    "given",
    ["2024-03-01T10:00:00Z", "2024-03-01T10:00:00z", "2024-03-01 10:00:00Z",
     "2024-03-01T13:00:00+03:00", "2024-03-01T13:00:00+0300", "2024-03-01T10:00:00.4Z",
     "2024-03-01 10:00:00 UTC", "2024-03-01 10:00 GMT", "2024-03-01 13:00 UTC+3",
     "2024-03-01 13:00:00 Europe/Moscow", "01.03.2024 10:00:00", "01.03.2024 10:00",
     "2024-03-01 10:00", "2024/03/01 10:00:00", 1709287200, "1709287200",
     "Fri Mar  1 10:00:00 2024", datetime(2024, 3, 1, 10, tzinfo=UTC)],
)
def test_timestamp_reads_common_formats(given):
    result = check(given)
    assert result.outcome is Outcome.CORRECT, result.reason.render("en")


def test_timestamp_without_zone_is_read_in_assume_tz():
    assert check("2024-03-01 13:00:00", assume_tz="Europe/Moscow").outcome is Outcome.CORRECT
    result = check("01.03.2024 13:00:00", assume_tz="Europe/Moscow")
    assert "taken as Europe/Moscow" in result.reason.render("en")
    assert "использован пояс Europe/Moscow" in result.reason.render("ru")


def test_timestamp_reason_says_the_zone_came_from_the_answer():
    assert "the zone +03:00 written in the answer" in check("2024-03-01T13:00:00+03:00").reason.render()


def test_timestamp_tolerance_in_seconds():
    assert check("2024-03-01T10:00:01Z").outcome is Outcome.CORRECT
    assert check("2024-03-01T10:00:05Z").outcome is Outcome.WRONG
    assert check("2024-03-01T10:00:05Z", tolerance=5).outcome is Outcome.CORRECT


@pytest.mark.parametrize(("given", "hours"), [("2024-03-01T13:00:00Z", 3), ("2024-03-01 07:00", 3),
                                              ("2024-03-01T23:00:00Z", 13)])
def test_timestamp_whole_hours_off_points_at_the_time_zone(given, hours):
    result = check(given)
    assert result.outcome is Outcome.WRONG
    assert f"Off by exactly {hours} h: check the time zone." in result.reason.render("en")
    assert f"Расхождение ровно {hours} ч: проверьте часовой пояс." in result.reason.render("ru")


def test_timestamp_more_than_a_day_or_minutes_off_is_plain_wrong():
    assert check("2024-03-03T10:00:00Z").reason.params["parts"][1].key == "time.wrong"
    assert check("2024-03-01T10:20:00Z").reason.params["parts"][1].key == "time.wrong"


def test_timestamp_swapped_day_and_month_gets_a_hint():
    result = check("03.01.2024 10:00:00")
    assert result.reason.params["parts"][1].key == "time.day_month_swapped"


def test_timestamp_us_style_date_is_refused_as_ambiguous():
    result = check("03/01/2024 10:00")
    assert (result.outcome, result.reason.key) == (Outcome.WRONG, "time.ambiguous")


@pytest.mark.parametrize("given", ["yesterday", "2024-13-01 10:00", "2024-03-01 10:00 Mars/Base"])
def test_timestamp_unreadable_answer_is_wrong_with_a_format_hint(given):
    result = check(given)
    assert (result.outcome, result.reason.key) == (Outcome.WRONG, "time.invalid")
    assert "ISO 8601" in result.reason.render("en")


def test_timestamp_date_only_answer_is_read_as_midnight():
    assert check(date(2024, 3, 1), "2024-03-01T00:00:00Z").outcome is Outcome.CORRECT


def test_timestamp_expected_naive_is_utc_and_garbage_is_a_config_error():
    assert check("2024-03-01T10:00:00Z", "2024-03-01T10:00:00").outcome is Outcome.CORRECT
    with pytest.raises(CheckerConfigError, match="ISO 8601"):
        make_checker("timestamp").validate_expected("1 March 2024")
