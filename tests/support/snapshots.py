"""Expensive data sets built once per test process and copied in for every test that needs them.

The first test that asks for a data set (the demo partnership, say) builds it the real way (the
service or the `flask` command); its rows are then read back, every table, and kept in memory.
Every later test gets the same rows inserted in bulk, ids and all: the same database content
the build would have made, in a fraction of the time (the demo takes seconds to tell its story
and hashes its password at production cost). Each pytest-xdist worker builds its own copy.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from portal.models import Base
from tests.support import analyze_as_owner, factories

Rows = dict[str, list[dict[str, Any]]]
_built: dict[Hashable, Rows] = {}
_CHUNK = 2000


def restore_or_build(db: Session, key: Hashable, build: Callable[[], None], *,
                     password: str | None = None) -> None:
    """Give the (clean) database the data set `key`: built by `build()` (which commits) the
    first time in this process, copied from that build's rows every later time.

    `password`: the one password every account of the data set has (the demo's). A build
    outside the suite's cheap hasher (tests/conftest.py) would hash it at production cost, a
    quarter of a CPU second per sign-in; the copies always hold it hashed at the lowest cost
    (as factories.user does), so signing in still runs the real argon2id check, quickly."""
    rows = _built.get(key)
    if rows is None:
        build()
        db.expire_all()
        _built[key] = rows = _read_all(db)
        if password is not None:
            cheap = factories.password_hash(password)
            for user in rows.get("users", []):
                if user.get("password_hash"):
                    user["password_hash"] = cheap
        return
    _write_all(db, rows)


def _read_all(db: Session) -> Rows:
    return {table.name: [dict(row) for row in db.execute(select(table)).mappings()]
            for table in Base.metadata.sorted_tables}


def _write_all(db: Session, rows: Rows) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        db.execute(delete(table))
    for table in Base.metadata.sorted_tables:
        made = rows[table.name]
        for start in range(0, len(made), _CHUNK):
            db.execute(insert(table), made[start:start + _CHUNK])
    if db.get_bind().dialect.name == "postgresql":
        _advance_sequences(db, rows)
    db.commit()


def _advance_sequences(db: Session, rows: Rows) -> None:
    """Rows inserted with their ids leave the id sequences behind: set each past its table's
    largest id (as the build left it), and let the planner see the new rows."""
    for table in Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not rows[table.name] or not _is_integer(keys[0]):
            continue
        highest = db.scalar(select(func.max(keys[0])))
        db.execute(text("SELECT setval(pg_get_serial_sequence(:t, :c), :v)"),
                   {"t": table.name, "c": keys[0].name, "v": highest})
    db.commit()
    analyze_as_owner(db)


def _is_integer(column: Any) -> bool:
    """An id the database numbers itself (survey responses' random ids are not)."""
    if column.autoincrement is False:
        return False
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False
