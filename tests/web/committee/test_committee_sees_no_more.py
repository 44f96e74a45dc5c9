"""The committee sees what it needs, no more: a walk over every page and download it can reach
finds no draft cycle and no contact's email address; the comparison picker offers returners only."""

from __future__ import annotations

import re
from collections import deque
from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services import cycles
from portal.services.reporting import close_and_publish
from tests.support import factories, page, sign_in, url_for, visible_text

LINK = re.compile(r'href="(/[^"#]*)"')
TEXT_TYPES = ("text/html", "text/csv", "application/json", "text/markdown", "text/plain")
DRAFT = "2031-32"
MAX_PAGES = 250


def _partnership(db: Session) -> list[str]:
    """A closed cycle (one non-returner), an open one and a draft; every contact's address."""
    names = ["Riverside Youth Club", "Abbey Surgery", "Hillside School", "Oak Nursery"]
    agencies = [factories.agency(db, name, cohort="B",
                                 email=f"lead.{n}@private-contact.example.org")
                for n, name in enumerate(names)]
    closed = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                 now=datetime(2017, 4, 3))
    for r in cycles.open_cycle(db, closed, now=datetime(2017, 4, 3), links=None):
        if r.agency.name != "Riverside Youth Club":
            cycles.mark_submitted(db, r, now=datetime(2017, 6, 1))
    close_and_publish(db, closed, now=datetime(2017, 9, 1))
    factories.agency(db, "Park Football Club", cohort="A",
                     email="lead.park@private-contact.example.org")
    current = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                  now=datetime(2018, 4, 3))
    cycles.open_cycle(db, current, now=datetime(2018, 4, 3), links=None)
    cycles.create_cycle(db, label=DRAFT, cohort="B", deadline=date(2032, 6, 30),
                        now=datetime(2018, 4, 3))
    db.commit()
    return [c.email for a in agencies for c in a.contacts] + ["lead.park@private-contact.example.org"]


def _walk(client: FlaskClient, start: str) -> dict[str, tuple[str, str]]:
    """Every same-site GET page and download reachable from `start`: url -> (type, text)."""
    seen: dict[str, tuple[str, str]] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        sign_out = url_for(client.application, "auth.sign_out")
        if url in seen or url.startswith(("/assets", sign_out, "/static")):
            continue
        response = client.get(url)
        kind = response.mimetype
        text = response.get_data(as_text=True) if kind in TEXT_TYPES else ""
        seen[url] = (f"{response.status_code} {kind}", text)
        if kind == "text/html":
            queue.extend(u.replace("&amp;", "&") for u in LINK.findall(text))
    return seen


def test_the_committee_reaches_no_draft_cycle_and_no_contact_email_on_any_page(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    addresses = _partnership(db)
    committee = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, committee)

    pages = _walk(client, "/")
    assert len(pages) > 20 and any(url.startswith(url_for(app, "cycles.index")) for url in pages)
    assert any(url.startswith(url_for(app, "reports.cycle", label="2017-18")) for url in pages)
    assert any(".csv" in url for url in pages)
    for url, (kind, text) in pages.items():
        assert DRAFT not in text, f"{url} shows the draft cycle"
        for address in addresses:
            assert address not in text, f"{url} ({kind}) shows {address}"
        assert "private-contact.example.org" not in text, url


def test_the_committee_cannot_open_a_draft_cycle_by_its_address(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _partnership(db)
    draft = cycles.get_cycle(db, DRAFT)
    committee = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, committee)
    assert client.get(url_for(app, "cycles.dashboard", cycle_id=draft.id)).status_code == 404
    assert client.get(url_for(app, "reports.cycle", label=DRAFT)).status_code == 404
    assert client.get(url_for(app, "reports.download", label=DRAFT, fmt="json")).status_code == 404


def test_the_agency_comparison_picker_offers_only_agencies_that_returned(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _partnership(db)
    committee = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, committee)
    page = client.get(url_for(app, "reports.cycle", label="2017-18")).get_data(as_text=True)
    picker = page.split('name="agency"')[1].split("</select>")[0]
    assert "Abbey Surgery" in picker and "Hillside School" in picker
    assert "Riverside Youth Club" not in picker


def test_the_committee_home_says_which_reports_are_published_and_which_are_provisional(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    _partnership(db)
    committee = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, committee)
    rows = {row.th.get_text(" ", strip=True): visible_text(row)
            for row in page(client.get(url_for(app, "committee.home"))).select("tbody tr")}
    assert set(rows) == {"MESC report 2017-18", "MESC report 2018-19"}
    assert "Published 1 September 2017" in rows["MESC report 2017-18"]
    assert "Provisional figures" in rows["MESC report 2018-19"]
    assert "Published" not in rows["MESC report 2018-19"]
