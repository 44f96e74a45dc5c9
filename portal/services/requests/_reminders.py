"""Reminders for unanswered requests, by the chasers' rules.

A stage is a number of English working days from the request's deadline. A run sends, to each
unanswered recipient, the latest stage that is due and not yet sent (a missed day catches up; an
earlier missed stage is superseded, not sent late), never after the deadline, never twice: each
reminder is a `RequestReminder` row, unique per (recipient, stage), inserted in the transaction
that queues its emails, so two runs at once still send it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from portal.models import Agency, InformationRequest, RequestRecipient, RequestReminder
from portal.services import audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import add_working_days, uk_today

from ._sending import long_date, request_link


@dataclass(frozen=True)
class ReminderStage:
    code: str
    offset_working_days: int  # negative: before the deadline


REMINDER_STAGES = (ReminderStage("before_deadline", -2),)


@dataclass(frozen=True)
class SentReminder:
    request: str
    agency: str
    recipients: tuple[str, ...]


def reminder_due_on(request: InformationRequest, stage: ReminderStage) -> date:
    return add_working_days(request.deadline, stage.offset_working_days)


def send_due_reminders(
    session: Session, *, now: datetime, links: LinkSettings
) -> list[SentReminder]:
    """Record and queue every request reminder that is due and not yet sent."""
    today = uk_today(now)
    sent: list[SentReminder] = []
    open_requests = session.scalars(
        select(InformationRequest).where(InformationRequest.deadline >= today)
        .order_by(InformationRequest.id))
    for request in open_requests:
        due = [(reminder_due_on(request, s), s) for s in REMINDER_STAGES]
        latest = max((d for d in due if d[0] <= today), default=None, key=lambda d: d[0])
        if latest is not None:
            sent += _remind(session, request, latest[1], due_on=latest[0], now=now, links=links)
    return sent


def _remind(
    session: Session, request: InformationRequest, stage: ReminderStage, *, due_on: date,
    now: datetime, links: LinkSettings,
) -> list[SentReminder]:
    done = set(session.scalars(
        select(RequestReminder.recipient_id).join(RequestRecipient)
        .where(RequestRecipient.request_id == request.id, RequestReminder.stage_code == stage.code)))
    sent = []
    for recipient in _unanswered(session, request):
        if recipient.id in done or not recipient.agency.working_contacts:
            continue
        if _record(session, request, recipient, stage, due_on=due_on, now=now, links=links):
            sent.append(SentReminder(request.title, recipient.agency.name,
                                     tuple(c.email for c in recipient.agency.working_contacts)))
    return sent


def _unanswered(session: Session, request: InformationRequest) -> list[RequestRecipient]:
    """Recipients still to answer, locked so that a concurrent run skips them (PostgreSQL)."""
    return list(session.scalars(
        select(RequestRecipient).join(Agency, Agency.id == RequestRecipient.agency_id)
        .where(RequestRecipient.request_id == request.id, RequestRecipient.answered_at.is_(None),
               Agency.active.is_(True))
        .options(selectinload(RequestRecipient.agency).selectinload(Agency.contacts))
        .order_by(RequestRecipient.id)
        .with_for_update(of=RequestRecipient, skip_locked=True)))


def _record(
    session: Session, request: InformationRequest, recipient: RequestRecipient,
    stage: ReminderStage, *, due_on: date, now: datetime, links: LinkSettings,
) -> bool:
    """Insert the reminder and queue its emails together; False if another run recorded it."""
    if session.get_bind().dialect.name == "sqlite":
        # As for chasers: SQLite has one writer at a time, so a duplicate cannot get this far.
        _insert(session, request, recipient, stage, due_on=due_on, now=now, links=links)
        return True
    try:
        with session.begin_nested():
            _insert(session, request, recipient, stage, due_on=due_on, now=now, links=links)
    except IntegrityError:
        return False
    return True


def _insert(
    session: Session, request: InformationRequest, recipient: RequestRecipient,
    stage: ReminderStage, *, due_on: date, now: datetime, links: LinkSettings,
) -> None:
    session.add(RequestReminder(recipient_id=recipient.id, stage_code=stage.code, due_on=due_on,
                                recorded_at=now))
    session.flush()
    agency = recipient.agency
    for contact in agency.working_contacts:
        email = mail.render_email(
            "request_reminder", to=contact.email,
            subject=f"Reminder: {agency.name} has not yet answered “{request.title}”",
            contact=contact.name, agency=agency.name, title=request.title,
            signatory=request.signatory, deadline=long_date(request.deadline),
            link=request_link(links, request), partnership=links.partnership,
            help_email=links.help_email,
        )
        mail.queue_email(session, email, kind="request_reminder", now=now, contact_id=contact.id)
    audit.record(session, action="information_request.reminded", entity_type="request_recipient",
                 entity_id=recipient.id, stage=stage.code, due_on=due_on)
