"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._snapshots import (
    describe_changes,
    has_figures,
    latest_published,
    publish,
    published_cycle_ids,
    published_version,
    published_versions,
    store_figures,
    stored_figures,
)

__all__ = [
    "describe_changes",
    "has_figures",
    "latest_published",
    "publish",
    "published_cycle_ids",
    "published_version",
    "published_versions",
    "store_figures",
    "stored_figures",
]
