"""Moderation visits: fair assignment of members, scheduling with iCalendar invitations, progress.

Every visit is attended by the partnerships manager and one Board or committee member (a user
with the moderator role): the member with the fewest visits so far (not cancelled, in any cycle),
ties by name. Scheduling, rescheduling and cancelling email an .ics to the attendees and the
agency's contacts: the same UID for the visit's life, and a higher SEQUENCE for every update.
Times are stored as naive UTC; people enter and read them as UK local time.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.models import (
    Agency,
    ModerationSample,
    Return,
    Role,
    User,
    Visit,
    VisitStatus,
)
from portal.services import accounts, audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import (
    UK,
    Invalid,
    NotFound,
    Problem,
    Refused,
    ServiceError,
    check_texts,
    file_name,
    text_problems,
)
from portal.services.mail import render_email

from ._calendar import Attendee, CalendarEvent, visit_calendar
from ._rules import (
    DIRECT,
    OPEN_STATUSES,
    VisitPlan,
    Words,
    closed_problem,
    lock_diaries,
    plan_problems,
)


def uk_to_utc(local: datetime) -> datetime:
    """A naive UK wall-clock time as naive UTC."""
    return local.replace(tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def utc_to_uk(value: datetime) -> datetime:
    """Naive UTC as naive UK wall-clock time."""
    return value.replace(tzinfo=UTC).astimezone(UK).replace(tzinfo=None)


# --- who attends --------------------------------------------------------------------------------

def members(session: Session, *, partnership_id: int) -> list[User]:
    """The partnership's active Board or committee members who can attend visits, by name."""
    return list(session.scalars(accounts.with_role(Role.MODERATOR, partnership_id=partnership_id)
                                .order_by(User.name, User.id)))


def managers(session: Session, *, partnership_id: int) -> list[User]:
    """The partnership's active managers, by name."""
    return list(session.scalars(accounts.with_role(Role.MANAGER, partnership_id=partnership_id)
                                .order_by(User.name, User.id)))


def visit_counts(session: Session) -> Counter[int]:
    """Visits per member so far (not cancelled)."""
    rows = session.execute(
        select(Visit.member_id, func.count(Visit.id))
        .where(Visit.member_id.is_not(None), Visit.status != VisitStatus.CANCELLED.value)
        .group_by(Visit.member_id)
    )
    return Counter({member_id: count for member_id, count in rows if member_id is not None})


def next_member(candidates: list[User], counts: Counter[int]) -> User | None:
    """The member with the fewest visits, ties by name."""
    if not candidates:
        return None
    return min(candidates, key=lambda u: (counts[u.id], u.name.lower(), u.id))


def plan_visits(
    session: Session, *, sample: ModerationSample, manager_id: int | None, now: datetime,
    user_id: int | None = None,
) -> list[Visit]:
    """A planned visit for each chosen return that has none, each with the next member."""
    have = set(session.scalars(select(Visit.return_id).where(Visit.sample_id == sample.id)))
    returns = session.scalars(
        select(Return).join(Agency).where(Return.id.in_(list(sample.chosen)))
        .order_by(Agency.name)
    ).all()
    candidates = members(session, partnership_id=sample.partnership_id)
    counts = visit_counts(session)
    made = []
    for return_ in returns:
        if return_.id in have:
            continue
        member = next_member(candidates, counts)
        if member is not None:
            counts[member.id] += 1
        made.append(Visit(sample_id=sample.id, return_id=return_.id, manager_id=manager_id,
                          member_id=member.id if member else None,
                          ics_uid=f"visit-{uuid.uuid4()}@compact-audit"))
    session.add_all(made)
    session.flush()
    if made:
        audit.record(session, action="visits.planned", entity_type="moderation_sample",
                     entity_id=sample.id, user_id=user_id, visits=[v.id for v in made])
    return made


# --- finding visits -----------------------------------------------------------------------------

def get_visit(session: Session, visit_id: int) -> Visit:
    visit = session.scalar(
        select(Visit).options(joinedload(Visit.return_).joinedload(Return.agency),
                              joinedload(Visit.manager), joinedload(Visit.member))
        .where(Visit.id == visit_id)
    )
    if visit is None:
        raise NotFound("No such visit")
    return visit


def visits_of_sample(session: Session, sample: ModerationSample) -> list[Visit]:
    return list(session.scalars(
        select(Visit).options(joinedload(Visit.return_).joinedload(Return.agency),
                              joinedload(Visit.member))
        .join(Return).join(Agency).where(Visit.sample_id == sample.id).order_by(Agency.name)
    ))


def visits_for(session: Session, user: User) -> list[Visit]:
    """A member's visits (a manager sees every visit they attend), soonest first."""
    column = Visit.manager_id if user.role == Role.MANAGER.value else Visit.member_id
    return list(session.scalars(
        select(Visit).options(joinedload(Visit.return_).joinedload(Return.agency),
                              joinedload(Visit.return_).joinedload(Return.cycle))
        .join(ModerationSample).where(column == user.id)
        .order_by(Visit.starts_at.is_(None), Visit.starts_at, Visit.id)
    ))


# --- scheduling ---------------------------------------------------------------------------------

def schedule_visit(
    session: Session, visit: Visit, *, starts_at: datetime, place: str, now: datetime,
    links: LinkSettings, duration_minutes: int = 120, manager_id: int | None = None,
    member_id: int | None = None, user_id: int | None = None,
    pack: Callable[[Visit], bytes] | None = None,
) -> Visit:
    """Set (or change) date, time, place and attendees, and send the invitation or update.

    `pack` renders the visit pack (the edge picks the renderer): it is attached to the manager's
    and the member's invitation, never to the agency's. Raises Refused for a completed or
    cancelled visit, Invalid (by the schedule form's fields) for anything else in the way."""
    plan = VisitPlan(visit, starts_at, place, member_id or visit.member_id,
                     manager_id or visit.manager_id, duration_minutes)
    return book(session, plan, now=now, links=links, user_id=user_id, pack=pack)


def book(
    session: Session, plan: VisitPlan, *, now: datetime, links: LinkSettings,
    user_id: int | None = None, pack: Callable[[Visit], bytes] | None = None,
    words: Words = DIRECT,
) -> Visit:
    """The one command that gives a visit a date, however it was picked (set directly, in a
    batch, chosen by the agency): lock the member's diary, check the rules (_rules), save, and
    queue the invitations. Nothing is changed when a rule refuses."""
    lock_diaries(session, [plan.member_id])  # before the check: see _rules.lock_diaries
    if problem := closed_problem(plan.visit, words):
        raise Refused(problem)
    if problems := plan_problems(session, plan, now=now, words=words):
        raise Invalid(problems)
    visit = plan.visit
    before = _attendee_users(visit)
    visit.manager, visit.member = session.get(User, plan.manager_id), session.get(User, plan.member_id)
    rescheduled = visit.status == VisitStatus.SCHEDULED.value
    if rescheduled:
        visit.ics_sequence += 1
    visit.status = VisitStatus.SCHEDULED.value
    visit.starts_at, visit.duration_minutes = plan.starts_at, plan.duration_minutes
    visit.place = plan.place.strip()
    session.flush()
    _invite(session, visit, before=before, rescheduled=rescheduled, links=links, now=now,
            pack=pack)
    audit.record(session, action="visit.rescheduled" if rescheduled else "visit.scheduled",
                 entity_type="visit", entity_id=visit.id, user_id=user_id,
                 starts_at=plan.starts_at.isoformat(), place=visit.place,
                 manager_id=visit.manager_id, member_id=visit.member_id,
                 sequence=visit.ics_sequence)
    return visit


def _invite(
    session: Session, visit: Visit, *, before: list[User], rescheduled: bool,
    links: LinkSettings, now: datetime, pack: Callable[[Visit], bytes] | None,
) -> None:
    """The invitation or update to everyone, and a cancellation to an attendee dropped."""
    pack_pdf = None
    if pack is not None:
        name = file_name("visit-pack", visit.return_.agency.name, extension="pdf")
        pack_pdf = mail.Attachment(filename=name,
                                   content_type="application/pdf", content=pack(visit))
    _send(session, visit, method="REQUEST", people=_attendees(visit), links=links, now=now,
          updated=rescheduled, pack=pack_pdf)
    dropped = [u for u in before if u.id not in {a.id for a in _attendee_users(visit)}]
    if rescheduled and dropped:
        _send(session, visit, method="CANCEL", links=links, now=now, updated=True,
              people=[Attendee(u.name, u.email) for u in dropped])


BULK_FIELDS = ("day", "place", "member")  # the bulk form's fields per visit: day_12, place_12 ...


class PlansRefused(Invalid):
    """Some visits of a bulk schedule cannot be scheduled: nothing was scheduled.

    `by_visit` holds each visit's problems (visit id -> problems by the schedule form's field
    names); as an Invalid, the same problems name the bulk form's fields (`day_12`)."""

    def __init__(self, by_visit: dict[int, list[Problem]]) -> None:
        self.by_visit = by_visit
        super().__init__(
            Problem(f"{p.field if p.field in BULK_FIELDS else 'day'}_{visit_id}", p.message)
            for visit_id, problems in by_visit.items() for p in problems)


def schedule_visits(
    session: Session, plans: list[VisitPlan], *, manager_id: int, now: datetime,
    links: LinkSettings, user_id: int | None = None,
    pack: Callable[[Visit], bytes] | None = None,
) -> list[Visit]:
    """Schedule many visits in one confirmation, all or none: every plan is checked first, by
    the same rules as one visit, and against the plans before it (one member, two places)."""
    plans = [replace(plan, manager_id=manager_id) for plan in plans]
    lock_diaries(session, [plan.member_id for plan in plans])  # all at once, in id order
    problems = {plan.visit.id: found for n, plan in enumerate(plans)
                if (found := _batch_problems(session, plan, now=now, earlier=plans[:n]))}
    if problems:
        raise PlansRefused(problems)
    return [book(session, plan, now=now, links=links, user_id=user_id, pack=pack,
                 words=Words(agency=plan.visit.return_.agency.name)) for plan in plans]


def _batch_problems(
    session: Session, plan: VisitPlan, *, now: datetime, earlier: list[VisitPlan],
) -> list[Problem]:
    words = Words(agency=plan.visit.return_.agency.name)
    if closed := closed_problem(plan.visit, words):
        return [Problem("day", closed)]
    return plan_problems(session, plan, now=now, words=words, earlier=earlier)


def unscheduled_visits(session: Session, sample: ModerationSample) -> list[Visit]:
    """The sample's visits still to be given a date, by agency name."""
    return [v for v in visits_of_sample(session, sample)
            if v.status == VisitStatus.PLANNED.value]


def cancel_visit(
    session: Session, visit: Visit, *, now: datetime, links: LinkSettings | None,
    user_id: int | None = None, reason: str | None = None,
) -> Visit:
    """Cancel a visit; if invitations went out, send a cancellation with the same UID."""
    check_texts(text_problems("reason", reason, label="The reason", limit=2000))
    if visit.status not in OPEN_STATUSES:
        raise ServiceError(f"This visit is {visit.status}: it cannot be cancelled")
    invited = visit.status == VisitStatus.SCHEDULED.value
    if invited and links is None:
        raise ServiceError("Cancel the scheduled visits first: their attendees must be told")
    visit.status = VisitStatus.CANCELLED.value
    if invited and links is not None:
        visit.ics_sequence += 1
        _send(session, visit, method="CANCEL", people=_attendees(visit), links=links, now=now,
              updated=True, reason=reason)
    audit.record(session, action="visit.cancelled", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, reason=reason, sequence=visit.ics_sequence)
    return visit


def cancel_visits_of_sample(
    session: Session, sample: ModerationSample, *, now: datetime, links: LinkSettings | None,
    user_id: int | None,
) -> None:
    """Before a redraw: refuse if a visit took place, cancel the rest."""
    visits = visits_of_sample(session, sample)
    if any(v.status == VisitStatus.COMPLETED.value for v in visits):
        raise ServiceError("A visit from this sample has taken place: the sample cannot be redrawn")
    for visit in visits:
        if visit.status in OPEN_STATUSES:
            cancel_visit(session, visit, now=now, links=links, user_id=user_id,
                         reason="The moderation sample was redrawn")


# --- invitations --------------------------------------------------------------------------------

def _attendee_users(visit: Visit) -> list[User]:
    return [u for u in (visit.manager, visit.member) if u is not None]


def _attendees(visit: Visit) -> list[Attendee]:
    """The manager, the member and the agency's working contacts."""
    people = [Attendee(u.name, u.email) for u in _attendee_users(visit)]
    people += [Attendee(c.name, c.email, contact_id=c.id)
               for c in visit.return_.agency.working_contacts]
    unique: dict[str, Attendee] = {}
    for person in people:
        unique.setdefault(person.email.lower(), person)
    return list(unique.values())


def _send(
    session: Session, visit: Visit, *, method: str, people: list[Attendee], links: LinkSettings,
    now: datetime, updated: bool, reason: str | None = None,
    pack: mail.Attachment | None = None,
) -> None:
    """Queue one email with the .ics per person (and the visit pack for the two attendees)."""
    event = _event(visit, method=method, now=now)
    ics = mail.Attachment(filename="moderation-visit.ics",
                            content_type=f"text/calendar; method={method}",
                            content=visit_calendar(event))
    agency = visit.return_.agency
    verb = "Cancelled" if method == "CANCEL" else "Updated" if updated else "Invitation"
    for person in people:
        with_pack = pack is not None and person.contact_id is None  # attendees, not the agency
        email = render_email(
            "moderation_visit", to=person.email,
            subject=f"{verb}: moderation visit to {agency.name}",
            attachments=[ics, pack] if pack is not None and with_pack else [ics],
            person=person.name, with_pack=with_pack, agency=agency.name,
            cancelled=method == "CANCEL",
            updated=updated, when=utc_to_uk(event.starts_at), place=event.place, reason=reason,
            cycle=visit.return_.cycle.label, partnership=links.partnership,
            help_email=links.help_email,
        )
        mail.queue_email(session, email, kind=f"visit_{method.lower()}", now=now,
                           contact_id=person.contact_id, return_id=visit.return_id)


def _event(visit: Visit, *, method: str, now: datetime) -> CalendarEvent:
    if visit.manager is None or visit.starts_at is None:
        raise ServiceError("Schedule the visit first")
    agency = visit.return_.agency
    return CalendarEvent(
        uid=visit.ics_uid, sequence=visit.ics_sequence, method=method, stamp=now,
        starts_at=visit.starts_at,
        ends_at=visit.starts_at + timedelta(minutes=visit.duration_minutes),
        summary=f"Compact Audit moderation visit: {agency.name}",
        description=f"Moderation visit for {agency.name}'s Compact Audit return "
                    f"({visit.return_.cycle.label}).",
        place=visit.place or "", organiser=Attendee(visit.manager.name, visit.manager.email),
        attendees=_attendees(visit),
    )
