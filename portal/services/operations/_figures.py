"""The outbox's figures for monitoring: a few cheap aggregate queries, run at each scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import MailPause, OutboxMessage, OutboxStatus

from ._jobs import last_successes

WAITING = (OutboxStatus.PENDING.value, OutboxStatus.SENDING.value)
UNSENT = (*WAITING, OutboxStatus.FAILED.value, OutboxStatus.UNDELIVERED.value)


@dataclass(frozen=True)
class MonitoringFigures:
    outbox_by_status: dict[str, int]  # every status but "sent", 0 when none
    oldest_waiting_seconds: float  # 0 when nothing waits
    delivery_paused: bool
    job_successes: dict[str, datetime]


def monitoring_figures(session: Session, *, now: datetime) -> MonitoringFigures:
    """Outbox depth by status, the oldest waiting message's age, pauses and jobs' last runs."""
    counts = dict(session.execute(  # sent mail is most of the table: never counted
        select(OutboxMessage.status, func.count(OutboxMessage.id))
        .where(OutboxMessage.status.in_(UNSENT)).group_by(OutboxMessage.status)).all())
    oldest = session.scalar(select(func.min(OutboxMessage.created_at))
                            .where(OutboxMessage.status.in_(WAITING)))
    paused = session.scalar(select(func.count(MailPause.id)).where(MailPause.ended_at.is_(None)))
    return MonitoringFigures(
        outbox_by_status={status: int(counts.get(status, 0)) for status in UNSENT},
        oldest_waiting_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        delivery_paused=bool(paused),
        job_successes=last_successes(session))
