"""Spreadsheet and CSV safety: text never runs as a formula; a hostile CSV is an import error."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell

from ._errors import ImportRejected, LineError

T = TypeVar("T")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a leading ' defuses =, +, - and @."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value


def set_text(cell: Cell, value: Any) -> None:
    """Put a value in an XLSX cell; a string starting with = is stored as text, not a formula,
    so it shows (and round-trips) exactly as typed."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"


def csv_rows(reader: Iterable[T], line_of: Callable[[], int]) -> Iterator[T]:
    """Rows of a csv reader; a field over csv's size limit (or broken quoting) is an import error."""
    iterator = iter(reader)
    while True:
        try:
            row = next(iterator)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportRejected([LineError(f"Line {line_of()}", "a value is far too long, or "
                                            "its quotes are not closed")]) from exc
        yield row
