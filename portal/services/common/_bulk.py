"""Set-based writes: many rows in a few INSERT statements instead of one flush per object."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

BATCH = 5_000


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
    """INSERT the rows in batches and return their new ids, in the rows' order.

    Each batch is one executemany of a cached single-row INSERT ... RETURNING, which SQLAlchemy
    sends as multi-row statements ("insertmanyvalues") instead of compiling a VALUES list of
    thousands of parameters. Its own ordered RETURNING falls back to a statement per row for some
    tables, so the order is restored here: a new row's id comes from the table's sequence
    (PostgreSQL) or is the largest rowid so far plus one (SQLite), so the ids ascend in the order
    the rows are sent, and sorting them lines them up with the rows."""
    table = model.__table__
    statement = insert(table).returning(table.c.id)
    connection = session.connection()
    ids: list[int] = []
    for batch in batches(rows):
        ids += sorted(row[0] for row in connection.execute(statement, batch))
    return ids
