"""A report's data as JSON and back, losslessly: how a published report is stored.

Generic over dataclasses: the field types (read from the annotations) say how to rebuild each
value, so a stored report reads back equal to the one that was stored. Handles what the report
dataclasses hold: dataclasses, lists, tuples, dicts with string keys, optional values, str, int,
float, bool, date and datetime. A snapshot stored before a field with a default was added reads
back with that default, so published reports keep loading as the report data grows.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import MISSING, Field, fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def dumps(value: Any) -> str:
    """The value (a dataclass tree) as compact JSON."""
    return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"))


def loads(text: str, kind: type[T]) -> T:
    """The dataclass tree of type `kind` stored by `dumps`."""
    rebuilt: T = _build(json.loads(text), kind)
    return rebuilt


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in _SCALARS:  # most of a report: checked first, by exact type
        return value
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


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


@cache
def _hints(kind: type) -> dict[str, Any]:
    return typing.get_type_hints(kind)


def _has_default(found: Field[Any]) -> bool:
    return found.default is not MISSING or found.default_factory is not MISSING


def _build(data: Any, kind: Any) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        return _build(data, next(a for a in args if a is not type(None)))
    if origin is list:
        return [_build(v, args[0]) for v in data]
    if origin is tuple:
        return tuple(_build(v, args[0]) for v in data)
    if origin is dict:
        return {k: _build(v, args[1]) for k, v in data.items()}
    if isinstance(kind, type) and is_dataclass(kind):
        hints = _hints(kind)
        # a field added since the snapshot was stored keeps its default (MISSING: required)
        return kind(**{f.name: _build(data[f.name], hints[f.name])
                       for f in fields(kind) if f.init and (f.name in data or not _has_default(f))})
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is float and isinstance(data, int):
        return float(data)
    return data
