"""Tests for paperbrowse.dates.parse_bound: absolute and relative date bounds."""

from __future__ import annotations

from datetime import date

import pytest

from paperbrowse.dates import DateError, parse_bound

TODAY = date(2025, 3, 15)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31)),
        ("2024-3", date(2024, 3, 1), date(2024, 3, 31)),
        ("2024-02-29", date(2024, 2, 29), date(2024, 2, 29)),
        ("2024-03-05", date(2024, 3, 5), date(2024, 3, 5)),
        (" 2024-03-05 ", date(2024, 3, 5), date(2024, 3, 5)),
        ("0001", date(1, 1, 1), date(1, 12, 31)),
        ("9999-12", date(9999, 12, 1), date(9999, 12, 31)),
    ],
)
def test_absolute_bounds(text: str, start: date, end: date) -> None:
    assert parse_bound(text, end=False) == start
    assert parse_bound(text, end=True) == end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", date(2025, 3, 8)),
        ("0d", TODAY),
        ("4w", date(2025, 2, 15)),
        ("6m", date(2024, 9, 15)),  # calendar months, not 180 days
        ("1y", date(2024, 3, 15)),  # a calendar year, not 365 days
        ("2Y", date(2023, 3, 15)),
        ("12m", date(2024, 3, 15)),
        ("15m", date(2023, 12, 15)),
    ],
)
def test_relative_bounds_count_back_from_today(text: str, expected: date) -> None:
    assert parse_bound(text, end=False, today=TODAY) == expected
    assert parse_bound(text, end=True, today=TODAY) == expected


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2026, 5, 31), "3m", date(2026, 2, 28)),  # the day clamped to February's last
        (date(2024, 5, 31), "3m", date(2024, 2, 29)),  # a leap February
        (date(2026, 3, 31), "1m", date(2026, 2, 28)),
        (date(2026, 7, 31), "1m", date(2026, 6, 30)),
        (date(2026, 1, 31), "2m", date(2025, 11, 30)),
        (date(2024, 2, 29), "1y", date(2023, 2, 28)),
        (date(2024, 2, 29), "4y", date(2020, 2, 29)),
        (date(2026, 1, 15), "1m", date(2025, 12, 15)),  # across a year
    ],
)
def test_months_and_years_are_calendar_months_and_years(
    today: date, text: str, expected: date
) -> None:
    assert parse_bound(text, end=False, today=today) == expected


def test_the_browser_filter_bar_counts_months_the_same_way() -> None:
    """The filter bar's from/to go through dates.date_window, as --since/--until do."""
    from paperbrowse.dates import date_window
    from paperbrowse.tui.filter_bar import parse_dates

    for since, until, today in (("3m", "", date(2026, 5, 31)), ("1y", "1m", date(2024, 2, 29))):
        assert parse_dates(since, until, today=today) == date_window(since, until, today=today)
    assert parse_dates("3m", "", today=date(2026, 5, 31)) == (date(2026, 2, 28), None)
    assert parse_dates("1y", "1m", today=date(2024, 2, 29)) == (
        date(2023, 2, 28),
        date(2024, 1, 29),
    )


def test_relative_bound_defaults_to_the_real_today() -> None:
    assert parse_bound("0d", end=False) == date.today()


@pytest.mark.parametrize(
    "text",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13",
        "2024-00",
        "2024-04-31",
        "0000",
        "0000-01-01",
        "9999-99",
        "garbage",
        "",
        "24",
        "2024/03/05",
        "2024-03-05T00:00",
        "7x",
        "d7",
        "-7d",
        "99999y",
    ],
)
def test_invalid_bounds_raise_date_error_naming_the_input(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_bound(text, end=False, today=TODAY)
    message = str(info.value)
    assert repr(text.strip()) in message
    assert "\n" not in message
    with pytest.raises(DateError):
        parse_bound(text, end=True, today=TODAY)


def test_date_error_is_a_value_error() -> None:
    assert issubclass(DateError, ValueError)
