"""Audit cycles: who is issued the tool, opening (returns and invitations), closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Agency,
    Contact,
    Cycle,
    CycleStatus,
    Escalation,
    PartnershipMember,
    Return,
    ReturnStatus,
    Role,
    ToolVersion,
    User,
    Variant,
)
from portal.services import audit, mail
from portal.services.accounts import LinkSettings, password_link
from portal.services.common import (
    NotFound,
    ServiceError,
    bulk_insert,
    insert_returning_ids,
    is_after_uk_day,
)
from portal.services.mail import Email, render_email

from . import _escalations as escalations
from ._survey_links import has_survey, issue_survey_links


@dataclass(frozen=True)
class IssueItem:
    agency: Agency
    carried_over: bool


def get_cycle(session: Session, label: str) -> Cycle:
    cycle = session.scalar(select(Cycle).where(Cycle.label == label))
    if cycle is None:
        raise NotFound(f"No cycle labelled {label}")
    return cycle


def get_cycle_by_id(session: Session, cycle_id: int, *, opened_only: bool = False) -> Cycle:
    """A cycle by id; with opened_only, a draft cycle is not found either."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or (opened_only and cycle.status == CycleStatus.DRAFT.value):
        raise NotFound("No such cycle")
    return cycle


def opened_cycles(session: Session) -> list[Cycle]:
    """Cycles that have been opened (not drafts), newest first."""
    return list(session.scalars(
        select(Cycle).where(Cycle.status != CycleStatus.DRAFT.value)
        .order_by(Cycle.deadline.desc())
    ))


def previous_cycle(
    session: Session, before: Cycle | None = None, *, cohort: str | None = None
) -> Cycle | None:
    """The most recent cycle opened before `before` (or the most recent of all), optionally
    the most recent that issued `cohort`."""
    query = select(Cycle).where(Cycle.status != CycleStatus.DRAFT.value)
    if before is not None:
        query = query.where(Cycle.id != before.id, Cycle.deadline < before.deadline)
    if cohort is not None:
        query = query.where(Cycle.cohort == cohort)
    return session.scalar(query.order_by(Cycle.deadline.desc()).limit(1))


def issue_list(session: Session, *, cohort: str, previous: Cycle | None) -> list[IssueItem]:
    """The cohort's active agencies plus the previous cycle's non-returners (carried over)."""
    carried_ids = escalations.missed_agency_ids(session, previous)
    agencies = session.scalars(
        select(Agency).options(selectinload(Agency.contacts))
        .where(Agency.active.is_(True), or_(Agency.cohort == cohort, Agency.id.in_(carried_ids)))
    ).all()
    items = [IssueItem(a, carried_over=a.id in carried_ids) for a in agencies]
    return sorted(items, key=lambda item: item.agency.name.lower())


def preview_issue_list(session: Session, cycle: Cycle) -> list[IssueItem]:
    """Who a draft cycle would be issued to if it were opened now."""
    return issue_list(session, cohort=cycle.cohort, previous=previous_cycle(session, cycle))


def open_cycle(
    session: Session, cycle: Cycle, *, now: datetime, links: LinkSettings | None,
    user_id: int | None = None, expected: int | None = None,
) -> list[Return]:
    """Issue the returns and queue an invitation per agency (none when links is None: history).

    With `expected` (the invitations a manager confirmed in the preview), refuses when opening
    now would send a different number."""
    if cycle.status != CycleStatus.DRAFT.value:
        raise ServiceError(f"Cycle {cycle.label} is already {cycle.status}")
    _refuse_second_open_cycle(session, cycle)
    if expected is not None:
        _refuse_changed_invitations(session, cycle, expected)
    if not _claim_draft(session, cycle, now):
        raise ServiceError(f"Cycle {cycle.label} has just been opened by someone else")
    previous = previous_cycle(session, cycle)
    items = issue_list(session, cohort=cycle.cohort, previous=previous)
    cycle.status = CycleStatus.OPEN.value
    cycle.opened_at = now
    bulk_insert(session, Return, (
        {"cycle_id": cycle.id, "agency_id": item.agency.id, "variant": item.agency.variant,
         "carried_over": item.carried_over, "issued_at": now} for item in items))
    session.flush()
    # One query brings the new returns back; their agencies and cycle are already in the session.
    returns = list(session.scalars(select(Return).where(Return.cycle_id == cycle.id)
                                   .order_by(Return.id)))
    escalations.carry_into(session, cycle, (i.agency.id for i in items if i.carried_over))
    if links is not None:
        _invite(session, returns, links=links, now=now,
                missed=previous.label if previous is not None else None,
                survey_tokens=issue_survey_links(session, cycle, now=now))
    audit.record(session, action="cycle.opened", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, label=cycle.label, issued=len(returns))
    return returns


def _refuse_changed_invitations(session: Session, cycle: Cycle, expected: int) -> None:
    count = sum(len(i.agency.working_contacts) for i in preview_issue_list(session, cycle))
    if count != expected:
        raise ServiceError(f"The list has changed since you checked it: {count} "
                           f"{'invitation' if count == 1 else 'invitations'} now to send. "
                           "Check them and confirm again")


def _refuse_second_open_cycle(session: Session, cycle: Cycle) -> None:
    """One open cycle per cohort: its non-returners are only known once the earlier one closes."""
    still_open = session.scalar(select(Cycle).where(
        Cycle.cohort == cycle.cohort, Cycle.status == CycleStatus.OPEN.value,
        Cycle.id != cycle.id).limit(1))
    if still_open is not None:
        raise ServiceError(
            f"Cohort {cycle.cohort}'s previous cycle, {still_open.label}, is still open. Close it "
            f"first (after its final deadline, {still_open.final_deadline:%-d %B %Y}), so its "
            "non-returners are carried into this cycle")


def _claim_draft(session: Session, cycle: Cycle, now: datetime) -> bool:
    """Move the cycle from draft to open unless another request did first (a double click):
    a conditional UPDATE, which PostgreSQL re-checks after the other transaction commits."""
    claimed = session.execute(
        update(Cycle).where(Cycle.id == cycle.id, Cycle.status == CycleStatus.DRAFT.value)
        .values(status=CycleStatus.OPEN.value, opened_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


PERSONAL_LINK = "(a personal link, made when the email is sent)"


@dataclass(frozen=True)
class Invitee:
    """Whom an invitation goes to: an issued agency (its return once the cycle is open)."""

    agency: Agency
    carried_over: bool
    variant: str
    return_id: int | None = None


def _invite(session: Session, returns: list[Return], *, links: LinkSettings, now: datetime,
            missed: str | None, survey_tokens: dict[int, str]) -> None:
    """Email each working contact; a contact without an account gets one, and its invitation's
    link sets its password first (single-use, expiring), so it never meets a sign-in page
    without a password.

    Set-based, so that thousands of agencies open within one web request: one query finds the
    existing accounts, one INSERT writes the new ones and a few write every message. `missed`
    names the previous cycle: a carried-over agency is told it missed it and what a second miss
    means. `survey_tokens` gives each agency's practitioner-survey link (none without a survey)."""
    invited = [(Invitee(r.agency, r.carried_over, r.variant, r.id), c)
               for r in returns for c in r.agency.working_contacts]
    users = _users_for_contacts(session, [(i.agency, c.email, c.name) for i, c in invited], now,
                                partnership_id=returns[0].partnership_id)
    base_url = links.base_url.rstrip("/")
    queued: list[mail.Queued] = []
    for invitee, contact in invited:
        user, agency_id = users.get(contact.email.lower(), (None, None))
        user = user if user is not None and agency_id == invitee.agency.id else None
        password = (password_link(user, links=links)
                    if user is not None and user.password_hash is None else None)
        token = survey_tokens.get(invitee.agency.id)
        email = invitation_email(
            returns[0].cycle, invitee, contact, links=links, missed=missed, password_link=password,
            survey_link=f"{base_url}/survey/{token}" if token else None)
        queued.append(mail.Queued(email, "invitation", contact_id=contact.id,
                                  return_id=invitee.return_id))
    mail.queue_emails(session, queued, now=now)


def invitation_email(
    cycle: Cycle, invitee: Invitee, contact: Contact, *, links: LinkSettings,
    missed: str | None, password_link: str | None, survey_link: str | None,
) -> Email:
    """One contact's invitation: opening a cycle sends it, and its preview shows it."""
    return render_email(
        "invitation", to=contact.email,
        subject=f"Compact Audit {cycle.label}: {invitee.agency.name}'s self-assessment is due "
                f"by {cycle.deadline:%-d %B %Y}",
        agency=invitee.agency.name, name=contact.name, cycle=cycle,
        link=password_link or f"{links.base_url.rstrip('/')}/agency/",
        carried_over=invitee.carried_over,
        missed_cycle=missed if invitee.carried_over else None,
        final_deadline=f"{cycle.final_deadline:%-d %B %Y}",
        short_tool=invitee.variant == Variant.SHORT.value,
        needs_password=password_link is not None, hours=links.hours, survey_link=survey_link,
        partnership=links.partnership, help_email=links.help_email,
        forgot_link=f"{links.base_url.rstrip('/')}/forgot-password",
    )


def preview_invitations(session: Session, cycle: Cycle, *,
                        links: LinkSettings) -> mail.BulkPreview:
    """Every invitation opening the draft cycle now would send, built by invitation_email.

    Personal links (a new user's set-password link, the survey link) are made only when the
    cycle opens, so the preview shows PERSONAL_LINK in their place."""
    previous = previous_cycle(session, cycle)
    invited = [(Invitee(i.agency, i.carried_over, i.agency.variant), c)
               for i in issue_list(session, cohort=cycle.cohort, previous=previous)
               for c in i.agency.working_contacts]
    survey = _personal(links, "survey") if has_survey(session, cycle) else None
    new_password = _needs_password(session, [(i.agency, c.email) for i, c in invited],
                                   partnership_id=cycle.partnership_id)
    return mail.BulkPreview(messages=[mail.as_stored(invitation_email(
        cycle, invitee, contact, links=links, missed=previous.label if previous else None,
        password_link=(_personal(links, "set-password")
                       if (invitee.agency.id, contact.email.lower()) in new_password else None),
        survey_link=survey)) for invitee, contact in invited])


def _personal(links: LinkSettings, path: str) -> str:
    """Where a personal link goes, its token not yet made."""
    return f"{links.base_url.rstrip('/')}/{path}/{PERSONAL_LINK}"


def _needs_password(session: Session, contacts: list[tuple[Agency, str]], *,
                    partnership_id: int) -> set[tuple[int, str]]:
    """(agency id, address) of the contacts whose invitation would set a password: an account
    of that agency (in the partnership) without one, or no account there yet (made for the
    first agency naming it)."""
    found = _accounts(session, {email.lower() for _, email in contacts}, partnership_id)
    owners: dict[str, int | None] = {}
    for agency, email in contacts:
        _, member, agency_id = found.get(email.lower(), (None, False, None))
        owners.setdefault(email.lower(), agency_id if member else agency.id)
    return {(agency.id, email.lower()) for agency, email in contacts
            if owners[email.lower()] == agency.id
            and (email.lower() not in found or found[email.lower()][0].password_hash is None)}


def _accounts(session: Session, emails: set[str],
              partnership_id: int) -> dict[str, tuple[User, bool, int | None]]:
    """Accounts by lower-cased email: (user, member of the partnership, agency there)."""
    wanted = sorted(emails)
    found: dict[str, tuple[User, bool, int | None]] = {}
    for start in range(0, len(wanted), 500):
        rows = session.execute(
            select(User, PartnershipMember.id, PartnershipMember.agency_id)
            .outerjoin(PartnershipMember, and_(PartnershipMember.user_id == User.id,
                                               PartnershipMember.partnership_id == partnership_id))
            .where(func.lower(User.email).in_(wanted[start:start + 500])))
        for user, member_id, agency_id in rows:
            found[user.email.lower()] = (user, member_id is not None, agency_id)
    return found


def _users_for_contacts(
    session: Session, contacts: list[tuple[Agency, str, str]], now: datetime, *,
    partnership_id: int,
) -> dict[str, tuple[User, int | None]]:
    """Accounts by lower-cased email, with their agency in the partnership. A contact without an
    account gets one, and an account without a role in the partnership an agency membership
    there (the first agency to name an address owns it): one query, two INSERTs."""
    found = _accounts(session, {email.lower() for _, email, _ in contacts}, partnership_id)
    new: dict[str, dict[str, object]] = {}
    joining: dict[str, int] = {}
    for agency, email, name in contacts:
        key = email.lower()
        if key not in found:
            new.setdefault(key, {"email": key, "name": name, "created_at": now})
        if key not in found or not found[key][1]:
            joining.setdefault(key, agency.id)
    ids = insert_returning_ids(session, User, new.values())
    for start in range(0, len(ids), 500):
        for user in session.scalars(select(User).where(User.id.in_(ids[start:start + 500]))):
            found[user.email] = (user, False, None)
    bulk_insert(session, PartnershipMember, [
        {"user_id": found[key][0].id, "partnership_id": partnership_id,
         "role": Role.AGENCY.value, "agency_id": agency_id, "created_at": now}
        for key, agency_id in joining.items()])
    return {key: (user, joining.get(key, agency_id))
            for key, (user, _, agency_id) in found.items()}


def get_tool_version(session: Session, tool_version_id: int | None) -> ToolVersion:
    tool_version = session.get(ToolVersion, tool_version_id) if tool_version_id else None
    if tool_version is None:
        raise ServiceError("Select a version of the tool")
    return tool_version


def get_tool_by_version(session: Session, version: str) -> ToolVersion:
    tool_version = session.scalar(select(ToolVersion).where(ToolVersion.version == version))
    if tool_version is None:
        raise ServiceError(f"No tool version {version} is loaded")
    return tool_version


def list_cycles(session: Session) -> list[Cycle]:
    """Every cycle, the latest deadline first."""
    return list(session.scalars(select(Cycle).order_by(Cycle.deadline.desc(), Cycle.id.desc())))


def tool_versions(session: Session) -> list[ToolVersion]:
    """Tool versions a cycle can issue, the newest first."""
    return list(session.scalars(select(ToolVersion).order_by(ToolVersion.loaded_at.desc(),
                                                             ToolVersion.id.desc())))


@dataclass(frozen=True)
class CloseResult:
    cycle: Cycle
    escalations: list[Escalation]

    @property
    def chair_meetings(self) -> int:
        return sum(1 for e in self.escalations if e.chair_meeting_needed)


def is_past_deadline(cycle: Cycle, *, now: datetime) -> bool:
    """A return is overdue once the deadline's UK day has ended, until it is submitted."""
    return is_after_uk_day(now, cycle.deadline)


def can_close(cycle: Cycle, *, now: datetime) -> bool:
    """An open cycle closes once its final deadline has passed."""
    return cycle.status == CycleStatus.OPEN.value and is_after_uk_day(now, cycle.final_deadline)


def close_cycle(
    session: Session, cycle: Cycle, *, now: datetime, user_id: int | None = None
) -> CloseResult:
    """Close a cycle after its final deadline, escalating every return not submitted."""
    if cycle.status == CycleStatus.CLOSED.value:
        raise ServiceError(f"Cycle {cycle.label} is already closed")
    if cycle.status != CycleStatus.OPEN.value:
        raise ServiceError(f"Cycle {cycle.label} is {cycle.status}; only an open cycle can close")
    if not can_close(cycle, now=now):
        raise ServiceError(f"Cycle {cycle.label} can close after its final deadline, "
                           f"{cycle.final_deadline.day} {cycle.final_deadline:%B %Y}")
    _claim_close(session, cycle, now=now)
    made = escalations.escalate_non_returners(
        session, cycle, previous=previous_cycle(session, cycle), now=now
    )
    result = CloseResult(cycle, made)
    audit.record(session, action="cycle.closed", entity_type="cycle", entity_id=cycle.id,
                 user_id=user_id, label=cycle.label, escalations=len(made),
                 chair_meetings=result.chair_meetings)
    session.flush()
    return result


def _claim_close(session: Session, cycle: Cycle, *, now: datetime) -> None:
    """Close the cycle with a conditional UPDATE before anything else is written, so that of two
    closes at once (a double click, two cron runs) one does the work and the other is refused:
    PostgreSQL re-checks the condition once the first commits, and on SQLite it is the first
    write, so the second waits for the lock and then finds the cycle closed."""
    claimed = session.execute(
        update(Cycle).where(Cycle.id == cycle.id, Cycle.status == CycleStatus.OPEN.value)
        .values(status=CycleStatus.CLOSED.value, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError(f"Cycle {cycle.label} is already closed")
    cycle.status = CycleStatus.CLOSED.value
    cycle.closed_at = now


def mark_submitted(
    session: Session, return_: Return, *, now: datetime, user_id: int | None = None
) -> None:
    """Record a return as submitted and clear the agency's escalations.

    The agency's submit service (with its checks and declaration) is the usual way in; this is
    the bookkeeping both share, so a late return always clears the escalation it answers.
    """
    return_.status = ReturnStatus.SUBMITTED.value
    return_.submitted_at = now
    return_.last_activity_at = now
    return_.submitted_by_id = user_id
    session.flush()
    escalations.resolve_escalations_for(session, return_, now)
