"""Set-based writes: many rows in a few INSERT statements instead of one flush per object."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

BATCH = 5_000
SQLITE_MAX_VARIABLES = 32_000  # SQLite allows 32,766 bound values in one statement


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_insert(session: Session, model: type, rows: Iterable[dict[str, Any]]) -> int:
    """INSERT the rows in batches (one executemany each); returns how many."""
    count = 0
    for batch in batches(rows):
        session.execute(insert(model), batch)
        count += len(batch)
    return count


def insert_returning_ids(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> list[int]:
    """INSERT the rows with one multi-row statement per batch and return their new ids, in the
    rows' order.

    SQLAlchemy's own ordered RETURNING falls back to a statement per row for some tables, so the
    order is restored here: a new row's id comes from the table's sequence (PostgreSQL) or is the
    largest rowid so far plus one (SQLite), so within one statement the ids ascend in the order of
    the VALUES, and sorting them lines them up with the rows."""
    limit = SQLITE_MAX_VARIABLES if session.get_bind().dialect.name == "sqlite" else 60_000
    ids: list[int] = []
    for batch in batches(rows):
        per_row = max(len(batch[0]), 1)
        for chunk in batches(batch, max(1, limit // per_row)):
            result = session.execute(insert(model).values(chunk).returning(model.id))
            ids += sorted(row[0] for row in result)
    return ids
