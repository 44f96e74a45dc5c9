"""Offered slots: the manager offers an agency a few dates for its visit; the agency's
safeguarding lead picks one, which schedules the visit and queues the invitations.

A slot must be in the future and must not clash with another scheduled visit of the same
member, both when it is offered and when it is chosen (the member's diary may have filled in
between). Offering again replaces the earlier offer; setting a date directly still works, and
ends the offer (the visit is no longer planned).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models import Return, Visit, VisitSlot, VisitStatus
from portal.services import audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError
from portal.services.mail import render_email

from ._visits import schedule_visit, utc_to_uk

MAX_SLOTS = 3


def awaiting_choice(visit: Visit) -> bool:
    """A planned visit whose agency has been offered dates and has not chosen one yet."""
    return visit.status == VisitStatus.PLANNED.value and bool(visit.slots)


def offer_slots(
    session: Session, visit: Visit, *, starts: list[datetime], place: str, now: datetime,
    links: LinkSettings, user_id: int | None = None,
) -> list[VisitSlot]:
    """Offer the agency up to MAX_SLOTS start times (naive UTC) and email its contacts."""
    agency = visit.return_.agency.name
    if visit.status != VisitStatus.PLANNED.value:
        raise ServiceError(f"The visit to {agency} is {visit.status}: offer dates only for a "
                           "visit without one")
    if not place.strip():
        raise ServiceError(f"Enter where the visit to {agency} will take place")
    if not 1 <= len(starts) <= MAX_SLOTS:
        raise ServiceError(f"Offer between 1 and {MAX_SLOTS} dates")
    if len(set(starts)) != len(starts):
        raise ServiceError("Offer a different date or time in each choice")
    for starts_at in starts:
        if problem := slot_problem(session, visit, starts_at, now=now):
            raise ServiceError(problem)
    session.execute(delete(VisitSlot).where(VisitSlot.visit_id == visit.id))
    session.expire(visit, ["slots"])
    slots = [VisitSlot(visit_id=visit.id, starts_at=s, offered_at=now, offered_by_id=user_id)
             for s in sorted(starts)]
    session.add_all(slots)
    visit.place = place.strip()
    session.flush()
    session.refresh(visit, ["slots"])
    _tell_agency(session, visit, links=links, now=now)
    audit.record(session, action="visit.slots_offered", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, starts=[s.isoformat() for s in sorted(starts)],
                 place=visit.place)
    return slots


def slot_problem(session: Session, visit: Visit, starts_at: datetime, *,
                 now: datetime) -> str | None:
    """Why a start time cannot be offered or chosen, or None when it can."""
    when = _words(starts_at)
    if starts_at <= now:
        return f"{when} has passed: choose a date in the future"
    clash = member_clash(session, visit, starts_at)
    if clash is not None:
        member = visit.member.name if visit.member and visit.member.name else "The member"
        return (f"{when} is taken: {member} is visiting {clash.return_.agency.name} "
                "at that time")
    return None


def member_clash(session: Session, visit: Visit, starts_at: datetime) -> Visit | None:
    """Another scheduled visit of the same member that overlaps this one at `starts_at`."""
    if visit.member_id is None:
        return None
    ends_at = starts_at + timedelta(minutes=visit.duration_minutes)
    others = session.scalars(select(Visit).where(
        Visit.member_id == visit.member_id, Visit.id != visit.id,
        Visit.status == VisitStatus.SCHEDULED.value, Visit.starts_at < ends_at))
    return next((v for v in others if v.starts_at is not None
                 and v.starts_at + timedelta(minutes=v.duration_minutes) > starts_at), None)


def visits_awaiting_choice(session: Session, agency_id: int) -> list[Visit]:
    """The agency's visits with dates offered and none chosen yet."""
    visits = session.scalars(
        select(Visit).join(Return, Visit.return_id == Return.id)
        .where(Return.agency_id == agency_id, Visit.status == VisitStatus.PLANNED.value,
               Visit.slots.any())
        .order_by(Visit.id))
    return list(visits)


def choose_slot(
    session: Session, visit: Visit, slot_id: int | None, *, now: datetime, links: LinkSettings,
    user_id: int | None = None, pack: Callable[[Visit], bytes] | None = None,
) -> Visit:
    """The agency's choice: schedule the visit at the slot and queue the invitations."""
    if not awaiting_choice(visit):
        raise ServiceError("This visit already has a date, or no dates were offered")
    slot = next((s for s in visit.slots if s.id == slot_id), None)
    if slot is None:
        raise ServiceError("Select the date that suits you")
    if slot.starts_at <= now:
        raise ServiceError(f"{_words(slot.starts_at)} has passed: choose another date")
    if member_clash(session, visit, slot.starts_at) is not None:  # never name the other agency
        raise ServiceError(f"{_words(slot.starts_at)} is taken: choose another date")
    slot.chosen_at, slot.chosen_by_id = now, user_id
    audit.record(session, action="visit.slot_chosen", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, starts_at=slot.starts_at.isoformat())
    return schedule_visit(session, visit, starts_at=slot.starts_at, place=visit.place or "",
                          now=now, links=links, user_id=user_id, pack=pack)


def _words(starts_at: datetime) -> str:
    local = utc_to_uk(starts_at)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


def _tell_agency(session: Session, visit: Visit, *, links: LinkSettings, now: datetime) -> None:
    """Queue one email per working contact: choose a date on the portal."""
    agency = visit.return_.agency
    for contact in agency.working_contacts:
        email = render_email(
            "moderation_slots", to=contact.email,
            subject=f"Choose a date for the moderation visit to {agency.name}",
            person=contact.name, agency=agency.name, cycle=visit.return_.cycle.label,
            slots=[_words(s.starts_at) for s in visit.slots], place=visit.place,
            link=f"{links.base_url.rstrip('/')}/agency/", partnership=links.partnership,
            help_email=links.help_email)
        mail.queue_email(session, email, kind="visit_slots", now=now, contact_id=contact.id,
                         return_id=visit.return_id)
