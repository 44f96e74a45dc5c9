"""The cycle dashboard: every figure equals an independent count; query count flat in agencies."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.filters import govuk_datetime, percent
from portal.models import Agency, Chaser, Contact, Cycle, Return, ReturnStatus, Role, Sector
from portal.services import cycles
from tests.support import csrf_from, factories, page, sign_in, url_for
from tests.support.cycle_pages import figures, tables, text_of

SECTORS = ["Statutory", "Health", "GP practices", "Schools and colleges", "Early years",
           "Voluntary and community", "Faith groups"]
STATUSES = [s.value for s in ReturnStatus]
OPENED = datetime(2018, 4, 3, 9, 0)


@dataclass
class Planned:
    """What the test put in the database for one return, to count independently."""

    agency: Agency
    sector: str
    status: str
    carried_over: bool
    last_activity: datetime | None
    chasers: list[datetime]


def _cycle(db: Session, label: str, deadline: date) -> Cycle:
    cycle = cycles.create_cycle(db, label=label, cohort="A", deadline=deadline, now=OPENED)
    cycles.open_cycle(db, cycle, now=OPENED, links=None)
    return cycle


def _arrange(db: Session, *, agencies: int, seed: int = 4) -> tuple[Cycle, list[Planned]]:
    """A previous cycle (3 of 4 returned) and this cycle, with a random mix of everything."""
    rng = random.Random(seed)
    old = [factories.agency(db, sector_name=SECTORS[i % len(SECTORS)]) for i in range(4)]
    previous = _cycle(db, "2017-18", date(2017, 6, 30))
    returned = {a.id for a in old[:3]}  # by agency, not list order (names sort as text)
    for r in previous.returns:
        if r.agency_id in returned:
            r.status = ReturnStatus.SUBMITTED.value
    previous.status = "closed"
    for a in old:
        a.cohort = "B"
    old[3].active = False  # the one non-returner closed down: nobody is carried over
    made = [factories.agency(db, sector_name=rng.choice(SECTORS)) for _ in range(agencies)]
    cycle = _cycle(db, "2018-19", date(2018, 6, 29))
    by_agency = {r.agency_id: r for r in cycle.returns}
    plan = []
    for agency in made:
        r = by_agency[agency.id]
        r.status = rng.choice(STATUSES)
        r.carried_over = rng.random() < 0.2
        r.last_activity_at = (None if r.status == "not_started"
                              else OPENED + timedelta(days=rng.randint(1, 60), minutes=7))
        chasers = [OPENED + timedelta(days=d) for d in sorted(rng.sample(range(5, 80), 2))
                   ][: rng.randint(0, 2)]
        for n, at in enumerate(chasers):
            db.add(Chaser(return_id=r.id, stage_code=f"stage{n}", recorded_at=at))
        plan.append(Planned(agency, agency.sector.name, r.status, r.carried_over,
                            r.last_activity_at, chasers))
    db.commit()
    return cycle, plan


def _expected(plan: list[Planned], *, past_deadline: bool) -> dict[str, Any]:
    statuses = Counter(p.status for p in plan)
    submitted = statuses["submitted"]
    return {
        "issued": len(plan), "not_started": statuses["not_started"],
        "in_progress": statuses["in_progress"] + statuses["reopened"], "submitted": submitted,
        "overdue": len(plan) - submitted if past_deadline else 0,
        "carried_over": sum(p.carried_over for p in plan), "rate": submitted / len(plan),
        "at_risk": sum(p.carried_over and p.status != "submitted" for p in plan),
    }


def test_dashboard_service_counts_equal_independent_counts(db: Session, tool: Any) -> None:
    cycle, plan = _arrange(db, agencies=60)
    for now, past in ((datetime(2018, 6, 29, 17), False), (datetime(2018, 6, 30, 9), True)):
        data = cycles.build_dashboard(db, cycle, now=now)
        expected = _expected(plan, past_deadline=past)
        t = data.totals
        assert {"issued": t.issued, "not_started": t.not_started, "in_progress": t.in_progress,
                "submitted": t.submitted, "overdue": data.overdue,
                "carried_over": t.carried_over, "rate": t.rate, "at_risk": t.at_risk} == expected
    non_returners = Counter(p.sector for p in plan if p.status != "submitted")
    total_non = sum(non_returners.values())
    for s in data.sectors:
        mine = [p for p in plan if p.sector == s.name]
        assert s.counts.issued == len(mine)
        assert s.counts.submitted == sum(p.status == "submitted" for p in mine)
        assert s.share_of_non_returners == non_returners[s.name] / total_non
    assert [(h.label, h.issued, h.submitted) for h in data.history] == [
        ("2017-18", 4, 3), ("2018-19", len(plan), _expected(plan, past_deadline=True)["submitted"])]


def test_dashboard_page_shows_independently_counted_figures(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle, plan = _arrange(db, agencies=60)
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    html = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id)).get_data(as_text=True)
    expected = _expected(plan, past_deadline=True)  # the page uses the real clock: 2018 is past
    assert figures(html) == {
        "Issued": str(expected["issued"]), "Not started": str(expected["not_started"]),
        "In progress": str(expected["in_progress"]), "Submitted": str(expected["submitted"]),
        "Overdue": str(expected["overdue"]),
        "Carried over from last cycle": str(expected["carried_over"]),
        "At risk of a Chair meeting": str(expected["at_risk"]),
        "Return rate": percent(expected["rate"]),
    }
    non_returners = Counter(p.sector for p in plan if p.status != "submitted")
    total_non = sum(non_returners.values())
    sector_rows = {row[0]: row[1:] for row in tables(html)["sectors"][1:]}
    for sector in {p.sector for p in plan}:
        mine = [p for p in plan if p.sector == sector]
        submitted = sum(p.status == "submitted" for p in mine)
        assert sector_rows[sector] == [
            str(len(mine)), str(submitted), percent(submitted / len(mine)),
            str(len(mine) - submitted), percent(non_returners[sector] / total_non)]
    top, count = max(non_returners.items(), key=lambda kv: (kv[1], -SECTORS.index(kv[0])))
    assert (f"{percent(count / total_non)} of non-returners ({count} of {total_non}) are in the "
            f"{top} sector.") in text_of(html)
    history = tables(html)["history"][1:]
    assert history == [
        ["2017-18", "4", "3", percent(3 / 4)],
        ["2018-19 (this cycle)", str(len(plan)), str(expected["submitted"]),
         percent(expected["rate"])]]


def test_return_list_filters_and_shows_contact_last_chaser_and_activity(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle, plan = _arrange(db, agencies=60)
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, user)
    sectors = {s.name: s.id for s in db.query(Sector)}

    def listed(query: str) -> list[list[str]]:
        dashboard = url_for(app, "cycles.dashboard", cycle_id=cycle.id)
        html = client.get(dashboard, query_string=query).get_data(as_text=True)
        return tables(html).get("return-list", [[]])[1:]

    rows = {row[0]: row for row in listed("")}
    assert len(rows) == len(plan)
    for p in plan:
        row = rows[p.agency.name]
        contact = p.agency.primary_contact
        assert contact is not None
        assert row[3] == contact.name  # the committee never sees a contact's email address
        assert row[4] == (govuk_datetime(max(p.chasers)) if p.chasers else "None")
        assert row[5] == (govuk_datetime(p.last_activity) if p.last_activity else "None")
        assert ("Carried over" in row[2]) == p.carried_over
        assert ("Overdue" in row[2]) == (p.status != "submitted")
    cases = {
        "status=submitted": [p for p in plan if p.status == "submitted"],
        "status=in_progress": [p for p in plan if p.status in ("in_progress", "reopened")],
        "status=overdue": [p for p in plan if p.status != "submitted"],
        "carried=yes": [p for p in plan if p.carried_over],
        "carried=no&status=not_started": [p for p in plan
                                          if not p.carried_over and p.status == "not_started"],
        f"sector={sectors['Voluntary and community']}&status=not_submitted": [
            p for p in plan if p.sector == "Voluntary and community" and p.status != "submitted"],
    }
    for query, wanted in cases.items():
        assert sorted(r[0] for r in listed(query)) == sorted(p.agency.name for p in wanted), query


def test_committee_members_see_the_dashboard_read_only(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle, _ = _arrange(db, agencies=5)
    user = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, user)
    home = page(client.get(url_for(app, "committee.home")))
    assert home.select_one(f'a[href="{url_for(app, "cycles.index")}"]') is not None
    dashboard = client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id))
    assert dashboard.status_code == 200
    assert "Close this cycle" not in dashboard.get_data(as_text=True)
    assert "Create a cycle" not in client.get(url_for(app, "cycles.index")).get_data(as_text=True)
    assert client.get(url_for(app, "cycles.escalations_page")).status_code == 200
    assert client.get(url_for(app, "cycles.escalations_csv")).status_code == 200
    for url in (url_for(app, "cycles.new"), url_for(app, "cycles.close", cycle_id=cycle.id),
                url_for(app, "cycles.preview", cycle_id=cycle.id)):
        assert client.get(url).status_code == 403, url
    # a valid form's token
    token = csrf_from(client.get(url_for(app, "auth.sign_out")).get_data(as_text=True))
    status = cycle.status
    for action in ("close", "open"):
        refused = client.post(url_for(app, f"cycles.{action}", cycle_id=cycle.id), data={"csrf_token": token})
        assert refused.status_code == 403, action  # refused for the role, not for the form
    db.expire_all()
    assert db.scalar(select(Cycle.status).where(Cycle.id == cycle.id)) == status


def test_agency_users_cannot_see_the_dashboard(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle, plan = _arrange(db, agencies=3)
    user = factories.user(db, Role.AGENCY, agency=plan[0].agency)
    db.commit()
    sign_in(client, user)
    assert client.get(url_for(app, "cycles.dashboard", cycle_id=cycle.id)).status_code == 403
    assert client.get(url_for(app, "cycles.escalations_csv")).status_code == 403


def _bulk_cycle(db: Session, label: str, agencies: int, deadline: date) -> Cycle:
    """A cycle with `agencies` returns in a spread of statuses, chased and active."""
    health = factories.sector(db, "Health")
    voluntary = factories.sector(db, "Voluntary and community")
    made = []
    for n in range(agencies):
        agency = Agency(name=f"{label} agency {n}", sector=voluntary if n % 3 else health,
                        cohort="A", variant="full")
        agency.contacts = [Contact(name=f"Lead {n}", email=f"{n}@{label}.example.org")]
        made.append(agency)
    db.add_all(made)
    cycle = cycles.create_cycle(db, label=label, cohort="B", deadline=deadline, now=OPENED)
    cycle.status = "open"
    returns = [Return(cycle=cycle, agency=a, variant="full", status=STATUSES[n % 4],
                      carried_over=n % 5 == 0, last_activity_at=OPENED)
               for n, a in enumerate(made)]
    db.add_all(returns)
    db.flush()
    db.add_all([Chaser(return_id=r.id, stage_code="before", recorded_at=OPENED) for r in returns])
    db.commit()
    return cycle


@contextmanager
def _counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_dashboard_query_count_does_not_grow_with_agencies(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    small = _bulk_cycle(db, "small", 50, date(2018, 6, 29))
    large = _bulk_cycle(db, "large", 1000, date(2019, 6, 28))
    user = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, user)
    counts = {}
    for name, cycle in (("small", small), ("large", large)):
        dashboard = url_for(app, "cycles.dashboard", cycle_id=cycle.id)
        for query in ("", "?status=overdue&carried=yes&page=2", "?sector=1&status=in_progress"):
            client.get(dashboard, query_string=query[1:])  # warm up: same pool state for both
            with _counting(app) as statements:
                response = client.get(dashboard, query_string=query[1:])
            assert response.status_code == 200
            counts[name, query] = len(statements)
    for query in ("", "?status=overdue&carried=yes&page=2", "?sector=1&status=in_progress"):
        assert counts["small", query] == counts["large", query], counts
    assert max(counts.values()) <= 10, counts
    large_page = client.get(url_for(app, "cycles.dashboard", cycle_id=large.id)).get_data(as_text=True)
    assert figures(large_page)["Issued"] == "1000"
    assert len(tables(large_page)["return-list"]) == 1 + cycles.LIST_PAGE_SIZE
