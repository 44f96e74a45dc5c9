"""Non-returners after the final deadline: escalations, Chair meetings, clearing late returns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from portal.models import Agency, Cycle, Escalation, Return, ReturnStatus
from portal.services import audit
from portal.services.common import (
    NotFound,
    ServiceError,
    check_texts,
    csv_text,
    text_problems,
    uk_iso,
)

OUTCOME_MAX = 4000
CSV_HEADER = ["cycle", "agency", "sector", "contact_email", "return_status", "carried_into",
              "chair_meeting_required", "chair_meeting_on", "chair_meeting_outcome",
              "created_at", "resolved_at"]


def missed_agency_ids(session: Session, cycle: Cycle | None) -> set[int]:
    """Agencies whose return in `cycle` is still outstanding: not submitted, escalation unresolved.

    Once a cycle is closed every unsubmitted return has an escalation, so this is the cycle's
    unresolved escalations; before that (or for history imported without escalations) it is the
    unsubmitted returns themselves.
    """
    if cycle is None:
        return set()
    query = (
        select(Return.agency_id)
        .outerjoin(Escalation, Escalation.return_id == Return.id)
        .where(Return.cycle_id == cycle.id, Return.status != ReturnStatus.SUBMITTED.value,
               Escalation.resolved_at.is_(None))
    )
    return set(session.scalars(query))


def escalate_non_returners(
    session: Session, cycle: Cycle, *, previous: Cycle | None, now: datetime
) -> list[Escalation]:
    """An escalation per unsubmitted return; a Chair meeting if the agency missed `previous` too."""
    missed_before = missed_agency_ids(session, previous)
    outstanding = session.scalars(
        select(Return).where(Return.cycle_id == cycle.id,
                             Return.status != ReturnStatus.SUBMITTED.value)
        .order_by(Return.id)
    ).all()
    escalations = [
        Escalation(cycle_id=cycle.id, return_id=r.id, agency_id=r.agency_id, created_at=now,
                   chair_meeting_required=r.agency_id in missed_before)
        for r in outstanding
    ]
    session.add_all(escalations)
    session.flush()
    return escalations


def carry_into(session: Session, cycle: Cycle, agency_ids: Iterable[int]) -> int:
    """Mark the agencies' open escalations as carried into `cycle`; how many were."""
    ids = sorted(set(agency_ids))
    result = session.execute(  # one UPDATE, however many agencies are carried over (even none)
        update(Escalation)
        .where(Escalation.agency_id.in_(ids), Escalation.resolved_at.is_(None),
               Escalation.carried_to_cycle_id.is_(None), Escalation.cycle_id != cycle.id)
        .values(carried_to_cycle_id=cycle.id)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def resolve_escalations_for(session: Session, return_: Return, now: datetime) -> list[Escalation]:
    """Clear the agency's open escalations once it has submitted a return (a late return counts).

    The submit service calls this in the transaction that marks the return submitted.
    """
    if return_.status != ReturnStatus.SUBMITTED.value:
        return []
    escalations = session.scalars(
        select(Escalation).where(Escalation.agency_id == return_.agency_id,
                                 Escalation.resolved_at.is_(None))
    ).all()
    for escalation in escalations:
        escalation.resolved_at = now
        audit.record(session, action="escalation.resolved", entity_type="escalation",
                     entity_id=escalation.id, return_id=return_.id,
                     cycle=return_.cycle.label if return_.cycle else None)
    session.flush()
    return list(escalations)


def agency_history(session: Session, agency_id: int) -> list[tuple[Return, Escalation | None]]:
    """The agency's return in every cycle it was issued, newest first, with its escalation."""
    rows = session.execute(
        select(Return, Escalation).join(Cycle, Cycle.id == Return.cycle_id)
        .outerjoin(Escalation, Escalation.return_id == Return.id)
        .options(joinedload(Return.cycle))
        .where(Return.agency_id == agency_id).order_by(Cycle.deadline.desc())
    )
    return [(r, e) for r, e in rows]


@dataclass(frozen=True)
class EscalationFilter:
    cycle_id: int | None = None
    open_only: bool = False


def list_escalations(session: Session, filters: EscalationFilter) -> list[Escalation]:
    """Escalations, newest cycle first, with what the page and the CSV show loaded up front."""
    query = (
        select(Escalation).join(Cycle, Escalation.cycle_id == Cycle.id).join(Agency)
        .options(joinedload(Escalation.cycle), joinedload(Escalation.carried_to),
                 joinedload(Escalation.return_), joinedload(Escalation.agency)
                 .selectinload(Agency.contacts))
        .order_by(Cycle.deadline.desc(), Escalation.chair_meeting_required.desc(), Agency.name)
    )
    if filters.cycle_id:
        query = query.where(Escalation.cycle_id == filters.cycle_id)
    if filters.open_only:
        query = query.where(Escalation.resolved_at.is_(None))
    return list(session.scalars(query).unique())


def get_escalation(session: Session, escalation_id: int) -> Escalation:
    escalation = session.scalar(
        select(Escalation).where(Escalation.id == escalation_id)
        .options(joinedload(Escalation.cycle), joinedload(Escalation.agency)
                 .selectinload(Agency.contacts))
    )
    if escalation is None:
        raise NotFound("No such escalation")
    return escalation


def record_chair_meeting(
    session: Session, escalation: Escalation, *, on: date, outcome: str,
    user_id: int | None = None,
) -> None:
    """Record when the Independent Chair met the agency's senior manager, and what came of it."""
    if not escalation.chair_meeting_required:
        raise ServiceError(f"{escalation.agency.name} has missed one cycle: no Chair meeting "
                           "is needed")
    outcome = outcome.strip()
    if not outcome:
        raise ServiceError("Enter the outcome of the meeting")
    check_texts(text_problems("outcome", outcome, label="The outcome", limit=OUTCOME_MAX))
    escalation.chair_meeting_on = on
    escalation.chair_meeting_outcome = outcome
    audit.record(session, action="escalation.chair_meeting", entity_type="escalation",
                 entity_id=escalation.id, user_id=user_id, on=on.isoformat())
    session.flush()


def escalations_csv(escalations: Iterable[Escalation], *, with_contacts: bool = True) -> str:
    """The escalations as CSV text (cells that a spreadsheet would run as formulas are defused);
    without contacts (for the committee) the contact_email column is left out."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c for c in CSV_HEADER if with_contacts or c != "contact_email"])
    for e in escalations:
        contact = e.agency.primary_contact
        email = [contact.email if contact else ""] if with_contacts else []
        writer.writerow([csv_text(v) for v in (
            e.cycle.label, e.agency.name, e.agency.sector.name, *email,
            e.return_.status, e.carried_to.label if e.carried_to else "",
            "yes" if e.chair_meeting_required else "no",
            e.chair_meeting_on.isoformat() if e.chair_meeting_on else "",
            e.chair_meeting_outcome or "", uk_iso(e.created_at), uk_iso(e.resolved_at),
        )])
    return out.getvalue()


def chair_meetings_by_cycle(session: Session) -> dict[int, int]:
    """Chair meetings required and not yet held, per cycle, in one grouped query."""
    return {cycle_id: int(count) for cycle_id, count in session.execute(
        select(Escalation.cycle_id, func.count(Escalation.id))
        .where(Escalation.chair_meeting_required.is_(True), Escalation.chair_meeting_on.is_(None))
        .group_by(Escalation.cycle_id)
    )}
