"""The manager's home is the year at a glance: each open cycle's figures, each linked to the list
behind it, and the next thing to do."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import CycleStatus, Escalation, Recommendation, Role, VisitStatus
from portal.services import cycles, overview
from tests.support import factories, moderation_factories, page, sign_in, url_for, visible_text


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
    [before] = overview.year_at_a_glance(db, now=datetime(2031, 1, 10, 9)).cycles
    assert (before.issued, before.submitted, before.overdue) == (4, 1, 0)
    assert before.next_chaser == date(2031, 1, 17) and before.next_step == "wait"
    [after] = overview.year_at_a_glance(db, now=datetime(2031, 2, 3, 9)).cycles
    assert after.overdue == 3 and after.next_step == "draw"
    [late] = overview.year_at_a_glance(db, now=datetime(2031, 4, 1, 9)).cycles
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


def test_on_31_march_the_home_shows_the_closed_cycles_overdue_outcomes(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    """The case of issue 27: 3 visits "Outcome overdue" on the moderation page, 0 on the home."""
    visits, manager = moderation_factories.drawn(db, {"Health": 20, "Statutory": 10})
    cycle = visits[0].sample.cycle
    cycle.status, cycle.closed_at = CycleStatus.CLOSED.value, datetime(2018, 3, 2, 9)
    for day, visit in enumerate(visits[:3], start=27):
        visit.status, visit.starts_at = VisitStatus.SCHEDULED.value, datetime(2018, 3, day, 10)
    db.commit()
    sign_in(client, manager)
    home = page(client.get(url_for(app, "manager.home")))
    assert "No cycle is open" not in visible_text(home)
    moderation_url = url_for(app, "moderation_admin.cycle", label=cycle.label)
    assert home.select_one("#outcomes-2017-18").get_text(strip=True) == "3"
    row = home.select_one("#outcomes-2017-18").find_parent("tr")
    assert row.select_one("a")["href"] == moderation_url
    assert home.select_one("#next-2017-18 a")["href"] == moderation_url
    moderation_page = page(client.get(moderation_url))
    assert "3 visits have passed without an outcome" in visible_text(moderation_page)


def test_a_closed_cycle_shows_every_phase_with_a_link_to_its_next_action(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle = _cycle(db, date(2031, 1, 31))
    cycle.status = CycleStatus.CLOSED.value
    returns = sorted(cycle.returns, key=lambda r: r.id)
    db.add(Escalation(cycle_id=cycle.id, return_id=returns[1].id, agency_id=returns[1].agency_id,
                      chair_meeting_required=True))
    db.add(Recommendation(cycle_id=cycle.id, text="Train staff", owner_kind="committee",
                          owner_name="MESC", due_on=date(2020, 3, 1)))
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    home = page(client.get(url_for(app, "manager.home")))
    figures = {row.select_one("th").get_text(strip=True): (row.select_one("td").get_text(strip=True),
                                                          row.select_one("a")["href"])
               for row in home.select("#glance-2030-31 tbody tr")}
    assert figures["Moderation sample"] == (
        "Not drawn", url_for(app, "moderation_admin.draw", label="2030-31"))
    assert figures["Chair meetings to hold"] == (
        "1", url_for(app, "cycles.escalations_page", cycle=cycle.id, open="yes"))
    assert figures["Recommendations past their due date"] == (
        "1", url_for(app, "recommendations.index"))
    assert figures["Report"] == ("Not published", url_for(app, "reports.cycle", label="2030-31"))
    assert home.select_one("#requests-open").get_text(strip=True) == "0"
    assert home.select_one("#next-2030-31").get_text(" ", strip=True) == (
        "Next: Arrange and record the Chair meetings")
