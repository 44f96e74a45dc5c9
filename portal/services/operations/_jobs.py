"""Scheduled jobs' last successful runs (chasers, mail, backup)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.models import JobRun

JOBS = ("chasers", "mail", "backup")


def record_success(session: Session, name: str, *, now: datetime) -> None:
    """Note that the job `name` has just finished without an error (never goes back in time)."""
    if name not in JOBS:
        raise ValueError(f"Unknown job {name!r}: one of {', '.join(JOBS)}")
    session.execute(update(JobRun).where(JobRun.name == name, JobRun.last_success_at < now)
                    .values(last_success_at=now).execution_options(synchronize_session=False))
    if session.get(JobRun, name) is None:
        session.add(JobRun(name=name, last_success_at=now))
    session.flush()


def last_successes(session: Session) -> dict[str, datetime]:
    """Each job's last successful run, for the jobs that have run."""
    rows = session.execute(select(JobRun.name, JobRun.last_success_at)).all()
    return {name: at for name, at in rows}
