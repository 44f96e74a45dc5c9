"""A manager deactivates, reactivates and changes the role of accounts, sees their last sign-in in
UK time, and reviews the accounts nobody has used for 12 months; each change is audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Role, utcnow
from tests.support import factories, page, page_text, sign_in, submit_form, url_for, visible_text


def test_manager_changes_a_role_and_it_is_audited(app: Flask, client: FlaskClient,
                                                  db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    member = factories.user(db, Role.MODERATOR)
    agency = factories.agency(db, "Riverside Youth Club")
    db.commit()
    sign_in(client, manager)
    role_url = url_for(app, "manager.user_role", user_id=member.id)
    refused = submit_form(client, role_url, {"role": "agency", "agency": ""})
    assert "Enter the agency an agency user belongs to" in page_text(refused)
    done = submit_form(client, role_url, {"role": "agency", "agency": "riverside youth club"})
    assert done.status_code == 302
    db.refresh(member.membership)  # the role is the membership's (issue 28)
    assert (member.role, member.agency_id) == ("agency", agency.id)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert event is not None and event.user_id == manager.id and event.entity_id == member.id
    assert event.detail["role_before"] == "moderator" and event.detail["agency"] == agency.name
    back = submit_form(client, role_url, {"role": "committee", "agency": ""})
    assert back.status_code == 302
    db.refresh(member.membership)
    assert (member.role, member.agency_id) == ("committee", None)


def test_a_manager_cannot_change_their_own_role(app: Flask, client: FlaskClient,
                                                db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    detail = page(client.get(url_for(app, "manager.user_detail", user_id=manager.id)))
    assert detail.find("a", href=url_for(app, "manager.user_role", user_id=manager.id)) is None
    own = submit_form(client, url_for(app, "manager.user_role", user_id=manager.id),
                      {"role": "committee"})
    assert "You cannot change your own role" in page_text(own)
    db.refresh(manager)
    assert manager.role == "manager"


def test_deactivate_then_reactivate_is_audited_and_shown(app: Flask, client: FlaskClient,
                                                         db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, manager)
    detail_url = url_for(app, "manager.user_detail", user_id=member.id)
    active_url = url_for(app, "manager.user_active", user_id=member.id)
    submit_form(client, active_url, {}, get_url=detail_url)
    assert "Deactivated" in visible_text(page(client.get(detail_url)))
    users = visible_text(page(client.get(url_for(app, "manager.users"))))
    assert "(deactivated)" in users
    submit_form(client, active_url, {}, get_url=detail_url)
    db.refresh(member)
    assert member.active
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == member.id,
                                                         AuditEvent.entity_type == "user")
                         .order_by(AuditEvent.id)).all()
    assert actions == ["user.deactivated", "user.activated"]


def test_last_sign_in_is_shown_in_uk_time(app: Flask, client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    member = factories.user(db, Role.COMMITTEE)
    member.last_sign_in_at = datetime(2026, 7, 1, 23, 30)  # 00:30 on 2 July in BST
    db.commit()
    sign_in(client, manager)
    detail = visible_text(page(client.get(url_for(app, "manager.user_detail", user_id=member.id))))
    assert "Last signed in (UK time) 2 July 2026 at 12:30am BST" in detail


def test_accounts_unused_for_12_months_are_listed_for_review(
        app: Flask, client: FlaskClient, db: Session) -> None:
    manager = factories.user(db, Role.MANAGER)
    stale = factories.user(db, Role.COMMITTEE, email="stale@example.org")
    stale.last_sign_in_at = utcnow() - timedelta(days=400)
    never = factories.user(db, Role.MODERATOR, email="never@example.org")
    never.created_at = utcnow() - timedelta(days=500)
    recent = factories.user(db, Role.MODERATOR, email="recent@example.org")
    recent.last_sign_in_at = utcnow() - timedelta(days=300)
    gone = factories.user(db, Role.MODERATOR, email="gone@example.org")
    gone.last_sign_in_at, gone.active = utcnow() - timedelta(days=900), False
    db.commit()
    sign_in(client, manager)
    users_page = page(client.get(url_for(app, "manager.users")))
    assert users_page.find("a", href=url_for(app, "manager.users_unused")) is not None
    review = page(client.get(url_for(app, "manager.users_unused")))
    listed = [a.get_text() for a in review.select("table a")]
    assert listed == ["never@example.org", "stale@example.org"]  # longest unused first
    assert "2 accounts unused for 12 months" in visible_text(review)
