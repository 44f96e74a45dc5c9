"""Chasers, the read side: a return's chaser history, a cycle's chasing, bounced addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Agency,
    Chaser,
    ChaserMessage,
    Contact,
    Cycle,
    OutboxMessage,
    OutboxStatus,
    Return,
)

from ._sending import ADHOC_PREFIX


def chaser_history(session: Session, return_: Return) -> list[Chaser]:
    """Every chaser recorded for a return, oldest first, with its emails and their outcome."""
    return list(session.scalars(
        select(Chaser).where(Chaser.return_id == return_.id)
        .options(selectinload(Chaser.messages), selectinload(Chaser.stage))
        .order_by(Chaser.recorded_at, Chaser.id)
    ))


@dataclass(frozen=True)
class ReturnChasing:
    return_id: int
    agency: str
    status: str
    chasers: int
    last_chased: datetime | None


def _delivered_or_on_its_way() -> Any:
    """A chaser counts as sent unless every email it queued failed or went undelivered."""
    given_up = (OutboxStatus.FAILED.value, OutboxStatus.UNDELIVERED.value)
    some_email = exists().where(ChaserMessage.chaser_id == Chaser.id)
    live_email = (exists().where(ChaserMessage.chaser_id == Chaser.id,
                                 OutboxMessage.id == ChaserMessage.message_id,
                                 OutboxMessage.status.not_in(given_up)))
    return or_(~some_email, live_email)


def cycle_chasing(session: Session, cycle: Cycle) -> list[ReturnChasing]:
    """Per return of a cycle: its status, how many chasers it had and when the last went
    (a chaser none of whose emails could be delivered is not counted)."""
    rows = session.execute(
        select(Return.id, Agency.name, Return.status, func.count(Chaser.id),
               func.max(Chaser.recorded_at))
        .join(Agency, Agency.id == Return.agency_id)
        .outerjoin(Chaser, and_(Chaser.return_id == Return.id, _delivered_or_on_its_way()))
        .where(Return.cycle_id == cycle.id)
        .group_by(Return.id, Agency.name, Return.status)
        .order_by(Agency.name)
    )
    return [ReturnChasing(*row) for row in rows]


def bounced_contacts(session: Session, cycle: Cycle) -> list[Contact]:
    """Contacts of the cycle's agencies whose address hard-bounced (for "update it" lists)."""
    return list(session.scalars(
        select(Contact).join(Agency, Agency.id == Contact.agency_id)
        .join(Return, Return.agency_id == Agency.id)
        .where(Return.cycle_id == cycle.id, Contact.bounced_at.is_not(None))
        .options(selectinload(Contact.agency))
        .order_by(Agency.name, Contact.email)
    ))


def stage_label(chaser: Chaser) -> str:
    """How the history names a chaser."""
    name = chaser.stage.name if chaser.stage else chaser.stage_code
    return f"Ad-hoc chaser ({name} wording)" if chaser.stage_code.startswith(ADHOC_PREFIX) else name
