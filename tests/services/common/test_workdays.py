"""English working days: weekends and bank holidays excluded."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.services.common import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass


def test_bank_holidays_and_weekends_are_not_working_days() -> None:
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute (Monday)
    assert not is_working_day(date(2026, 5, 25))  # Spring bank holiday
    assert not is_working_day(date(2026, 8, 31))  # Summer bank holiday in England
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert is_working_day(date(2026, 11, 27))


def test_scottish_holidays_do_not_count_in_england() -> None:
    assert is_working_day(date(2026, 8, 3))  # Scotland's summer bank holiday


def test_adding_working_days_skips_weekend_and_bank_holiday() -> None:
    # Friday 22 May 2026 + 1 working day: skip Sat, Sun and Monday 25 May bank holiday.
    assert add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)
    assert add_working_days(date(2026, 5, 26), -1) == date(2026, 5, 22)
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_zero_days_rolls_forward_to_a_working_day() -> None:
    assert add_working_days(date(2026, 5, 23), 0) == date(2026, 5, 26)
    assert add_working_days(date(2026, 5, 22), 0) == date(2026, 5, 22)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       st.integers(min_value=1, max_value=40))
def test_adding_then_counting_working_days_agree(start: date, days: int) -> None:
    end = add_working_days(start, days)
    assert is_working_day(end)
    assert working_days_between(start, end) == days
    assert add_working_days(end, -days) <= start


def _walk(start: date, days: int) -> date:
    """The rule spelt out day by day: the reference the arithmetic must agree with."""
    step, current, remaining = (1 if days >= 0 else -1), start, abs(days)
    if days == 0:
        while not is_working_day(current):
            current += timedelta(days=1)
        return current
    while remaining:
        current += timedelta(days=step)
        remaining -= is_working_day(current)
    return current


@given(st.dates(min_value=date(1995, 1, 1), max_value=date(2045, 12, 31)),
       st.integers(min_value=-400, max_value=400))
def test_arithmetic_working_days_match_walking_day_by_day(start: date, days: int) -> None:
    assert add_working_days(start, days) == _walk(start, days)
    end = start + timedelta(days=abs(days))
    assert working_days_between(start, end) == sum(
        is_working_day(start + timedelta(days=n)) for n in range(1, abs(days) + 1))
    assert working_days_between(end, start) == -working_days_between(start, end)


def test_counting_across_many_years_stays_exact() -> None:
    # 2017-01-01 .. 2026-12-31: 2,609 weekdays less 83 bank holidays (8 a year, substitutes on
    # weekdays, plus the 2022 jubilee and state funeral and the 2023 coronation).
    assert working_days_between(date(2016, 12, 31), date(2026, 12, 31)) == 2609 - 83
