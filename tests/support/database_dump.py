"""A whole database as portable JSON, for the upgrade test: read every table of a database at
some revision, write those rows into another database (either engine) migrated to the same
revision, and fingerprint tables so that an upgrade can be shown to have lost nothing.

Tables are read and written through reflection, not through today's models: the dump is of an
older schema, and the models move on."""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, MetaData, delete, func, insert, select, text

Rows = dict[str, list[dict[str, Any]]]
_CHUNK = 1000
_SKIPPED = {"alembic_version"}


def read_tables(conn: Connection) -> Rows:
    """Every row of every table (in dependency order), each row a {column: value} dict."""
    metadata = _reflect(conn)
    return {table.name: [dict(row) for row in conn.execute(select(table).order_by(
                *table.primary_key.columns)).mappings()]
            for table in metadata.sorted_tables if table.name not in _SKIPPED}


def write_tables(conn: Connection, rows: Rows) -> None:
    """Replace the rows of every table named in `rows` (what migrations seeded, such as the
    sectors, included) with those rows, ids and all, then move PostgreSQL's id sequences past
    them."""
    metadata = _reflect(conn)
    for table in reversed(metadata.sorted_tables):
        if table.name in rows:
            conn.execute(delete(table))
    for table in metadata.sorted_tables:
        made = rows.get(table.name, [])
        for start in range(0, len(made), _CHUNK):
            conn.execute(insert(table), made[start:start + _CHUNK])
    if conn.dialect.name == "postgresql":
        for table in metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and rows.get(table.name) and _numbered(keys[0]):
                _advance(conn, table.name, keys[0].name, conn.scalar(select(func.max(keys[0]))))


def _advance(conn: Connection, table: str, column: str, highest: int) -> None:
    """Set the id sequence past `highest`, unless the ids are random (beyond the sequence)."""
    conn.execute(text(
        "SELECT setval(s.seqrelid::regclass, :v) FROM pg_sequence s "
        "WHERE s.seqrelid = pg_get_serial_sequence(:t, :c)::regclass AND s.seqmax >= :v"),
        {"t": table, "c": column, "v": highest})


def fingerprints(conn: Connection, columns: dict[str, list[str]]) -> dict[str, str]:
    """A SHA-256 of each named table's rows, over the named columns only (those the table had
    before an upgrade), independent of row order and of the engine."""
    metadata = _reflect(conn)
    result = {}
    for name, names in columns.items():
        table = metadata.tables[name]
        picked = [table.c[n] for n in names]
        lines = sorted(canonical(dict(zip(names, row, strict=True)))
                       for row in conn.execute(select(*picked)))
        result[name] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return result


def row_counts(conn: Connection) -> dict[str, int]:
    metadata = _reflect(conn)
    return {table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in metadata.sorted_tables if table.name not in _SKIPPED}


def columns_of(conn: Connection) -> dict[str, set[str]]:
    return {table.name: set(table.c.keys()) for table in _reflect(conn).sorted_tables}


def canonical(row: dict[str, Any]) -> str:
    """One row as text that is the same whichever engine it was read from."""
    return json.dumps({k: _plain(v) for k, v in row.items()}, sort_keys=True)


def encode(rows: Rows) -> str:
    return json.dumps({t: [{k: _tagged(v) for k, v in r.items()} for r in made]
                       for t, made in rows.items()}, sort_keys=True)


def decode(text_: str) -> Rows:
    return {t: [{k: _untagged(v) for k, v in r.items()} for r in made]
            for t, made in json.loads(text_).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def _untagged(value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((kind, raw),) = value.items()
    decoders = {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat,
                "$bytes": base64.b64decode, "$decimal": Decimal}
    return decoders[kind](raw) if kind in decoders else value


def _reflect(conn: Connection) -> MetaData:
    metadata = MetaData()
    with warnings.catch_warnings():  # lower(email) and lower(name) indexes: not rows
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        metadata.reflect(conn)
    return metadata


def _numbered(column: Any) -> bool:
    try:
        return column.type.python_type is int and column.autoincrement is not False
    except NotImplementedError:
        return False
