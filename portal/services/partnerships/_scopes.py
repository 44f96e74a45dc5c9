"""Which partnership a request or a command works in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Partnership
from portal.services.common import NotFound, Refused, Scope


def _scope(p: Partnership) -> Scope:
    return Scope(id=p.id, slug=p.slug, name=p.name)


def scope_of(session: Session, slug: str) -> Scope:
    """The partnership with this slug (NotFound when there is none)."""
    found = session.scalars(select(Partnership).where(Partnership.slug == slug.lower())).first()
    if found is None:
        raise NotFound(f"There is no partnership called '{slug}'.")
    return _scope(found)


def only_scope(session: Session) -> Scope:
    """The installation's one partnership: the scope of a service that hosts only one, before
    pages and commands name theirs. Refused when it hosts several (a command must then be told
    which with --partnership)."""
    found = session.scalars(select(Partnership).order_by(Partnership.id).limit(2)).all()
    if len(found) != 1:
        raise Refused("This service hosts several partnerships: say which one with --partnership."
                      if found else "This service hosts no partnership yet.")
    return _scope(found[0])
