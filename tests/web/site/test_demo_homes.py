"""Signing in to the demo as each README account: every home page offers a next action.

The demo is loaded at the app's clock (as `make run` does), so the pages read it as today.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Cycle, CycleStatus, User, utcnow
from portal.services.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from tests.support import empty_for_a_load, page, sign_in, url_for, visible_text
from tests.support.snapshots import restore_or_build


@pytest.fixture
def demo_today(app: Flask, db: Session) -> None:
    """The demo told at the app's clock, loaded once per process and day, then copied."""
    now = utcnow()

    def build() -> None:
        empty_for_a_load(app, db)
        load_demo(db, now=now)
        db.commit()

    restore_or_build(db, ("demo today", now.date()), build, password=DEMO_PASSWORD)


def _home(app: Flask, client: FlaskClient, db: Session, local: str) -> BeautifulSoup:
    user = db.scalar(select(User).where(User.email == f"{local}@{DEMO_DOMAIN}"))
    assert user is not None
    sign_in(client, user, DEMO_PASSWORD)
    response = client.get(url_for(app, "auth.index"), follow_redirects=True)
    assert response.status_code == 200
    return page(response)


def _last_closed(db: Session) -> Cycle:
    cycle = db.scalars(select(Cycle).where(Cycle.status == CycleStatus.CLOSED.value)
                       .order_by(Cycle.deadline.desc())).first()
    assert cycle is not None
    return cycle


@pytest.mark.usefixtures("demo_today")
def test_the_manager_s_home_names_a_next_action(app: Flask, client: FlaskClient, db: Session) -> None:
    home = _home(app, client, db, "manager")
    steps = [visible_text(p) for p in home.select("p[id^=next-]")]
    assert steps and any("Nothing is due" not in step for step in steps), steps
    assert home.select_one(f"#next-{_last_closed(db).label} a") is not None
    assert home.select_one("#requests-open") is not None
    assert visible_text(home.select_one("#requests-open")) != "0"  # type: ignore[arg-type]


@pytest.mark.usefixtures("demo_today")
def test_member1_has_a_visit_to_come(app: Flask, client: FlaskClient, db: Session) -> None:
    home = _home(app, client, db, "member1")
    rows = home.select("#upcoming tbody tr")
    assert rows, visible_text(home)
    assert any(row.find("a") is not None for row in rows)


@pytest.mark.usefixtures("demo_today")
@pytest.mark.parametrize("local", ["voluntary", "agency", "agency2"])
def test_the_agency_users_have_a_return_to_continue(app: Flask, client: FlaskClient, db: Session,
                                                     local: str) -> None:
    home = _home(app, client, db, local)
    to_do = home.select_one("#to-do")
    assert to_do is not None
    links = [visible_text(a) for a in to_do.select("a")]
    assert any(text.startswith("Continue") for text in links), links
    if local.startswith("agency"):  # the Chair's request went to every school
        assert to_do.select_one("#open-requests") is not None


@pytest.mark.usefixtures("demo_today")
def test_the_committee_has_a_published_report_to_read(app: Flask, client: FlaskClient,
                                                      db: Session) -> None:
    home = _home(app, client, db, "mesc")
    label = _last_closed(db).label
    link = home.find("a", string=f"MESC report {label}")
    assert link is not None, visible_text(home)
    report = page(client.get(str(link["href"])))
    assert report.select_one("#published") is not None
