"""Calibration shares (agreed / under-scored / over-inflated) against a hand-computed fixture."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.models import Cycle, Standard, Visit
from portal.services import moderation
from portal.services.moderation import Counts
from tests.support.moderation_factories import AFTER_DEADLINE, cycle_with_returns, grade, members

# Self grades (modal graded answer of the standard; ties -> the lower grade; N/A and blanks out)
# against moderated grades:
#
#   Health A     std 1: good, good, RI -> good;  moderated outstanding -> under-scored
#                std 2: outstanding, RI (tie) -> RI;  moderated RI -> agreed
#                std 3: N/A, blank -> no self grade;  moderated good -> not compared
#   Health B     std 1: good x4 -> good;  moderated good -> agreed
#                std 2: good -> good;  moderated inadequate -> over-inflated
#   Statutory C  std 1: inadequate;  moderated RI -> under-scored
#                std 2: outstanding;  moderated outstanding -> agreed
#   Health D     (visit cancelled: its finding does not count)
#
# Health   / 1: 2 findings: agreed 1/2, under 1/2, over 0
# Health   / 2: 2 findings: agreed 1/2, under 0,   over 1/2
# Health   / 3: 1 finding, not compared: no shares
# Statutory/ 1: under 1/1;  Statutory / 2: agreed 1/1
# all sectors / 1: agreed 1/3, under 2/3, over 0;  / 2: agreed 2/3, under 0, over 1/3
# overall: 7 findings, 6 compared: agreed 3/6, under 2/6, over 1/6


def approx(value: float | None, fraction: Fraction) -> bool:
    return value is not None and abs(value - float(fraction)) < 1e-9


@contextmanager
def count_queries(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def listener(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def build_fixture(db: Session) -> Cycle:
    cycle, returns = cycle_with_returns(db, {"Health": 3, "Statutory": 1})
    health_a, health_b, health_d = (r for r in returns if r.agency.sector.name == "Health")
    statutory_c = next(r for r in returns if r.agency.sector.name == "Statutory")
    grade(db, health_a, {"1.1": "good", "1.2": "good", "1.3": "requires_improvement",
                         "2.1": "outstanding", "2.2": "requires_improvement",
                         "3.1": "not_applicable", "3.2": None})
    grade(db, health_b, {"1.1": "good", "1.2": "good", "1.3": "good", "1.4": "good",
                         "2.1": "good"})
    grade(db, statutory_c, {"1.1": "inadequate", "2.1": "outstanding"})
    grade(db, health_d, {"1.1": "good"})
    members(db, ["Alex Board"])
    sample = moderation.draw_sample(db, cycle=cycle, rate=1.0, seed=1, now=AFTER_DEADLINE,
                                  user_id=None)
    by_return = {v.return_id: v for v in moderation.plan_visits(db, sample=sample, manager_id=None,
                                                             now=AFTER_DEADLINE)}
    standard = {s.code: s.id for s in db.query(Standard).filter_by(
        tool_version_id=cycle.tool_version_id)}
    plan = [(health_a, "1", "outstanding"), (health_a, "2", "requires_improvement"),
            (health_a, "3", "good"), (health_b, "1", "good"), (health_b, "2", "inadequate"),
            (statutory_c, "1", "requires_improvement"), (statutory_c, "2", "outstanding"),
            (health_d, "1", "inadequate")]
    for return_, code, moderated in plan:
        moderation.record_finding(db, by_return[return_.id], standard_id=standard[code],
                                moderated_grade=moderated, note="", now=AFTER_DEADLINE,
                                user_id=None)
    moderation.cancel_visit(db, by_return[health_d.id], now=AFTER_DEADLINE, links=None)
    db.flush()
    return cycle


def shares(counts: Counts) -> tuple[float | None, float | None, float | None]:
    return counts.agreed_share, counts.under_scored_share, counts.over_inflated_share


def test_calibration_shares_equal_the_hand_computed_fixture(
    app: Flask, db: Session, tool: object
) -> None:
    cycle = build_fixture(db)
    with count_queries(db) as statements:
        result = moderation.calibration(db, cycle)
    assert len(statements) == 1  # grouped and counted in the database

    table = {(r.sector, r.standard_code): r.counts for r in result.rows}
    assert list(table) == [("Health", "1"), ("Health", "2"), ("Health", "3"),
                           ("Statutory", "1"), ("Statutory", "2")]
    assert table[("Health", "1")] == Counts(findings=2, agreed=1, under_scored=1, over_inflated=0)
    assert table[("Health", "2")] == Counts(findings=2, agreed=1, under_scored=0, over_inflated=1)
    assert table[("Health", "3")] == Counts(findings=1)
    assert table[("Health", "3")].not_compared == 1
    assert shares(table[("Health", "3")]) == (None, None, None)
    assert shares(table[("Statutory", "1")]) == (0, 1, 0)
    assert shares(table[("Statutory", "2")]) == (1, 0, 0)
    assert shares(table[("Health", "1")]) == (0.5, 0.5, 0)
    assert shares(table[("Health", "2")]) == (0.5, 0, 0.5)

    overall_by_standard = {r.standard_code: r.counts for r in result.by_standard}
    one, two = overall_by_standard["1"], overall_by_standard["2"]
    assert approx(one.agreed_share, Fraction(1, 3)) and approx(one.under_scored_share,
                                                                 Fraction(2, 3))
    assert one.over_inflated_share == 0
    assert approx(two.agreed_share, Fraction(2, 3)) and approx(two.over_inflated_share,
                                                                 Fraction(1, 3))
    assert result.overall == Counts(findings=7, agreed=3, under_scored=2, over_inflated=1)
    assert approx(result.overall.agreed_share, Fraction(3, 6))
    assert approx(result.overall.under_scored_share, Fraction(2, 6))
    assert approx(result.overall.over_inflated_share, Fraction(1, 6))
    assert {r.sector: r.counts.findings for r in result.by_sector} == {"Health": 5, "Statutory": 2}


def test_findings_store_the_self_grade_taken_from_the_return(
    app: Flask, db: Session, tool: object
) -> None:
    cycle = build_fixture(db)
    stored = {(f.visit.return_.agency.sector.name, f.standard.code, f.moderated_grade): f.self_grade
              for v in db.query(Visit).all() for f in v.findings}
    assert stored[("Health", "2", "requires_improvement")] == "requires_improvement"  # tie
    assert stored[("Health", "3", "good")] is None
    assert cycle.label == "2017-18"
