"""Chasers, the read side: a return's chaser history, a cycle's chasing, bounced addresses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, Chaser, Contact, Cycle, Return

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


def cycle_chasing(session: Session, cycle: Cycle) -> list[ReturnChasing]:
    """Per return of a cycle: its status, how many chasers it had and when the last went."""
    rows = session.execute(
        select(Return.id, Agency.name, Return.status, func.count(Chaser.id),
               func.max(Chaser.recorded_at))
        .join(Agency, Agency.id == Return.agency_id)
        .outerjoin(Chaser, Chaser.return_id == Return.id)
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
