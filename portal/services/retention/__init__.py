"""Public interface of this capability: import from here, never from its _private modules.

Retention: how long personal data is kept (RetentionPolicy), applied by `flask retention apply`,
and a person's rights: export everything held about them, erase what the rules allow."""

from __future__ import annotations

from ._apply import RetentionResult, apply_retention
from ._people import erase_person, export_person
from ._policy import ERASED_DOMAIN, RetentionPolicy

__all__ = [
    "ERASED_DOMAIN",
    "RetentionPolicy",
    "RetentionResult",
    "apply_retention",
    "erase_person",
    "export_person",
]
