"""Public interface of this capability: import from here, never from its _private modules.

The partnerships one service hosts (issue 28; docs/architecture.md, "Many partnerships"): today
the installation's own, made by the migration from its environment."""

from __future__ import annotations

from ._creating import RESERVED, create_partnership
from ._registry import PartnershipSummary, list_partnerships
from ._scopes import only_scope, scope_of

__all__ = ["RESERVED", "PartnershipSummary", "create_partnership", "list_partnerships",
           "only_scope", "scope_of"]
