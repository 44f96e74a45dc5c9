"""The manager's home is the year at a glance: each open cycle's figures, each linked to the list
behind it, and the next thing to do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import cycles, overview
from tests.support import factories, page, sign_in, url_for, visible_text


def _cycle(db: Session, deadline: date) -> Any:
    for n in range(4):
        factories.agency(db, f"Agency {n}", cohort="A")
    cycle = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=deadline,
                                now=datetime(2030, 11, 1))
    returns = cycles.open_cycle(db, cycle, now=datetime(2030, 11, 1), links=None)
    cycles.mark_submitted(db, returns[0], now=datetime(2030, 12, 1))
    db.commit()
    return cycle


def test_the_year_at_a_glance_names_the_next_step_as_the_year_runs(
    db: Session, tool: Any
) -> None:
    cycle = _cycle(db, date(2031, 1, 31))
    [before] = overview.year_at_a_glance(db, now=datetime(2031, 1, 10, 9))
    assert (before.issued, before.submitted, before.overdue) == (4, 1, 0)
    assert before.next_chaser == date(2031, 1, 17) and before.next_step == "wait"
    [after] = overview.year_at_a_glance(db, now=datetime(2031, 2, 3, 9))
    assert after.overdue == 3 and after.next_step == "draw"
    [late] = overview.year_at_a_glance(db, now=datetime(2031, 4, 1, 9))
    assert late.next_step == "close" and late.next_chaser is None
    assert cycle.status == "open"


def test_the_manager_home_shows_each_figure_linked_to_its_list(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle = _cycle(db, date(2099, 1, 30))
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    home = page(client.get(url_for(app, "manager.home")))
    assert home.select_one("#rate-2030-31").get_text(strip=True) == "25% (1 of 4)"
    dashboard = url_for(app, "cycles.dashboard", cycle_id=cycle.id)
    overdue = home.select_one(f'a[href="{dashboard}?status=overdue#returns"]')
    at_risk = home.select_one(f'a[href="{dashboard}?status=at_risk#returns"]')
    assert overdue is not None and overdue.get_text(strip=True) == "Overdue"
    assert at_risk is not None and at_risk.get_text(strip=True) == "At risk of a Chair meeting"
    assert home.select_one("#visits-2030-31").get_text(strip=True) == "Sample not drawn"
    assert "Nothing is due: returns are coming in" in visible_text(home)
