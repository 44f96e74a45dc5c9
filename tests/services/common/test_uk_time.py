"""UK time: dates and deadlines in Europe/London across the clock changes (last Sundays of March
and October), and times shown in UK time with the zone named."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.filters import govuk_date, govuk_datetime
from portal.services.common import end_of_uk_day, is_after_uk_day, uk_today

pytestmark = pytest.mark.no_database  # no database: left out of the PostgreSQL pass

SPRING = date(2026, 3, 29)  # clocks go forward at 01:00 UTC
AUTUMN = date(2026, 10, 25)  # clocks go back at 01:00 UTC


@pytest.mark.parametrize(("utc", "uk_date"), [
    (datetime(2026, 3, 28, 23, 30), date(2026, 3, 28)),  # GMT: UK = UTC
    (datetime(2026, 3, 29, 23, 15), date(2026, 3, 30)),  # 00:15 BST the next day
    (datetime(2026, 10, 24, 23, 15), date(2026, 10, 25)),  # 00:15 BST on the autumn Sunday
    (datetime(2026, 10, 25, 23, 15), date(2026, 10, 25)),  # GMT again: still the Sunday
])
def test_uk_today_follows_summer_time(utc: datetime, uk_date: date) -> None:
    assert uk_today(utc) == uk_date


def test_a_deadline_ends_at_uk_midnight_on_both_sides_of_each_clock_change() -> None:
    assert end_of_uk_day(date(2026, 3, 28)) == datetime(2026, 3, 29, 0, 0)
    assert end_of_uk_day(SPRING) == datetime(2026, 3, 29, 23, 0)  # BST midnight
    assert end_of_uk_day(date(2026, 10, 24)) == datetime(2026, 10, 24, 23, 0)
    assert end_of_uk_day(AUTUMN) == datetime(2026, 10, 26, 0, 0)  # GMT midnight


def test_a_submission_at_half_past_midnight_bst_after_the_deadline_is_late() -> None:
    deadline = date(2026, 6, 30)
    assert not is_after_uk_day(datetime(2026, 6, 30, 22, 59), deadline)  # 23:59 BST
    assert is_after_uk_day(datetime(2026, 6, 30, 23, 30), deadline)  # 00:30 BST on 1 July


@pytest.mark.parametrize(("utc", "shown"), [
    (datetime(2026, 3, 29, 0, 30), "29 March 2026 at 12:30am GMT"),
    (datetime(2026, 3, 29, 1, 30), "29 March 2026 at 2:30am BST"),
    (datetime(2026, 10, 25, 0, 30), "25 October 2026 at 1:30am BST"),
    (datetime(2026, 10, 25, 1, 30), "25 October 2026 at 1:30am GMT"),
])
def test_times_are_shown_in_uk_time_with_the_zone_named(utc: datetime, shown: str) -> None:
    assert govuk_datetime(utc) == shown


def test_a_stored_time_shows_its_uk_date() -> None:
    assert govuk_date(datetime(2026, 6, 30, 23, 30)) == "1 July 2026"
    assert govuk_date(date(2026, 6, 30)) == "30 June 2026"
