"""The partnerships, with how much of each one's data the service holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Cycle, Partnership, Return


@dataclass(frozen=True)
class PartnershipSummary:
    slug: str
    name: str
    help_email: str
    cycles: int
    returns: int


def list_partnerships(session: Session) -> list[PartnershipSummary]:
    """Every partnership by name, with its cycles and returns counted (two grouped counts)."""
    cycles = dict(session.execute(select(Cycle.partnership_id, func.count())
                                  .group_by(Cycle.partnership_id)).all())
    returns = dict(session.execute(select(Return.partnership_id, func.count())
                                   .group_by(Return.partnership_id)).all())
    rows = session.scalars(select(Partnership).order_by(Partnership.name, Partnership.slug))
    return [PartnershipSummary(slug=p.slug, name=p.name, help_email=p.help_email,
                               cycles=cycles.get(p.id, 0), returns=returns.get(p.id, 0))
            for p in rows]
