"""`flask demo generate`: synthetic partnerships at scale for the benchmarks."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, Cycle, CycleStatus, Escalation, Return, ReturnStatus
from portal.services.reporting import sector_report


def _generate(app: Flask, *args: str) -> list[str]:
    result = app.test_cli_runner().invoke(
        args=["demo", "generate", *args, "--now", "2026-11-01T09:00"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_generate_prints_each_cycle_oldest_first_and_closes_them(app: Flask, db: Session) -> None:
    lines = _generate(app, "--agencies", "60", "--cycles", "3", "--seed", "7")
    assert lines == ["cycle 2023-24", "cycle 2024-25", "cycle 2025-26"]
    cycles = db.scalars(select(Cycle).order_by(Cycle.id)).all()
    assert [(c.label, c.cohort, c.status) for c in cycles] == [
        ("2023-24", "A", CycleStatus.CLOSED.value), ("2024-25", "B", CycleStatus.CLOSED.value),
        ("2025-26", "A", CycleStatus.CLOSED.value)]
    assert db.scalar(select(func.count(Agency.id))) == 60


def test_each_cycle_issues_its_cohort_plus_the_last_cycles_non_returners(app: Flask, db: Session) -> None:
    _generate(app, "--agencies", "80", "--cycles", "2", "--seed", "3")
    first, second = db.scalars(select(Cycle).order_by(Cycle.id)).all()
    missed = set(db.scalars(select(Return.agency_id).where(
        Return.cycle_id == first.id, Return.status != ReturnStatus.SUBMITTED.value)))
    carried = set(db.scalars(select(Return.agency_id).where(
        Return.cycle_id == second.id, Return.carried_over.is_(True))))
    assert missed and carried == missed
    escalated = set(db.scalars(select(Escalation.agency_id).where(Escalation.cycle_id == first.id)))
    assert escalated == missed


def test_generated_returns_have_graded_na_and_blank_answers_the_report_counts(
        app: Flask, db: Session) -> None:
    _generate(app, "--agencies", "120", "--cycles", "1", "--seed", "1")
    grades = dict(db.execute(select(Answer.grade, func.count()).group_by(Answer.grade)).all())
    assert grades[None] > 0 and grades["not_applicable"] > 0
    assert grades["requires_improvement"] + grades["inadequate"] > 0
    report = sector_report(db, cycle_label="2025-26")
    assert report.returned == db.scalar(select(func.count(Return.id)).where(
        Return.status == ReturnStatus.SUBMITTED.value))


def test_the_same_seed_generates_the_same_partnership(app: Flask, db: Session) -> None:
    _generate(app, "--agencies", "30", "--cycles", "1", "--seed", "5")
    first = db.execute(select(Answer.return_id, Answer.question_id, Answer.grade)
                       .order_by(Answer.id)).all()
    assert first
    for table in ("escalations", "evidence", "answers", "returns", "cycles", "contacts", "agencies"):
        db.execute(Agency.metadata.tables[table].delete())
    db.commit()
    _generate(app, "--agencies", "30", "--cycles", "1", "--seed", "5")
    second = db.execute(select(Answer.grade).order_by(Answer.id)).scalars().all()
    assert second == [grade for _, _, grade in first]
