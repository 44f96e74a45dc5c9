"""Offered slots: the manager offers an agency a few dates for its visit; the agency's
safeguarding lead picks one, which schedules the visit and queues the invitations.

Offered dates are checked by the scheduling rules (_rules): in the future, and the member free
then. The choice is checked again when it is made, by the one scheduling command (`book`), which
locks the member's diary first: it may have filled since, or another agency may be choosing an
overlapping date at the same moment. Offering again replaces the earlier offer; setting a date
directly still works, and ends the offer (the visit is no longer planned).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models import Return, Visit, VisitSlot, VisitStatus
from portal.services import audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import Invalid, Problem, Refused
from portal.services.mail import render_email

from ._rules import VisitPlan, Words, when_problem, when_words
from ._visits import book

MAX_SLOTS = 3


def awaiting_choice(visit: Visit) -> bool:
    """A planned visit whose agency has been offered dates and has not chosen one yet."""
    return visit.status == VisitStatus.PLANNED.value and bool(visit.slots)


def offer_slots(
    session: Session, visit: Visit, *, starts: Sequence[datetime | None], place: str,
    now: datetime, links: LinkSettings, user_id: int | None = None,
) -> list[VisitSlot]:
    """Offer the agency up to MAX_SLOTS start times (naive UTC) and email its contacts.

    `starts` are the offer form's choices in order, None for one left blank, so that a problem
    names its field (`day_2`: the second choice)."""
    if visit.status != VisitStatus.PLANNED.value:
        raise Refused(f"The visit to {visit.return_.agency.name} is {visit.status}: offer dates "
                      "only for a visit without one")
    if problems := _offer_problems(session, visit, starts, place=place, now=now):
        raise Invalid(problems)
    chosen = sorted(s for s in starts if s is not None)
    session.execute(delete(VisitSlot).where(VisitSlot.visit_id == visit.id))
    session.expire(visit, ["slots"])
    slots = [VisitSlot(visit_id=visit.id, starts_at=s, offered_at=now, offered_by_id=user_id)
             for s in chosen]
    session.add_all(slots)
    visit.place = place.strip()
    session.flush()
    session.refresh(visit, ["slots"])
    _tell_agency(session, visit, links=links, now=now)
    audit.record(session, action="visit.slots_offered", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, starts=[s.isoformat() for s in chosen], place=visit.place)
    return slots


def _offer_problems(
    session: Session, visit: Visit, starts: Sequence[datetime | None], *, place: str,
    now: datetime,
) -> list[Problem]:
    """The scheduling rules' date checks (in the future, the member free: _rules.when_problem)
    for each choice, by the offer form's fields. No diary lock: an offer books nothing, and the
    choice is checked again, under the lock, when the agency makes it."""
    agency = visit.return_.agency.name
    given = [(n, s) for n, s in enumerate(starts, 1) if s is not None]
    problems = []
    if not place.strip():
        problems.append(Problem("place", f"Enter where the visit to {agency} will take place"))
    if not 1 <= len(given) <= MAX_SLOTS:
        problems.append(Problem("day_1", f"Offer between 1 and {MAX_SLOTS} dates"))
    seen: set[datetime] = set()
    for n, starts_at in given:
        plan = VisitPlan(visit, starts_at, place, visit.member_id, visit.manager_id,
                         visit.duration_minutes)
        if starts_at in seen:
            problems.append(Problem(f"day_{n}", "Offer a different date or time in each choice"))
        elif when := when_problem(session, plan, now=now, words=Words(agency, slots=True)):
            problems.append(Problem(f"day_{n}", when.message))
        seen.add(starts_at)
    return problems


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
    """The agency's choice: schedule the visit at the slot and queue the invitations.

    Through `book`, the one scheduling command: the member's diary is locked and checked again
    (it may have filled since the offer, or another agency may be choosing this very moment).
    Problems are worded for the agency: never another agency's name."""
    if not awaiting_choice(visit):
        raise Refused("This visit already has a date, or no dates were offered")
    slot = next((s for s in visit.slots if s.id == slot_id), None)
    if slot is None:
        raise Invalid.at("slot", "Select the date that suits you")
    plan = VisitPlan(visit, slot.starts_at, visit.place or "", visit.member_id, visit.manager_id,
                     visit.duration_minutes)
    book(session, plan, now=now, links=links, user_id=user_id, pack=pack,
         words=Words(slots=True, private=True))
    slot.chosen_at, slot.chosen_by_id = now, user_id
    audit.record(session, action="visit.slot_chosen", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, starts_at=slot.starts_at.isoformat())
    return visit


def _tell_agency(session: Session, visit: Visit, *, links: LinkSettings, now: datetime) -> None:
    """Queue one email per working contact: choose a date on the portal."""
    agency = visit.return_.agency
    for contact in agency.working_contacts:
        email = render_email(
            "moderation_slots", to=contact.email,
            subject=f"Choose a date for the moderation visit to {agency.name}",
            person=contact.name, agency=agency.name, cycle=visit.return_.cycle.label,
            slots=[when_words(s.starts_at) for s in visit.slots], place=visit.place,
            link=f"{links.base_url.rstrip('/')}/agency/", partnership=links.partnership,
            help_email=links.help_email)
        mail.queue_email(session, email, kind="visit_slots", now=now, contact_id=contact.id,
                         return_id=visit.return_id)
