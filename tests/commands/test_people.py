"""`flask people export` and `erase`: a demo manager's subject access request and erasure."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Contact, OutboxMessage, User
from portal.services.demo import DEMO_DOMAIN
from portal.services.retention import ERASED_DOMAIN
from tests.support.retention_helpers import (
    add_things_to_retain,
    cli,
    latest_demo_time,
    load_demo,
    published,
)

MANAGER = f"manager@{DEMO_DOMAIN}"


def test_export_holds_a_demo_managers_account_sessions_events_and_emails(
        app: Flask, db: Session, tmp_path: Path) -> None:
    load_demo(app, db)
    add_things_to_retain(db, latest_demo_time(db))
    manager = db.scalar(select(User).where(User.email == MANAGER))
    assert manager is not None
    events = db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.user_id == manager.id))
    assert events
    target = tmp_path / "manager.json"
    cli(app, "people", "export", "--email", MANAGER.upper(), "--output", str(target))
    data = json.loads(target.read_text())
    assert data["account"]["email"] == MANAGER and data["account"]["role"] == "manager"
    assert [(m["partnership"], m["role"]) for m in data["account"]["memberships"]] == [
        ("anyshire", "manager")]
    assert len(data["sessions"]) == 1 and data["emails"][0]["body_text"].startswith("Dear ")
    mine = [e for e in data["audit_events"] if e["action"] == "moderation_sample.drawn"]
    assert mine and len(data["audit_events"]) >= events


def test_export_of_a_contact_lists_their_agency(app: Flask, db: Session) -> None:
    load_demo(app, db)
    contact = db.scalars(select(Contact).where(~select(User.id).where(
        func.lower(User.email) == func.lower(Contact.email)).exists()).order_by(Contact.id)).first()
    assert contact is not None
    data = json.loads(cli(app, "people", "export", "--email", contact.email))
    assert data["account"] is None
    assert data["contacts"][0]["agency"] == contact.agency.name


def test_erase_anonymises_the_manager_and_leaves_reports_unchanged(
        app: Flask, db: Session) -> None:
    load_demo(app, db)
    add_things_to_retain(db, latest_demo_time(db))
    before = published(db)
    out = cli(app, "people", "erase", "--email", MANAGER)
    assert "Kept:" in out and "Audit events" in out and "published reports" in out
    db.expire_all()
    assert db.scalar(select(User).where(User.email == MANAGER)) is None
    erased = db.scalars(select(User).where(User.email.endswith(f"@{ERASED_DOMAIN}"))).one()
    assert (erased.name, erased.password_hash, erased.active) == ("", None, False)
    assert db.scalar(select(func.count()).select_from(OutboxMessage).where(
        func.lower(OutboxMessage.to_address) == MANAGER)) == 0
    assert db.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.user_id == erased.id)) > 0  # kept, as the output says
    assert published(db) == before
    refused = app.test_cli_runner().invoke(args=["people", "export", "--email", MANAGER])
    assert refused.exit_code != 0 and "Nothing is held" in refused.output
