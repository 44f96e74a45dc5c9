"""The partnership a request works in (issue 28, docs/architecture.md).

Until pages live under `/<slug>` (step 3 of the design), a request works in the installation's
one partnership. `current_scope()` resolves it once per request, on first use, so a page that
touches no partnership-owned data pays nothing for it. The request's session then works in that
partnership: on PostgreSQL, row-level security shows it that partnership's rows only."""

from __future__ import annotations

from flask import g

from portal.db import db_session, set_scope
from portal.services import partnerships
from portal.services.common import Scope


def current_scope() -> Scope:
    """The request's partnership (`g.scope`: the only one, resolved on first use, unless the
    request named it), which the request's session then works in."""
    scope: Scope | None = g.get("scope")
    if scope is None:
        scope = g.scope = partnerships.only_scope(db_session())
    set_scope(db_session(), scope.id)  # no statement when the session works in it already
    return scope
