"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._events import record, record_many

__all__ = [
    "record",
    "record_many",
]
