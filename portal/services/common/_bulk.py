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
    """INSERT the rows in batches and return their new ids, in the rows' order."""
    ids: list[int] = []
    for batch in batches(rows):
        result = session.execute(insert(model).returning(model.id, sort_by_parameter_order=True),
                                 batch)
        ids += [row[0] for row in result]
    return ids
