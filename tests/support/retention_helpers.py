"""Shared by the retention and people tests: the demo loaded by its command, things for each
retention rule to find, and what was published (which must never change)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    Agency,
    Answer,
    OutboxMessage,
    PublishedFigures,
    PublishedReport,
    Return,
    Throttle,
    User,
    UserSession,
)
from portal.services import register
from portal.services.demo import DEMO_PASSWORD
from tests.support import truncate_as_owner
from tests.support.snapshots import restore_or_build


def cli(app: Flask, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def load_demo(app: Flask, db: Session) -> None:
    """The demo, loaded by its command. On PostgreSQL the tables are first emptied by TRUNCATE:
    after the previous test's DELETE, autovacuum may analyse them as empty while the load fills
    them, and the publishing queries' plans then take many minutes (as in test_demo_data)."""
    def build() -> None:
        if db.get_bind().dialect.name == "postgresql":
            db.commit()
            truncate_as_owner(app)
        cli(app, "demo", "load", "--now", "2026-11-28T09:00")

    # The command runs once per process; later tests get a copy of the rows it made.
    restore_or_build(db, ("demo command", "2026-11-28T09:00"), build, password=DEMO_PASSWORD)


def published(db: Session) -> list[tuple[object, ...]]:
    """Every published report and its figures, and what the returns hold, as stored."""
    db.expire_all()
    reports = [tuple(r) for r in db.execute(select(
        PublishedReport.id, PublishedReport.version, PublishedReport.content,
        PublishedReport.published_at).order_by(PublishedReport.id))]
    figures = [tuple(r) for r in db.execute(select(
        PublishedFigures.id, PublishedFigures.sector, PublishedFigures.report)
        .order_by(PublishedFigures.id))]
    returns = [tuple(r) for r in db.execute(select(
        Return.id, Return.status, Return.declaration_name, func.count(Answer.id))
        .outerjoin(Answer, Answer.return_id == Return.id).group_by(Return.id)
        .order_by(Return.id))]
    assert reports and figures and returns
    return [*reports, *figures, *returns]


def latest_demo_time(db: Session) -> datetime:
    """The newest moment the demo's rows carry (accounts and events are stamped at load)."""
    return max(db.scalar(select(func.max(User.created_at))) or datetime.min,
               db.scalar(select(func.max(User.last_sign_in_at))) or datetime.min)


def add_things_to_retain(db: Session, at: datetime) -> Agency:
    """Sent emails, sessions, a throttle, and an agency that left, all as at `at`; the agency."""
    users = db.scalars(select(User).order_by(User.id)).all()
    for n, user in enumerate(users):
        db.add(OutboxMessage(kind="notice", to_address=user.email, subject=f"Notice {n}",
                             body_text=f"Dear {user.name}", status="sent", created_at=at,
                             next_attempt_at=at, sent_at=at))
        db.add(UserSession(token_hash=f"{n:064}", user_id=user.id, created_at=at,
                           last_seen_at=at, expires_at=at + timedelta(hours=12)))
    db.add(Throttle(key="k" * 64, failures=3, window_started_at=at))
    left = db.scalars(select(Agency).where(Agency.active.is_(True)).order_by(Agency.id)).first()
    assert left is not None and left.contacts
    register.set_active(db, left, False)
    db.commit()
    return left
