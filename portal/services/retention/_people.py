"""A data subject's rights: everything held about a person (export), and erasure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    AuditEvent,
    Contact,
    LinkedIdentity,
    OutboxMessage,
    Partnership,
    PartnershipMember,
    Passkey,
    User,
    UserSession,
)
from portal.services import audit
from portal.services.common import NotFound

from ._accounts import anonymise
from ._policy import ERASED_DOMAIN

# role (and agency) are the first partnership's; "memberships" lists every partnership's
ACCOUNT_FIELDS = ("id", "email", "name", "role", "active", "is_operator", "created_at",
                  "last_sign_in_at")
SESSION_FIELDS = ("created_at", "last_seen_at", "expires_at", "revoked_at", "ip_address",
                  "user_agent")
PASSKEY_FIELDS = ("name", "created_at", "last_used_at", "transports")  # not the public key
EVENT_FIELDS = ("at", "action", "entity_type", "entity_id", "detail", "ip_address")
EMAIL_FIELDS = ("kind", "to_address", "subject", "status", "created_at", "sent_at", "body_text")
CONTACT_FIELDS = ("name", "email", "is_primary", "bounced_at", "bounce_reason")
IDENTITY_FIELDS = ("subject", "linked_at", "last_used_at")
KEPT = [
    "Audit events about the account stay for their retention period (6 years), with the "
    "address taken out: they show who changed the audit's records, which the partnership "
    "must be able to answer for.",
    "The account's row stays, without name, address or password, because returns, reports, "
    "visits and audit events point at it.",
    "Returns' declarations and published reports are the agencies' and the partnership's "
    "records and are not changed.",
]


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: _plain(getattr(obj, n)) for n in names}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _memberships(session: Session, user: User) -> list[dict[str, Any]]:
    """The person's role (and agency) in each partnership, by partnership (one query)."""
    rows = session.execute(
        select(Partnership.slug, PartnershipMember.role, Agency.name, PartnershipMember.created_at)
        .join(Partnership, Partnership.id == PartnershipMember.partnership_id)
        .outerjoin(Agency, Agency.id == PartnershipMember.agency_id)
        .where(PartnershipMember.user_id == user.id).order_by(Partnership.slug))
    return [{"partnership": slug, "role": role, "agency": agency, "since": _plain(since)}
            for slug, role, agency, since in rows]


def _events(session: Session, user: User) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(or_(
        AuditEvent.user_id == user.id,
        (AuditEvent.entity_type == "user") & (AuditEvent.entity_id == user.id)))
        .order_by(AuditEvent.at, AuditEvent.id)))


def _emails(session: Session, email: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        func.lower(OutboxMessage.to_address) == email.strip().lower()).order_by(OutboxMessage.id)))


def _contacts(session: Session, email: str) -> list[Contact]:
    return list(session.scalars(select(Contact).where(
        func.lower(Contact.email) == email.strip().lower()).order_by(Contact.id)))


def _identities(session: Session, user: User | None) -> list[dict[str, Any]]:
    """The identities linked at identity providers (single sign-on)."""
    if user is None:
        return []
    return [{**_row(i, IDENTITY_FIELDS), "provider": i.provider.slug} for i in session.scalars(
        select(LinkedIdentity).where(LinkedIdentity.user_id == user.id).order_by(LinkedIdentity.id))]


def export_person(session: Session, email: str) -> dict[str, Any]:
    """Everything held about the person with this address, as plain data (a subject access
    request): account and role, sessions, audit events, emails sent to them, contacts."""
    user, emails, contacts = _user(session, email), _emails(session, email), _contacts(session, email)
    if user is None and not emails and not contacts:
        raise NotFound(f"Nothing is held about {email}")
    return {
        "email": email.strip().lower(),
        "account": None if user is None else {
            **_row(user, ACCOUNT_FIELDS), "agency": user.agency.name if user.agency else None,
            "memberships": _memberships(session, user)},
        "sessions": [] if user is None else [_row(s, SESSION_FIELDS) for s in session.scalars(
            select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id))],
        "passkeys": [] if user is None else [_row(p, PASSKEY_FIELDS) for p in session.scalars(
            select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id))],
        "audit_events": [] if user is None else [_row(e, EVENT_FIELDS)
                                                 for e in _events(session, user)],
        "linked_identities": _identities(session, user),
        "emails": [_row(m, EMAIL_FIELDS) for m in emails],
        "contacts": [{**_row(c, CONTACT_FIELDS), "agency": c.agency.name} for c in contacts],
    }


def erase_person(session: Session, email: str, *, now: datetime) -> tuple[list[str], list[str]]:
    """Anonymise what the retention rules allow; (what was erased, what was kept and why)."""
    user, emails, contacts = _user(session, email), _emails(session, email), _contacts(session, email)
    if user is None and not emails and not contacts:
        raise NotFound(f"Nothing is held about {email}")
    erased = [*_erase_emails(session, emails, user), *_erase_contacts(session, contacts)]
    if user is not None:
        anonymise(session, user)
        erased.append(f"the account: name, address, password and passkeys removed, signed out "
                      f"(now {user.email})")
    audit.record(session, action="retention.person_erased", entity_type="user",
                 entity_id=user.id if user else None, emails=len(emails),
                 contacts=len(contacts)).at = now
    session.flush()
    return erased, (KEPT if user is not None else KEPT[2:])


def _erase_emails(session: Session, emails: list[OutboxMessage], user: User | None) -> list[str]:
    if not emails:
        return []
    stand_in = f"erased-{user.id if user else 'contact'}@{ERASED_DOMAIN}"
    ids = [m.id for m in emails]
    session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(
        to_address=stand_in, body_text="", body_html=None))
    pending = [m.id for m in emails if m.status in ("pending", "sending")]
    if pending:  # nobody is left to send them to
        session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(pending)).values(
            status="failed", last_error="The recipient's data was erased"))
    return [f"{len(ids)} emails: bodies and address removed"]


def _erase_contacts(session: Session, contacts: list[Contact]) -> list[str]:
    if not contacts:
        return []
    ids = [c.id for c in contacts]
    session.execute(update(OutboxMessage).where(OutboxMessage.contact_id.in_(ids))
                    .values(contact_id=None))
    session.execute(delete(Contact).where(Contact.id.in_(ids)))
    return [f"{len(ids)} agency contacts removed"]
