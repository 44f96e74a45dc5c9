"""Closed cycles stay true: the report is published at close, a reopened return leaves it as it
was until a deliberate republish, which keeps every version; one open cycle per cohort."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, PublishedReport, Return, ReturnStatus, Role
from portal.services import cycles
from portal.services.common import ServiceError
from portal.services.reporting import close_and_publish, current_json
from portal.services.returns import reopen_return
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.cycle_pages import text_of


def _closed_cycle(db: Session) -> Any:
    """2017-18, cohort B: three agencies, two returned; closed and published."""
    for name in ("Riverside Youth Club", "Hillside Football Club", "Abbey Surgery"):
        factories.agency(db, name, cohort="B")
    cycle = cycles.create_cycle(db, label="2017-18", cohort="B", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    returns = cycles.open_cycle(db, cycle, now=datetime(2017, 4, 3), links=None)
    for r in returns:
        if r.agency.name != "Riverside Youth Club":
            cycles.mark_submitted(db, r, now=datetime(2017, 6, 1))
    close_and_publish(db, cycle, now=datetime(2017, 9, 1))
    db.commit()
    return cycle


def _published(client: FlaskClient, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_closing_a_cycle_publishes_its_report_as_version_1(db: Session, tool: Any) -> None:
    cycle = _closed_cycle(db)
    stored = db.scalars(select(PublishedReport)).all()
    assert [(p.cycle_id, p.version) for p in stored] == [(cycle.id, 1)]
    assert stored[0].content == current_json(db, cycle)
    assert json.loads(stored[0].content)["returned"] == 2


def test_reopening_a_closed_cycles_return_leaves_the_published_report_until_a_republish(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    cycle = _closed_cycle(db)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    submitted = db.scalar(select(Return).where(Return.status == ReturnStatus.SUBMITTED.value))
    assert submitted is not None
    reopen_url = url_for(app, "manager_returns.reopen", return_id=submitted.id)
    page = client.get(reopen_url).get_data(as_text=True)
    assert "will not change the published report" in text_of(page)

    refused = submit_form(client, reopen_url, {"reason": "Grades entered in error"})
    assert refused.status_code == 200
    assert "Confirm that you understand the published 2017-18 report" in text_of(
        refused.get_data(as_text=True))
    db.refresh(submitted)
    assert submitted.status == ReturnStatus.SUBMITTED.value

    done = submit_form(client, reopen_url, {"reason": "Grades entered in error",
                                            "understood": "y", "republish": "keep"})
    assert done.status_code == 302
    db.expire_all()
    assert _published(client, url_for(app, "reports.download", label="2017-18", fmt="json"))["returned"] == 2
    report_page = text_of(client.get(url_for(app, "reports.cycle", label="2017-18")).get_data(as_text=True))
    assert "Since the report was published, the figures have changed" in report_page
    assert "Returns received: 2 then, 1 now" in report_page

    republish = submit_form(client, url_for(app, "reports.republish", label="2017-18"),
                            {"reason": "Abbey Surgery's return was reopened"})
    assert republish.status_code == 302
    assert _published(client, url_for(app, "reports.download", label="2017-18", fmt="json"))["returned"] == 1
    assert _published(client, url_for(app, "reports.published_json", label="2017-18",
                                      version=1))["returned"] == 2
    assert _published(client, url_for(app, "reports.published_json", label="2017-18",
                                      version=2))["returned"] == 1
    versions = db.scalars(select(PublishedReport).where(PublishedReport.cycle_id == cycle.id)
                          .order_by(PublishedReport.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].changes.splitlines()[0] == "Returns received: 2 then, 1 now"
    assert versions[1].reason == "Abbey Surgery's return was reopened"
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "report.published",
                                              AuditEvent.user_id == manager.id)) is not None


def test_republishing_unchanged_figures_is_refused(db: Session, tool: Any) -> None:
    from portal.services.reporting import republish

    cycle = _closed_cycle(db)
    with pytest.raises(ServiceError, match="nothing to republish"):
        republish(db, cycle, reason="Just in case", now=datetime(2017, 10, 1))


def test_reopening_a_closed_cycles_return_needs_the_effect_confirmed(
    db: Session, tool: Any
) -> None:
    _closed_cycle(db)
    submitted = db.scalar(select(Return).where(Return.status == ReturnStatus.SUBMITTED.value))
    assert submitted is not None
    with pytest.raises(ServiceError, match="published 2017-18 report"):
        reopen_return(db, submitted, reason="Error", user_id=None, now=datetime(2017, 10, 1))
    reopen_return(db, submitted, reason="Error", user_id=None, now=datetime(2017, 10, 1),
                  effect_confirmed=True, republish=False)
    assert submitted.status == ReturnStatus.REOPENED.value


def test_opening_a_second_cycle_for_a_cohort_whose_cycle_is_open_is_refused(
    db: Session, tool: Any
) -> None:
    factories.agency(db, "Riverside Youth Club", cohort="A")
    first = cycles.create_cycle(db, label="2017-18", cohort="A", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    cycles.open_cycle(db, first, now=datetime(2017, 4, 3), links=None)
    second = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                 now=datetime(2018, 4, 3))
    with pytest.raises(ServiceError, match="previous cycle, 2017-18, is still open"):
        cycles.open_cycle(db, second, now=datetime(2018, 4, 3), links=None)
