"""Spreadsheet safety: agencies' text must never run as a formula in Excel or LibreOffice."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

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
