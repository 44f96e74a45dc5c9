"""The retention rules at their edges: what is kept one day before a period ends, and what a
manager's own deactivation means for the year before erasure."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, OutboxMessage, Role
from portal.services import accounts
from portal.services.retention import ERASED_DOMAIN, RetentionPolicy, apply_retention
from tests.support import factories

T0 = datetime(2027, 3, 1, 9)
POLICY = RetentionPolicy()


def _email(db: Session, status: str, sent_at: datetime | None) -> OutboxMessage:
    message = OutboxMessage(kind="notice", to_address="a@example.org", subject="s",
                            body_text="body", body_html="<p>body</p>", status=status,
                            created_at=T0, next_attempt_at=T0, sent_at=sent_at)
    db.add(message)
    db.flush()
    return message


def test_email_bodies_go_30_days_after_sending_and_unsent_ones_stay(db: Session) -> None:
    sent = _email(db, "sent", T0)
    pending = _email(db, "pending", None)
    apply_retention(db, POLICY, now=T0 + timedelta(days=29))
    db.refresh(sent)
    assert sent.body_text == "body"
    apply_retention(db, POLICY, now=T0 + timedelta(days=31))
    db.refresh(sent)
    db.refresh(pending)
    assert (sent.body_text, sent.body_html, sent.to_address) == ("", None, "a@example.org")
    assert pending.body_text == "body"  # still to be delivered


def test_an_account_is_disabled_after_2_years_and_anonymised_a_year_after(db: Session) -> None:
    user = factories.user(db, Role.COMMITTEE)
    user.last_sign_in_at = T0
    apply_retention(db, POLICY, now=T0 + timedelta(days=729))
    assert user.active
    result = apply_retention(db, POLICY, now=T0 + timedelta(days=731))
    assert result.users_disabled == 1 and not user.active
    later = apply_retention(db, POLICY, now=T0 + timedelta(days=731 + 364))
    assert later.users_anonymised == 0
    last = apply_retention(db, POLICY, now=T0 + timedelta(days=731 + 366))
    db.refresh(user)
    assert last.users_anonymised == 1 and user.email.endswith(f"@{ERASED_DOMAIN}")


def test_a_manager_deactivating_an_old_account_starts_its_year(db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    manager.last_sign_in_at = T0 + timedelta(days=5 * 365)
    user = factories.user(db, Role.MODERATOR)
    user.last_sign_in_at = T0
    now = T0 + timedelta(days=4 * 365)
    accounts.set_active(db, user, False, by_user_id=manager.id, now=now)
    db.flush()
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))
    assert event is not None
    event.at = now  # the event's clock is the real one; here it is the replayed day
    assert apply_retention(db, POLICY, now=now + timedelta(days=300)).users_anonymised == 0
    assert apply_retention(db, POLICY, now=now + timedelta(days=366)).users_anonymised == 1
