"""Drawing, storing, re-deriving and redrawing the moderation sample (service and CLI)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, ModerationSample, Return, Visit, VisitStatus
from portal.services import moderation
from portal.services.common import ServiceError
from portal.services.cycles import create_cycle, open_cycle
from tests.support import factories
from tests.support.moderation_factories import (
    AFTER_DEADLINE,
    DEADLINE,
    OPENED,
    cycle_with_returns,
    members,
    submit,
)

SECTORS_85 = {"Health": 20, "Schools and colleges": 30, "Early years": 15,
              "Voluntary and community": 12, "GP practices": 8}
# by hand, largest remainder of 9 x count / 85 (see test_moderation_sampling_rule.py)
EXPECTED_85 = {"Health": 2, "Schools and colleges": 3, "Early years": 2,
               "Voluntary and community": 1, "GP practices": 1}


def sectors_of(session: Session, return_ids: list[int]) -> Counter[str]:
    returns = session.scalars(select(Return).where(Return.id.in_(return_ids)))
    return Counter(r.agency.sector.name for r in returns)


def test_85_submitted_returns_give_a_sample_of_9_proportional_by_sector(
    app: Flask, db: Session, tool: object
) -> None:
    cycle, returns = cycle_with_returns(db, SECTORS_85)
    not_submitted = factories.agency(db, sector_name="Health")
    assert len(returns) == 85 and not_submitted.id
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=2018, now=AFTER_DEADLINE,
                                  user_id=None)
    assert len(sample.population) == 85
    assert len(sample.chosen) == 9
    assert sectors_of(db, sample.chosen) == Counter(EXPECTED_85)


def test_the_same_seed_gives_the_same_sample_and_it_can_be_rederived(
    app: Flask, db: Session, tool: object
) -> None:
    cycle, _ = cycle_with_returns(db, SECTORS_85)
    first = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=99, now=AFTER_DEADLINE,
                                 user_id=None)
    second = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=99, now=AFTER_DEADLINE,
                                  user_id=None, reason="Checking reproducibility")
    assert second.chosen == first.chosen
    again = moderation.rederive(db, first)
    assert again.matches and again.chosen == first.chosen
    first.chosen = [*first.chosen[:-1], first.population[0]]  # tamper with the stored choice
    assert not moderation.rederive(db, first).matches


def test_a_redraw_needs_a_reason_supersedes_the_sample_and_is_recorded(
    app: Flask, db: Session, tool: object
) -> None:
    cycle, _ = cycle_with_returns(db, {"Health": 12, "Statutory": 9})
    manager = factories.user(db, name="Pat Manager")
    members(db, ["Alex Board"])
    first = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=1, now=AFTER_DEADLINE,
                                 user_id=manager.id)
    planned = moderation.plan_visits(db, sample=first, manager_id=manager.id, now=AFTER_DEADLINE)
    with pytest.raises(ServiceError, match="give a reason"):
        moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=2, now=AFTER_DEADLINE,
                             user_id=manager.id)
    second = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=2, now=AFTER_DEADLINE,
                                  user_id=manager.id, reason="Chosen agency has closed")
    assert first.superseded_at == AFTER_DEADLINE
    assert second.redraw_reason == "Chosen agency has closed"
    assert moderation.current_sample(db, cycle) is second
    assert {v.status for v in planned} == {VisitStatus.CANCELLED.value}
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "moderation_sample.redrawn"))
    assert event is not None and event.user_id == manager.id
    assert event.detail["reason"] == "Chosen agency has closed"
    assert event.detail["previous_sample_id"] == first.id


def test_the_sample_is_drawn_only_after_the_deadline(app: Flask, db: Session, tool: object) -> None:
    cycle, _ = cycle_with_returns(db, {"Health": 3})
    with pytest.raises(ServiceError, match="after the deadline"):
        moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=1, now=datetime(2018, 1, 31, 12),
                             user_id=None)


def test_agencies_visited_in_recent_cycles_can_be_excluded(
    app: Flask, db: Session, tool: object
) -> None:
    last, last_returns = cycle_with_returns(db, {"Health": 10}, label="2016-17",
                                            deadline=date(2017, 1, 31))
    earlier = moderation.draw_sample(db, cycle=last, rate=0.5, seed=3, now=AFTER_DEADLINE,
                                   user_id=None)
    moderation.plan_visits(db, sample=earlier, manager_id=None, now=AFTER_DEADLINE)
    visited = {r.agency_id for r in last_returns if r.id in earlier.chosen}
    cycle = create_cycle(db, label="2017-18", cohort="A", deadline=DEADLINE, now=OPENED)
    last.status = "closed"  # one open cycle per cohort
    for return_ in open_cycle(db, cycle, now=OPENED, links=None):
        submit(return_)
    db.flush()
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.5, seed=3, now=AFTER_DEADLINE,
                                  user_id=None, exclude_recent_cycles=1)
    chosen_agencies = set(db.scalars(select(Return.agency_id).where(Return.id.in_(sample.chosen))))
    assert len(sample.chosen) == 5
    assert not chosen_agencies & visited
    assert moderation.rederive(db, sample).matches


def test_cli_draws_the_sample_prints_agencies_with_sectors_and_plans_visits(
    app: Flask, db: Session, tool: object
) -> None:
    cycle_with_returns(db, SECTORS_85)
    factories.user(db, name="Pat Manager")
    members(db, ["Alex Board", "Bea Carter"])
    db.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["moderation", "sample", "--cycle", "2017-18", "--seed", "2018",
                                 "--now", "2018-03-01T09:00"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "Cycle 2017-18: 9 of 85 submitted returns (rate 0.1, seed 2018)"
    assert Counter(line.split("\t")[1] for line in lines[1:]) == Counter(EXPECTED_85)
    db.expire_all()
    sample = db.scalar(select(ModerationSample))
    assert sample is not None and sample.seed == 2018
    assert len(db.scalars(select(Visit)).all()) == 9

    again = runner.invoke(args=["moderation", "sample", "--cycle", "2017-18",
                                "--now", "2018-03-02T09:00"])
    assert again.exit_code != 0 and "give a reason" in again.output
    redraw = runner.invoke(args=["moderation", "sample", "--cycle", "2017-18", "--reason",
                                 "Agency closed", "--now", "2018-03-02T09:00"])
    assert redraw.exit_code == 0, redraw.output
    seed = int(redraw.output.split("seed ")[1].split(")")[0])
    db.expire_all()
    latest = moderation.current_sample(db, db.get(ModerationSample, sample.id).cycle)  # type: ignore[union-attr]
    assert latest is not None and latest.seed == seed and 0 <= seed < 2**31
