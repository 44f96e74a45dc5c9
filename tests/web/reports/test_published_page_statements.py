"""A closed cycle's report page reads its published version, not a recount: "what changed since
publication" is kept per (published version, data state), so a second view of an unchanged
cycle sends no report query and no more statements than the live page of the same cycle did;
a real change after publication (a reopened return) is still reported on the next view."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import Role
from portal.services.reporting import close_and_publish
from tests.support import factories, report_fixture, sign_in, statements, submit_form, url_for
from tests.support.cycle_pages import text_of
from tests.support.report_fixture import AFTER, CURRENT


def _view(app: Flask, client: FlaskClient) -> tuple[list[str], str]:
    with statements(get_db(app).engine) as ran:
        response = client.get(url_for(app, "reports.cycle", label=CURRENT))
    assert response.status_code == 200
    return ran, text_of(response.get_data(as_text=True))


def _recounts(ran: list[str]) -> list[str]:
    """The statements that count the report: every one reads the answers table."""
    return [sql for sql in ran if "answers" in sql.lower()]


def test_a_published_report_page_costs_at_most_a_live_one_and_still_shows_a_change(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    known = report_fixture.build(db, tool)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    live, _ = _view(app, client)
    assert _recounts(live)  # the open cycle's page counts its report

    close_and_publish(db, known.cycle, now=AFTER)
    db.commit()
    _view(app, client)  # the first view of this data state compares once
    published, page = _view(app, client)
    assert _recounts(published) == []
    assert len(published) <= len(live)
    assert not any("published_figures.report" in sql for sql in published)  # decoded once
    assert "the figures have changed" not in page
    assert _view(app, client)[0] == published  # constant from view to view

    reopen = url_for(app, "manager_returns.reopen", return_id=known.returns["H1"].id)
    done = submit_form(client, reopen, {"reason": "H1 asked to correct its grades",
                                        "understood": "y", "republish": "keep"})
    assert done.status_code == 302
    changed, page = _view(app, client)
    assert "Since the report was published, the figures have changed" in page
    assert "Returns received: 6 then, 5 now" in page
    assert _recounts(changed)  # a new data state is compared once ...
    again, page = _view(app, client)
    assert _recounts(again) == [] and len(again) == len(published)  # ... and then kept
    assert "Returns received: 6 then, 5 now" in page


def test_the_republish_page_compares_afresh(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    known = report_fixture.build(db, tool)
    close_and_publish(db, known.cycle, now=AFTER)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    _view(app, client)
    with statements(get_db(app).engine) as ran:
        page = client.get(url_for(app, "reports.republish", label=CURRENT))
    assert _recounts(ran)
    assert "nothing to republish" in text_of(page.get_data(as_text=True))
