"""`flask demo load`: a realistic, deterministic partnership."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    FIRST_PARTNERSHIP_ID,
    Agency,
    Answer,
    ChaserStage,
    Cycle,
    Escalation,
    PartnershipMember,
    Return,
    ReturnStatus,
    Role,
    User,
    Visit,
)
from portal.services.accounts import verify_password
from tests.support import TABLES_TO_CLEAN, truncate_as_owner


def _load(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["demo", "load", "--now", "2026-11-28T09:00"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_has_the_partnerships_shape(app: Flask, db: Session) -> None:
    output = _load(app)
    assert "228 agencies" in output
    agencies = db.scalars(select(Agency)).all()
    assert len(agencies) == 228
    sectors = Counter(a.sector.name for a in agencies)
    assert sectors["Schools and colleges"] > sectors["GP practices"] > sectors["Statutory"]
    assert sectors["Voluntary and community"] >= 40 and sectors["Early years"] >= 40
    cohorts = Counter(a.cohort for a in agencies)
    assert abs(cohorts["A"] - cohorts["B"]) <= 2
    roles = Counter(db.scalars(select(PartnershipMember.role)
                               .where(PartnershipMember.partnership_id == FIRST_PARTNERSHIP_ID)))
    assert all(roles[r.value] >= 1 for r in Role)
    assert db.scalar(select(func.count()).select_from(User)) == roles.total()
    manager = db.scalar(select(User).join(PartnershipMember)
                        .where(PartnershipMember.role == Role.MANAGER.value))
    assert manager is not None and verify_password(manager.password_hash, "compact-audit-demo")


def test_demo_has_past_cycles_with_submitted_returns(app: Flask, db: Session) -> None:
    _load(app)
    cycles = {c.label: c for c in db.scalars(select(Cycle))}
    assert set(cycles) == {"2024-25", "2025-26", "2026-27"}
    assert cycles["2024-25"].status == cycles["2025-26"].status == "closed"
    assert cycles["2026-27"].status == "open"
    for label in ("2024-25", "2025-26"):
        submitted = db.scalar(select(func.count()).select_from(Return).where(
            Return.cycle_id == cycles[label].id, Return.status == ReturnStatus.SUBMITTED.value))
        issued = db.scalar(select(func.count()).select_from(Return).where(
            Return.cycle_id == cycles[label].id))
        assert issued and submitted and 0.6 < submitted / issued <= 1
    assert db.scalar(select(func.count()).select_from(Answer)) > 10000
    carried = db.scalar(select(func.count()).select_from(Return).where(
        Return.cycle_id == cycles["2026-27"].id, Return.carried_over.is_(True)))
    assert carried and carried > 0


def test_demo_is_deterministic(app: Flask, db: Session) -> None:
    _load(app)
    first = _fingerprint(db)
    _empty(app, db)
    _load(app)
    assert _fingerprint(db) == first


def _empty(app: Flask, db: Session) -> None:
    """Every table but the sectors emptied as a new database is. On PostgreSQL by TRUNCATE: after
    a DELETE, autovacuum may analyse the tables as empty while the second load's transaction
    fills them, and the planner's nested loops over "empty" tables made that load take minutes
    (TRUNCATE leaves the row counts unknown, as in a new database, so the planner looks at the
    tables' real size)."""
    if db.get_bind().dialect.name == "postgresql":
        db.commit()
        truncate_as_owner(app)
    else:
        for table in TABLES_TO_CLEAN:
            db.execute(table.delete())
    db.commit()


def _fingerprint(db: Session) -> list[tuple[object, ...]]:
    return [tuple(row) for row in db.execute(
        select(Agency.name, Agency.cohort, Return.status, func.count(Answer.id),
               func.sum(func.length(func.coalesce(Answer.grade, ""))))
        .join(Return, Return.agency_id == Agency.id)
        .outerjoin(Answer, Answer.return_id == Return.id)
        .group_by(Agency.name, Agency.cohort, Return.id, Return.status)
        .order_by(Agency.name, Return.id))]


def test_demo_refuses_to_load_twice(app: Flask) -> None:
    _load(app)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "already has agencies" in result.output


def test_demo_has_escalations_moderation_and_chaser_stages(app: Flask, db: Session) -> None:
    _load(app)
    escalated = db.scalars(select(Escalation)).all()
    assert escalated and any(e.chair_meeting_required for e in escalated)
    visits = db.scalars(select(Visit).join(Return).join(Cycle).where(Cycle.label == "2025-26")).all()
    submitted = db.scalar(select(func.count()).select_from(Return).join(Cycle).where(
        Cycle.label == "2025-26", Return.status == ReturnStatus.SUBMITTED.value))
    assert len(visits) == -(-(submitted or 0) // 10)  # ceil(10% of the submitted returns)
    assert any(v.status == "completed" and v.findings for v in visits)
    open_cycle = db.scalar(select(Cycle).where(Cycle.label == "2026-27"))
    assert db.scalar(select(func.count()).select_from(ChaserStage).where(
        ChaserStage.cycle_id == open_cycle.id)) == 5  # type: ignore[union-attr]
