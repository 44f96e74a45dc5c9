"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._cells import csv_rows, csv_text, set_text
from ._errors import ImportRejected, LineError, NotFound, ServiceError
from ._workdays import add_working_days, is_working_day, uk_date, working_days_between

__all__ = [
    "ImportRejected",
    "LineError",
    "NotFound",
    "ServiceError",
    "add_working_days",
    "csv_rows",
    "csv_text",
    "is_working_day",
    "set_text",
    "uk_date",
    "working_days_between",
]
