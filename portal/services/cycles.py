"""Audit cycles: who is issued the tool, opening (returns and invitations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from portal.emails import render_email
from portal.models import (
    Agency,
    Cohort,
    Cycle,
    CycleStatus,
    Return,
    ReturnStatus,
    Role,
    ToolVersion,
    User,
)

from . import audit, outbox
from .errors import NotFound, ServiceError
from .tools import latest_tool
from .users import LinkSettings, send_password_link
from .workdays import add_working_days

FINAL_DEADLINE_WORKING_DAYS = 20


@dataclass(frozen=True)
class IssueItem:
    agency: Agency
    carried_over: bool


def get_cycle(session: Session, label: str) -> Cycle:
    cycle = session.scalar(select(Cycle).where(Cycle.label == label))
    if cycle is None:
        raise NotFound(f"No cycle labelled {label}")
    return cycle


def previous_cycle(session: Session, before: Cycle | None = None) -> Cycle | None:
    """The most recent cycle opened before `before` (or the most recent of all)."""
    query = select(Cycle).where(Cycle.status != CycleStatus.DRAFT.value)
    if before is not None:
        query = query.where(Cycle.id != before.id, Cycle.deadline < before.deadline)
    return session.scalar(query.order_by(Cycle.deadline.desc()).limit(1))


def issue_list(session: Session, *, cohort: str, previous: Cycle | None) -> list[IssueItem]:
    """The cohort's active agencies plus the previous cycle's non-returners (carried over)."""
    members = session.scalars(
        select(Agency).where(Agency.cohort == cohort, Agency.active.is_(True))
    ).all()
    items = [IssueItem(a, carried_over=False) for a in members]
    if previous is not None:
        carried = session.scalars(
            select(Agency).join(Return, Return.agency_id == Agency.id)
            .where(Return.cycle_id == previous.id,
                   Return.status != ReturnStatus.SUBMITTED.value,
                   Agency.active.is_(True), Agency.cohort != cohort)
        ).all()
        items += [IssueItem(a, carried_over=True) for a in carried]
    return sorted(items, key=lambda item: item.agency.name.lower())


def create_cycle(
    session: Session, *, label: str, cohort: str, deadline: date, now: datetime,
    final_deadline: date | None = None, tool_version: ToolVersion | None = None,
) -> Cycle:
    """A draft cycle; the final deadline defaults to 20 working days after the deadline."""
    if cohort not in {c.value for c in Cohort}:
        raise ServiceError("Cohort must be A or B")
    if session.scalar(select(Cycle.id).where(Cycle.label == label)) is not None:
        raise ServiceError(f"A cycle labelled {label} already exists")
    final_deadline = final_deadline or add_working_days(deadline, FINAL_DEADLINE_WORKING_DAYS)
    if final_deadline < deadline:
        raise ServiceError("The final deadline must be on or after the deadline")
    tool_version = tool_version or latest_tool(session)
    if tool_version is None:
        raise ServiceError("Load a tool first (flask tools load)")
    cycle = Cycle(label=label, cohort=cohort, deadline=deadline, final_deadline=final_deadline,
                  tool_version=tool_version, created_at=now)
    session.add(cycle)
    session.flush()
    return cycle


def open_cycle(
    session: Session, cycle: Cycle, *, now: datetime, links: LinkSettings | None,
    user_id: int | None = None,
) -> list[Return]:
    """Issue the returns and queue an invitation per agency (none when links is None: history)."""
    if cycle.status != CycleStatus.DRAFT.value:
        raise ServiceError(f"Cycle {cycle.label} is already {cycle.status}")
    items = issue_list(session, cohort=cycle.cohort, previous=previous_cycle(session, cycle))
    returns = [
        Return(cycle=cycle, agency=item.agency, variant=item.agency.variant,
               carried_over=item.carried_over, issued_at=now)
        for item in items
    ]
    session.add_all(returns)
    cycle.status = CycleStatus.OPEN.value
    cycle.opened_at = now
    session.flush()
    if links is not None:
        for return_ in returns:
            _invite(session, return_, links=links, now=now)
    audit.record(session, action="cycle.opened", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, label=cycle.label, issued=len(returns))
    return returns


def _invite(session: Session, return_: Return, *, links: LinkSettings, now: datetime) -> None:
    """Email each working contact; a contact without an account gets one and a set-password link."""
    agency = return_.agency
    for contact in agency.contacts:
        if contact.bounced_at is not None:
            continue
        user = _user_for_contact(session, agency, contact.email, contact.name, now)
        needs_password = user is not None and user.password_hash is None
        email = render_email(
            "invitation", to=contact.email,
            subject=f"Compact Audit {return_.cycle.label}: {agency.name}'s self-assessment is due "
                    f"by {return_.cycle.deadline:%-d %B %Y}",
            agency=agency.name, name=contact.name, cycle=return_.cycle,
            link=f"{links.base_url.rstrip('/')}/agency/",
            carried_over=return_.carried_over, needs_password=needs_password,
            partnership=links.partnership, help_email=links.help_email,
        )
        outbox.queue_email(session, email, kind="invitation", now=now, contact_id=contact.id,
                           return_id=return_.id)
        if needs_password and user is not None:
            send_password_link(session, user, links=links, now=now, new_account=True)


def _user_for_contact(
    session: Session, agency: Agency, email: str, name: str, now: datetime
) -> User | None:
    user = session.scalar(select(User).where(func.lower(User.email) == email.lower()))
    if user is None:
        user = User(email=email.lower(), name=name, role=Role.AGENCY.value, agency=agency,
                    created_at=now)
        session.add(user)
        session.flush()
    return user if user.agency_id == agency.id else None


def returns_of_agency(session: Session, agency_id: int) -> list[Return]:
    """An agency's returns, newest cycle first."""
    return list(session.scalars(
        select(Return).options(joinedload(Return.cycle))
        .join(Cycle).where(Return.agency_id == agency_id).order_by(Cycle.deadline.desc())
    ))
