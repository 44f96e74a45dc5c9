"""`flask retention apply` on the demo, years on: exactly what the policy says goes, nothing
published changes, and every run is in the audit log."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Contact, OutboxMessage, Throttle, User, UserSession
from portal.services.retention import ERASED_DOMAIN
from tests.support.retention_helpers import (
    add_things_to_retain,
    cli,
    latest_demo_time,
    load_demo,
    published,
)


def _count(db: Session, model: type, *where: object) -> int:
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def test_retention_years_on_removes_what_the_policy_says_and_nothing_published(
        app: Flask, db: Session) -> None:
    load_demo(app, db)
    loaded = latest_demo_time(db)
    left = add_things_to_retain(db, loaded)
    left_contacts = len(left.contacts)
    users = _count(db, User)
    emails = _count(db, OutboxMessage)  # the demo story's sent emails and one more per user
    assert _count(db, OutboxMessage, OutboxMessage.status.not_in(("sent", "failed"))) == 0
    before = published(db)
    events_before = _count(db, AuditEvent)
    three_years_on = (loaded + timedelta(days=3 * 365 + 2)).isoformat()

    dry = cli(app, "retention", "apply", "--now", three_years_on, "--dry-run")
    assert "Dry run: nothing was changed" in dry and f"users disabled: {users}" in dry
    assert _count(db, User, User.active.is_(False)) == 0 and _count(db, AuditEvent) == events_before

    out = cli(app, "retention", "apply", "--now", three_years_on)
    assert f"outbox bodies cleared: {emails}" in out
    assert f"sessions purged: {users}" in out and "throttles purged: 1" in out
    assert f"users disabled: {users}" in out and "users anonymised: 0" in out
    assert f"contacts removed: {left_contacts}" in out and "audit events deleted: 0" in out
    assert _count(db, OutboxMessage, OutboxMessage.body_text != "") == 0
    assert _count(db, OutboxMessage) == emails  # the record that each email went stays
    assert _count(db, UserSession) == _count(db, Throttle) == 0
    assert _count(db, User, User.active.is_(True)) == 0
    assert _count(db, Contact, Contact.agency_id == left.id) == 0
    assert _count(db, Contact) > 0  # agencies still in the partnership keep theirs
    # disabled now, anonymised only a year later
    assert _count(db, User, User.email.endswith(f"@{ERASED_DOMAIN}")) == 0
    assert _count(db, AuditEvent) == events_before + users + 1  # each disabling, and the run
    assert published(db) == before

    a_year_later = (loaded + timedelta(days=4 * 365 + 3)).isoformat()
    assert f"users anonymised: {users}" in cli(app, "retention", "apply", "--now", a_year_later)
    assert _count(db, User, User.email.endswith(f"@{ERASED_DOMAIN}"), User.name == "",
                  User.password_hash.is_(None)) == users
    assert published(db) == before

    seven_years_on = (loaded + timedelta(days=7 * 365 + 2)).isoformat()
    out = cli(app, "retention", "apply", "--now", seven_years_on)
    assert f"audit events deleted: {events_before}" in out  # the demo's, over 6 years old
    kept = db.scalars(select(AuditEvent.action)).all()
    assert kept and all(action.startswith("retention.") for action in kept)
    assert published(db) == before
    runs = db.scalars(select(AuditEvent).where(AuditEvent.action == "retention.applied")
                      .order_by(AuditEvent.at, AuditEvent.id)).all()  # PostgreSQL: no order else
    assert len(runs) == 3 and runs[-1].detail["audit_events_deleted"] == events_before
