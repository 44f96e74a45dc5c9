"""A report's data as JSON and back, losslessly: how a published report is stored.

Generic over dataclasses: the field types (read from the annotations) say how to rebuild each
value, so a stored report reads back equal to the one that was stored. Handles what the report
dataclasses hold: dataclasses, lists, tuples, dicts with string keys, optional values, str, int,
float, bool, date and datetime. A snapshot stored before a field with a default was added reads
back with that default, so published reports keep loading as the report data grows.

A list of dataclasses is stored by columns: its field names once, then a row of values for each
item, which reads back with a list per item rather than a dict (a published report's first read
holds the parsed JSON beside the report it builds). One that the report holds more than once (the
one list of zero counts that every agency without shown survey figures shares) is stored once and
referred to after that, and reads back shared: a 10,000-agency cycle's figures neither store nor
rebuild 10,000 copies. Lists stored as plain JSON lists (before either) still read back.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from functools import cache, partial
from typing import Any, TypeVar

T = TypeVar("T")


COLS, ROWS = "$cols", "$rows"  # a list of dataclasses: the field names once, a row of values each
SHARE = "$share"  # the first copy of a shared list is numbered; later ones are that number
_seen: ContextVar[dict[int, tuple[Any, dict[str, Any]]]] = ContextVar("snapshot_seen")
_shared: ContextVar[dict[int, Any]] = ContextVar("snapshot_shared")


def dumps(value: Any) -> str:
    """The value (a dataclass tree) as compact JSON."""
    token = _seen.set({})
    try:
        plain = _plain(value)
    finally:
        _seen.reset(token)
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def loads(text: str, kind: type[T]) -> T:
    """The dataclass tree of type `kind` stored by `dumps`."""
    token = _shared.set({})
    try:
        rebuilt: T = _build(json.loads(text), kind)
    finally:
        _shared.reset(token)
    return rebuilt


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most of a report: checked first, by exact type
        return value
    if kind is list and value and is_dataclass(type(value[0])):
        return _shared_list(value)
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if is_dataclass(kind):
        return {name: _plain(getattr(value, name)) for name in _field_names(kind)}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"Cannot store a {type(value).__name__} in a report snapshot")


def _shared_list(value: list[Any]) -> Any:
    """A list of dataclasses of one type, by columns (the field names once, then a row of values
    for each); met again (the same object), a reference to its first copy, which is numbered."""
    seen = _seen.get()
    if id(value) in seen:
        first = seen[id(value)][1]
        if SHARE not in first:
            first[SHARE] = sum(1 for _, w in seen.values() if SHARE in w)
        return first[SHARE]  # a number where a list belongs: no JSON object for each reference
    kind: Any = type(value[0])
    if any(type(v) is not kind for v in value):
        return [_plain(v) for v in value]
    names = _field_names(kind)
    rows = [[_plain(getattr(v, n)) for n in names] for v in value]
    written: dict[str, Any] = {COLS: list(names), ROWS: rows}
    seen[id(value)] = (value, written)  # the value is kept so that its id is not reused
    return written


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _build(data: Any, kind: Any) -> Any:
    return _decoder(kind)(data)


def _same(data: Any) -> Any:
    return data


def _to_float(data: Any) -> Any:
    return float(data) if isinstance(data, int) else data


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A function rebuilding a value of type `kind` from its JSON, worked out once per type:
    the annotations are read when a type is first met, never per value."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in args if a is not type(None)))
        return inner if inner is _same else lambda data: None if data is None else inner(data)
    if origin in (list, tuple, dict):
        return _container(origin, _decoder(args[1] if origin is dict else args[0]))
    if isinstance(kind, type) and is_dataclass(kind):
        return _dataclass_decoder(kind)
    return _SIMPLE.get(kind, _same)


_SIMPLE: dict[Any, Callable[[Any], Any]] = {
    datetime: datetime.fromisoformat, date: date.fromisoformat, float: _to_float,
}


def _container(origin: Any, item: Callable[[Any], Any]) -> Callable[[Any], Any]:
    if item is _same and origin is not tuple:  # JSON's own lists and dicts are the values
        return _same
    if origin is dict:
        return lambda data: {k: item(v) for k, v in data.items()}
    if origin is tuple:
        return lambda data: tuple(map(item, data))
    return partial(_list, item)


def _list(item: Callable[[Any], Any], data: Any) -> Any:
    """A list: a JSON list, or a list of dataclasses by columns, or the number of a shared one."""
    if type(data) is int:
        return _shared.get()[data]
    if type(data) is list:
        return list(map(item, data)) if data else data  # the parsed empty list is new: kept
    from_row = getattr(item, "from_row", None)
    names = tuple(data[COLS])
    decoded = (list(map(from_row(names), data[ROWS])) if from_row else
               [item(dict(zip(names, row, strict=True))) for row in data[ROWS]])
    if SHARE in data:
        _shared.get()[data[SHARE]] = decoded
    return decoded


def _dataclass_decoder(kind: type) -> Callable[[Any], Any]:
    """Each init field with its decoder; a field the stored JSON lacks (a report stored before
    the field existed) takes its default."""
    hints = _hints(kind)
    parts = [(f.name, _decoder(hints[f.name])) for f in fields(kind) if f.init]

    def build(data: dict[str, Any]) -> Any:
        return kind(**{name: decode(data[name]) for name, decode in parts if name in data})

    @cache
    def from_row(names: tuple[str, ...]) -> Callable[[list[Any]], Any]:
        decoders = dict(parts)
        picks = [(i, name, decoders[name]) for i, name in enumerate(names) if name in decoders]
        return lambda row: kind(**{name: decode(row[i]) for i, name, decode in picks})

    build.from_row = from_row  # type: ignore[attr-defined]
    return build
