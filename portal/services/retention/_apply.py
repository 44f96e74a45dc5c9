"""One retention run: every rule, in order, recorded in the audit log."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.services import audit

from ._accounts import anonymise, disable_unused, erasable_accounts
from ._housekeeping import (
    clear_outbox_bodies,
    delete_old_audit_events,
    purge_sessions,
    purge_throttles,
    remove_left_contacts,
)
from ._policy import RetentionPolicy


@dataclass(frozen=True)
class RetentionResult:
    """How many rows each rule changed."""

    outbox_bodies_cleared: int
    sessions_purged: int
    throttles_purged: int
    users_disabled: int
    users_anonymised: int
    contacts_removed: int
    audit_events_deleted: int

    def lines(self) -> list[str]:
        return [f"{name.replace('_', ' ')}: {count}" for name, count in asdict(self).items()]


def apply_retention(session: Session, policy: RetentionPolicy, *, now: datetime) -> RetentionResult:
    """Apply the policy as at `now`. Published reports and their figures are never touched."""
    audit_deleted = delete_old_audit_events(session, policy, now=now)  # first: not today's
    erasable = erasable_accounts(session, policy, now=now)  # before today's disabling
    for user in erasable:
        anonymise(session, user)
        audit.record(session, action="retention.user_anonymised", entity_type="user",
                     entity_id=user.id).at = now
    result = RetentionResult(
        outbox_bodies_cleared=clear_outbox_bodies(session, policy, now=now),
        sessions_purged=purge_sessions(session, now=now),
        throttles_purged=purge_throttles(session, now=now),
        users_disabled=len(disable_unused(session, policy, now=now)),
        users_anonymised=len(erasable),
        contacts_removed=remove_left_contacts(session, policy, now=now),
        audit_events_deleted=audit_deleted)
    audit.record(session, action="retention.applied", entity_type="retention",
                 now=now.isoformat(), **asdict(result)).at = now
    session.flush()
    return result
