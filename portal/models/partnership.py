"""Partnerships: the tenants of one service (issue 28, docs/architecture.md).

Every partnership-owned table carries `partnership_id` (the `PartnershipOwned` mixin). Until the
services pass a partnership's scope explicitly, the column's server default puts a row into the
installation's first partnership, the one the migration made from the environment; shared
reference data (sectors, tools) and people (users and their factors) carry none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow

# The partnership an upgraded installation's data belongs to, and the one rows go to while a
# service does not yet name its partnership.
FIRST_PARTNERSHIP_ID = 1


class Partnership(Base):
    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    help_email: Mapped[str] = mapped_column(String(254))
    dpo_email: Mapped[str] = mapped_column(String(254), default="")
    # a host name of its own, serving its pages without the /<slug> prefix (optional)
    host: Mapped[str | None] = mapped_column(String(253), unique=True, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Partnership {self.slug}>"


class PartnershipOwned:
    """A row of one partnership's data. No index of its own: the queries that will filter by
    partnership lead composite indexes with it when they are scoped (docs/architecture.md), and
    an index of one value (every row is the first partnership's today) would only slow writes."""

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id"), server_default=text(str(FIRST_PARTNERSHIP_ID)))

