"""English working days: weekends and bank holidays in England excluded.

Counted arithmetically: each year gets a cumulative count of its working days (cached), so counting
the working days between two dates, or stepping N working days, costs the same for a week or a decade.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta
from functools import lru_cache

import holidays

EPOCH_YEAR = 2000  # working-day indexes count from here; any year before or after works


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@lru_cache(maxsize=256)
def _cumulative(year: int) -> tuple[int, ...]:
    """counts[i] = working days from 1 January up to and including day-of-year i + 1."""
    day, counts, total = date(year, 1, 1), [], 0
    while day.year == year:
        total += is_working_day(day)
        counts.append(total)
        day += timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=256)
def _offset(year: int) -> int:
    """Working days from the epoch up to the end of the year before `year` (negative before it)."""
    if year == EPOCH_YEAR:
        return 0
    if year > EPOCH_YEAR:
        return _offset(year - 1) + _cumulative(year - 1)[-1]
    return _offset(year + 1) - _cumulative(year)[-1]


def _index(day: date) -> int:
    """Working days from the epoch up to and including `day` (a non-working day shares the index
    of the working day before it)."""
    return _offset(day.year) + _cumulative(day.year)[day.timetuple().tm_yday - 1]


def _working_day_with_index(index: int) -> date:
    """The working day whose index is `index`."""
    year = EPOCH_YEAR + index // 253
    while _offset(year) >= index:
        year -= 1
    while _offset(year) + _cumulative(year)[-1] < index:
        year += 1
    position = bisect_left(_cumulative(year), index - _offset(year))
    return date(year, 1, 1) + timedelta(days=position)


def add_working_days(start: date, days: int) -> date:
    """The working day `days` working days after (or, if negative, before) `start`.

    With days == 0 this is `start` itself when it is a working day, else the next working day.
    """
    index = _index(start)
    if days > 0 or (days == 0 and not is_working_day(start)):
        return _working_day_with_index(index + max(days, 1))
    if days == 0:
        return start
    # Backwards from a non-working day, its own index already names the working day before it.
    return _working_day_with_index(index + days + (0 if is_working_day(start) else 1))


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (negative if end is earlier)."""
    return _index(end) - _index(start)
