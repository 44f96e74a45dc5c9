"""The partnership a service call works in (issue 28, docs/architecture.md, "The scope is passed
like `now`"). Views pass `g.scope`, commands the partnership their `--partnership` names, jobs
one scope per partnership they loop over."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """One partnership, as a service call sees it: every query of partnership-owned rows filters
    by `id`; `slug` builds its links, `name` is what people read."""

    id: int
    slug: str
    name: str
