"""N+1 guards: the statements a page or a job sends must not grow with the number of agencies.

Each test builds the same situation at 10 and at 200 agencies (with `flask demo generate`'s bulk
generator) and compares the statements counted on the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, event, insert, select

from portal.db import get_db
from portal.models import DEFAULT_SECTORS, Cycle, Return, Role, Sector, User
from portal.services import chasers, cycles
from portal.services.accounts import LinkSettings
from portal.services.common import add_working_days
from portal.services.demo import generate_partnership
from portal.services.reporting import sector_report
from tests.support import TABLES_TO_CLEAN, factories, sign_in, url_for
from tests.support.returns_helpers import answers_form, codes_by_standard, post_standard

SIZES = (10, 200)
NOW = datetime(2026, 11, 2, 9)
DEADLINE = date(2027, 1, 29)
LINKS = LinkSettings(secret_key="k" * 40, base_url="http://portal.test", hours=72,
                     partnership="Test Partnership", help_email="help@example.org")


@contextmanager
def counted(app: Flask) -> Iterator[list[int]]:
    """Statements sent on the app's engine inside the block."""
    count = [0]

    def seen(*_: Any) -> None:
        count[0] += 1

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def _reset(app: Flask) -> None:
    with get_db(app).transaction() as session:
        for table in TABLES_TO_CLEAN:
            session.execute(delete(table))
        session.execute(delete(Sector))
        session.execute(insert(Sector), [{"name": n, "position": i}
                                         for i, n in enumerate(DEFAULT_SECTORS, 1)])


def _partnership(app: Flask, size: int, *, open_cycle: bool = True) -> None:
    """`size` agencies, two closed cycles, and (optionally) an open 2026-27 for cohort A."""
    with get_db(app).transaction() as session:
        generate_partnership(session, agencies=size, cycles=2, seed=size, now=NOW)
        cycle = cycles.create_cycle(session, label="2026-27", cohort="A", deadline=DEADLINE, now=NOW)
        if open_cycle:
            cycles.open_cycle(session, cycle, now=NOW, links=LINKS)


def _per_size(app: Flask, arrange: Callable[[int], Any], measure: Callable[[Any], None]) -> list[int]:
    counts = []
    for size in SIZES:
        _reset(app)
        arranged = arrange(size)
        with counted(app) as count:
            measure(arranged)
        counts.append(count[0])
    return counts


def _manager(app: Flask) -> Any:
    with get_db(app).transaction() as session:
        return factories.user(session, Role.MANAGER).id


def _agency_user(app: Flask) -> tuple[int, int]:
    """An agency user of the open cycle's first return: (user id, return id)."""
    with get_db(app).transaction() as session:
        return_ = session.scalars(select(Return).join(Cycle).where(Cycle.label == "2026-27")
                                  .order_by(Return.id)).first()
        assert return_ is not None
        user = factories.user(session, Role.AGENCY, agency=return_.agency)
        return user.id, return_.id


def _signed_in(app: Flask, user_id: int) -> Any:
    client = app.test_client()
    with get_db(app).sessionmaker() as session:
        sign_in(client, session.get(User, user_id))  # type: ignore[arg-type]
    return client


def test_cycle_dashboard_queries_do_not_grow_with_agencies(app: Flask) -> None:
    def arrange(size: int) -> tuple[Any, int]:
        _partnership(app, size)
        client = _signed_in(app, _manager(app))
        with get_db(app).sessionmaker() as session:
            cycle_id = session.scalar(select(Cycle.id).where(Cycle.label == "2026-27"))
        client.get(url_for(app, "cycles.dashboard", cycle_id=cycle_id))  # warm the app's caches
        return client, int(cycle_id or 0)

    counts = _per_size(app, arrange, lambda a: _ok(a[0].get(url_for(app, "cycles.dashboard", cycle_id=a[1]))))
    assert counts[0] == counts[1], counts


def test_manager_home_queries_do_not_grow_with_agencies(app: Flask) -> None:
    """The year at a glance: an open cycle and two closed ones, their samples and visits."""
    def arrange(size: int) -> Any:
        _partnership(app, size)
        client = _signed_in(app, _manager(app))
        client.get(url_for(app, "manager.home"))  # warm the app's caches (and chaser stages)
        return client

    counts = _per_size(app, arrange, lambda client: _ok(client.get(url_for(app, "manager.home"))))
    assert counts[0] == counts[1], counts


def test_task_list_and_save_queries_do_not_grow_with_agencies(app: Flask) -> None:
    def arrange(size: int) -> tuple[Any, int, dict[str, str]]:
        _partnership(app, size)
        user_id, return_id = _agency_user(app)
        client = _signed_in(app, user_id)
        client.get(url_for(app, "agency.return_page", return_id=return_id))
        with get_db(app).sessionmaker() as session:
            tool = session.scalar(select(Cycle).where(Cycle.label == "2026-27")).tool_version  # type: ignore[union-attr]
            variant = session.get(Return, return_id).variant  # type: ignore[union-attr]
            data = answers_form(codes_by_standard(tool, variant)["1"])
        return client, return_id, data

    pages = _per_size(app, arrange, lambda a: _ok(a[0].get(url_for(app, "agency.return_page",
                                                                   return_id=a[1]))))
    assert pages[0] == pages[1], pages
    saves = _per_size(app, arrange, lambda a: _redirected(post_standard(
        a[0], url_for(app, "agency.standard", return_id=a[1], code="1"), a[2])))
    assert saves[0] == saves[1], saves


def test_report_data_queries_do_not_grow_with_agencies(app: Flask) -> None:
    def arrange(size: int) -> None:
        _partnership(app, size, open_cycle=False)

    def measure(_: None) -> None:
        with get_db(app).sessionmaker() as session:
            latest = session.scalars(select(Cycle.label).where(Cycle.status == "closed")
                                     .order_by(Cycle.id.desc())).first()
            sector_report(session, cycle_label=str(latest))

    counts = _per_size(app, arrange, measure)
    assert counts[0] == counts[1], counts


def test_chaser_run_queries_do_not_grow_with_agencies(app: Flask) -> None:
    stage_day = datetime.combine(add_working_days(DEADLINE, -10), datetime.min.time()) + timedelta(hours=9)

    def measure(_: None) -> None:
        with get_db(app).transaction() as session:
            run = chasers.send_due_chasers(session, now=stage_day, links=LINKS)
        assert run.sent

    counts = _per_size(app, lambda size: _partnership(app, size), measure)
    assert counts[0] == counts[1], counts


def test_opening_a_cycle_queries_do_not_grow_with_agencies(app: Flask) -> None:
    def measure(_: None) -> None:
        with get_db(app).transaction() as session:
            cycle = cycles.get_cycle(session, "2026-27")
            assert cycles.open_cycle(session, cycle, now=NOW, links=LINKS)

    counts = _per_size(app, lambda size: _partnership(app, size, open_cycle=False), measure)
    assert counts[0] == counts[1], counts


def _ok(response: Any) -> None:
    assert response.status_code == 200, response.status_code


def _redirected(response: Any) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture(autouse=True)
def _clean_after(app: Flask) -> Iterator[None]:
    yield
    _reset(app)
