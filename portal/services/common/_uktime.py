"""UK time: every date rule is computed in Europe/London; the database holds naive UTC.

A deadline is a UK date and means the end of that day in the UK, so a return submitted at
00:30 BST on the next day (23:30 UTC) is late, and "today" for a cron job at 00:15 BST is the
new UK day, not yesterday in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def to_uk(value: datetime) -> datetime:
    """A naive UTC time (as stored) as an aware UK time."""
    return value.replace(tzinfo=UTC).astimezone(UK)


def uk_iso(value: datetime | None) -> str:
    """A stored time for a download, in UK time with its offset (2026-06-01T10:30+01:00), so a
    spreadsheet reader sees the time the portal showed; "" for none."""
    return to_uk(value).isoformat(timespec="minutes") if value is not None else ""


def uk_today(now: datetime) -> date:
    """The UK date at `now` (naive UTC)."""
    return to_uk(now).date()


def end_of_uk_day(day: date) -> datetime:
    """The first moment after the UK day `day`, as naive UTC: a deadline's cut-off."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UK)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def is_after_uk_day(now: datetime, day: date) -> bool:
    """True once the UK day `day` has ended (a deadline has passed)."""
    return now >= end_of_uk_day(day)
