"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._snapshots import (
    describe_changes,
    latest_published,
    publish,
    published_version,
    published_versions,
)

__all__ = [
    "describe_changes",
    "latest_published",
    "publish",
    "published_version",
    "published_versions",
]
