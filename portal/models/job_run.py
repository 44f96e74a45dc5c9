"""When each scheduled job (chasers, mail, backup) last finished without an error."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class JobRun(Base):
    """One row per job name, updated by each successful run: `/metrics` reads it."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_success_at: Mapped[datetime] = mapped_column(default=utcnow)
