"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._bulk import batches, bulk_insert, insert_new, insert_returning_ids
from ._cells import csv_rows, csv_text, set_text
from ._errors import ImportRejected, Invalid, LineError, NotFound, Problem, Refused, ServiceError
from ._scope import Scope
from ._slugs import ascii_slug, file_name, slug
from ._text import check_texts, clean_text, has_nul, text_message, text_problems
from ._uktime import UK, end_of_uk_day, is_after_uk_day, to_uk, uk_iso, uk_today
from ._words import counted
from ._workdays import add_working_days, is_working_day, working_days_between

__all__ = [
    "UK",
    "ImportRejected",
    "Invalid",
    "LineError",
    "NotFound",
    "Problem",
    "Refused",
    "Scope",
    "ServiceError",
    "add_working_days",
    "ascii_slug",
    "batches",
    "bulk_insert",
    "check_texts",
    "clean_text",
    "counted",
    "csv_rows",
    "csv_text",
    "end_of_uk_day",
    "file_name",
    "has_nul",
    "insert_new",
    "insert_returning_ids",
    "is_after_uk_day",
    "is_working_day",
    "set_text",
    "slug",
    "text_message",
    "text_problems",
    "to_uk",
    "uk_iso",
    "uk_today",
    "working_days_between",
]
