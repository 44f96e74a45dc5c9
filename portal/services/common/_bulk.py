"""Set-based writes: many rows in a few INSERT statements instead of one flush per object.

On PostgreSQL a batch is one `INSERT ... SELECT FROM unnest(<one array per column>)`: a short
statement with a parameter per column, whatever the number of rows. A multi-row VALUES list of
thousands of placeholders cost more to build and for the driver to parse than the insert itself
(3 of the 5 seconds of opening a 10,000-agency cycle). SQLite takes an executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from sqlalchemy import CursorResult, Table, bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

BATCH = 5_000


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_insert(session: Session, model: type, rows: Iterable[dict[str, Any]]) -> int:
    """INSERT the rows in batches; returns how many."""
    count = 0
    for batch in batches(rows):
        _insert(session, model.__table__, batch)  # type: ignore[attr-defined]
        count += len(batch)
    return count


def insert_returning_ids(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> list[int]:
    """INSERT the rows in batches and return their new ids, in the rows' order.

    A new row's id comes from the table's sequence (PostgreSQL) or is the largest rowid so far
    plus one (SQLite), so the ids ascend in the order the rows are sent, and sorting each batch's
    ids lines them up with its rows. (SQLAlchemy's own ordered RETURNING falls back to a statement
    per row for some tables.)"""
    ids: list[int] = []
    for batch in batches(rows):
        ids += sorted(row[0] for row in _insert(session, model.__table__, batch, returning=True))
    return ids


def _insert(session: Session, table: Table, batch: list[dict[str, Any]], *,
            returning: bool = False) -> CursorResult[Any]:
    """One batch: on PostgreSQL one INSERT ... SELECT FROM unnest(...); on SQLite an
    executemany of one cached INSERT, which SQLAlchemy sends as multi-row statements."""
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    statement = _from_arrays(table, batch) if postgresql else insert(table)
    if returning:
        statement = statement.returning(table.c.id)
    return connection.execute(statement, None if postgresql else batch)


def insert_new(session: Session, model: Any, rows: Iterable[dict[str, Any]], *,
               unique: list[str], returning: list[Any]) -> list[tuple[Any, ...]]:
    """INSERT the rows in batches, skipping those whose `unique` columns match a row already
    there (ON CONFLICT DO NOTHING: another run's, on SQLite and PostgreSQL alike), and return the
    `returning` columns of the rows inserted. On PostgreSQL each batch is one INSERT ... SELECT
    FROM unnest(...), as `bulk_insert`'s: a VALUES list of thousands of placeholders cost more to
    compile and for the driver to parse than the insert itself."""
    table = model.__table__
    found: list[tuple[Any, ...]] = []
    for batch in batches(rows):
        if session.get_bind().dialect.name == "postgresql":
            statement = _from_arrays(table, batch, postgresql_insert)
        else:
            statement = sqlite_insert(table).values(batch)
        found += [tuple(row) for row in session.execute(
            statement.on_conflict_do_nothing(index_elements=unique).returning(*returning))]
    return found


def _from_arrays(table: Table, batch: list[dict[str, Any]],
                 insert_into: Callable[[Table], Any] = insert) -> Any:
    """INSERT INTO table (columns) SELECT * FROM unnest(:column_1, :column_2, ...), the rows'
    values as one array per column. Python-side defaults of columns the rows leave out (the
    creation time, an empty list) are worked out once for the batch, as an INSERT would."""
    rows = [dict(row) for row in batch]
    for column in table.columns:
        default = column.default
        if column.key in rows[0] or default is None or not (default.is_scalar or
                                                             default.is_callable):
            continue
        value = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
        for row in rows:
            row[column.key] = value
    keys = list(rows[0])
    arrays = [bindparam(f"column_{i}", [row[key] for row in rows],
                        type_=ARRAY(table.c[key].type))
              for i, key in enumerate(keys)]
    source = func.unnest(*arrays).table_valued(*keys).render_derived()
    return insert_into(table).from_select(keys, select(*(source.c[key] for key in keys)))
