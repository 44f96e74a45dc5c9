"""Reopening a closed cycle's return really lets the agency change and resubmit it (issue 22):
only that return of the cycle opens, and resubmitting it republishes the cycle's figures or
keeps those published, as the manager chose when reopening it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, AuditEvent, PublishedReport, Return, ReturnStatus, Role, User
from portal.services import cycles
from portal.services.reporting import close_and_publish, current_json, unpublished_changes
from portal.services.returns import AnswerInput, StandardInput, standard_parts, write_standard
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.returns_helpers import (
    answers_form,
    codes_by_standard,
    post_standard,
    slug,
    text_of,
)

LABEL = "2017-18"


@dataclass
class Closed:
    cycle: Any
    abbey: Return  # submitted, to be reopened
    hillside: Return  # submitted, stays locked
    abbey_lead: User
    hillside_lead: User
    manager: User
    codes: dict[str, list[str]]


def _answered(db: Session, return_: Return) -> None:
    for part in standard_parts(db, return_):
        write_standard(db, return_, part, StandardInput(
            [AnswerInput(q.code, "good") for q in part.questions], "Policy and minutes"),
            user_id=None, now=datetime(2017, 5, 1))
    cycles.mark_submitted(db, return_, now=datetime(2017, 6, 1))


@pytest.fixture
def closed(db: Session, tool: Any) -> Closed:
    """2017-18, cohort B, closed and published: Abbey Surgery and Hillside Football Club
    returned (every answer good), Riverside Youth Club did not."""
    agencies: dict[str, Agency] = {name: factories.agency(db, name, cohort="B") for name in
                                   ("Abbey Surgery", "Hillside Football Club",
                                    "Riverside Youth Club")}
    cycle = cycles.create_cycle(db, label=LABEL, cohort="B", deadline=date(2017, 6, 30),
                                now=datetime(2017, 4, 3))
    issued = {r.agency.name: r for r in cycles.open_cycle(db, cycle, now=datetime(2017, 4, 3),
                                                          links=None)}
    _answered(db, issued["Abbey Surgery"])
    _answered(db, issued["Hillside Football Club"])
    close_and_publish(db, cycle, now=datetime(2017, 9, 1))
    found = Closed(cycle, issued["Abbey Surgery"], issued["Hillside Football Club"],
                   factories.user(db, Role.AGENCY, agency=agencies["Abbey Surgery"]),
                   factories.user(db, Role.AGENCY, agency=agencies["Hillside Football Club"]),
                   factories.user(db, Role.MANAGER), codes_by_standard(tool, "full"))
    db.commit()
    return found


def _reopen(client: FlaskClient, closed: Closed, choice: str) -> None:
    sign_in(client, closed.manager)
    url = url_for(client.application, "manager_returns.reopen", return_id=closed.abbey.id)
    assert "When the agency submits the return again" in text_of(client.get(url))
    done = submit_form(client, url, {"reason": "Standard 1 graded in error", "understood": "y",
                                     "republish": choice})
    assert done.status_code == 302, text_of(done)[:2000]
    submit_form(client, url_for(client.application, "auth.sign_out"), {})


def _change_and_resubmit(client: FlaskClient, closed: Closed) -> None:
    """The agency finds its reopened return on its home page, grades a question of standard 1
    inadequate (a weak answer: the report's figures change), submits it again."""
    sign_in(client, closed.abbey_lead)
    base = url_for(client.application, "agency.return_page", return_id=closed.abbey.id)
    assert f'href="{base}"' in client.get(url_for(client.application, "agency.home")).get_data(as_text=True)
    first = slug(closed.codes["1"][0])
    saved = post_standard(client, f"{base}/standards/1", answers_form(
        closed.codes["1"], "good", "Policy, minutes, audit", **{
            f"grade-{first}": "inadequate", f"what-{first}": "Appoint a lead",
            f"who-{first}": "Practice manager", f"by-{first}-day": "31",
            f"by-{first}-month": "3", f"by-{first}-year": "2018"}))
    assert saved.status_code == 302, text_of(saved)[:2000]
    submitted = post_standard(client, f"{base}/check", {"name": "Ali Khan", "role": "DSL"})
    assert submitted.status_code == 302, text_of(submitted)[:3000]
    assert submitted.headers["Location"].endswith(f"{base}/submitted")


def _versions(db: Session, closed: Closed) -> list[PublishedReport]:
    db.expire_all()
    return list(db.scalars(select(PublishedReport).where(PublishedReport.cycle_id ==
                                                         closed.cycle.id)
                           .order_by(PublishedReport.version)))


def test_a_reopened_return_resubmitted_republishes_the_figures_when_the_manager_chose_so(
    client: FlaskClient, db: Session, closed: Closed
) -> None:
    published_before = _versions(db, closed)[0].content
    _reopen(client, closed, "republish")
    _change_and_resubmit(client, closed)

    db.expire_all()
    abbey = db.get(Return, closed.abbey.id)
    assert abbey is not None and abbey.status == ReturnStatus.SUBMITTED.value
    first, second = _versions(db, closed)
    assert first.content == published_before
    assert second.content == current_json(db, closed.cycle) != published_before
    assert second.reason.startswith("Abbey Surgery's return was reopened on ")
    assert "(Standard 1 graded in error) and submitted again" in second.reason
    assert second.changes
    assert unpublished_changes(db, closed.cycle) == []
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "return.submitted"))
    assert event is not None and event.detail["republished_version"] == 2
    assert abbey.republish_on_resubmit is None  # acted on once


def test_a_reopened_return_resubmitted_keeps_the_published_figures_when_the_manager_chose_so(
    app: Flask, client: FlaskClient, db: Session, closed: Closed
) -> None:
    published_before = _versions(db, closed)[0].content
    _reopen(client, closed, "keep")
    _change_and_resubmit(client, closed)

    [only] = _versions(db, closed)
    assert only.content == published_before
    assert unpublished_changes(db, closed.cycle)  # changed, for a manager to republish later
    submit_form(client, url_for(app, "auth.sign_out"), {})
    sign_in(client, closed.manager)
    shown = client.get(url_for(app, "reports.download", label=LABEL, fmt="json")).get_data(as_text=True)
    assert json.loads(shown) == json.loads(published_before)


def test_only_the_reopened_return_of_the_closed_cycle_can_change(
    app: Flask, client: FlaskClient, db: Session, closed: Closed
) -> None:
    _reopen(client, closed, "keep")
    riverside = db.scalar(select(Return).where(Return.cycle_id == closed.cycle.id,
                                               Return.status != ReturnStatus.SUBMITTED.value,
                                               Return.id != closed.abbey.id))
    assert riverside is not None  # the non-returner's return: still locked by the closed cycle
    lead = factories.user(db, Role.AGENCY, agency=riverside.agency)
    db.commit()
    sign_in(client, lead)
    base = url_for(app, "agency.return_page", return_id=riverside.id)
    saved = post_standard(client, f"{base}/standards/1", answers_form(closed.codes["1"]))
    assert saved.status_code == 302
    assert f"The {LABEL} audit is closed" in text_of(client.get(saved.headers["Location"]))
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Answer)
                     .where(Answer.return_id == riverside.id)) == 0
    submit_form(client, url_for(app, "auth.sign_out"), {})

    sign_in(client, closed.hillside_lead)  # a submitted one: a past return, a copy to download
    home = client.get(url_for(app, "agency.home")).get_data(as_text=True)
    assert url_for(app, "agency.pdf", return_id=closed.hillside.id) in home
    assert client.get(url_for(app, "agency.standard", return_id=closed.hillside.id,
                              code="1")).status_code == 302
    db.expire_all()
    hillside = db.get(Return, closed.hillside.id)
    assert hillside is not None and hillside.status == ReturnStatus.SUBMITTED.value


def test_reopening_a_closed_cycles_return_asks_what_resubmitting_does_to_the_figures(
    app: Flask, client: FlaskClient, db: Session, closed: Closed
) -> None:
    sign_in(client, closed.manager)
    url = url_for(app, "manager_returns.reopen", return_id=closed.abbey.id)
    refused = submit_form(client, url, {"reason": "Standard 1 graded in error",
                                        "understood": "y"})
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "Choose what happens to the published figures when the agency submits the return " \
           "again" in text_of(refused)
    assert 'href="#republish"' in html
    db.expire_all()
    abbey = db.get(Return, closed.abbey.id)
    assert abbey is not None and abbey.status == ReturnStatus.SUBMITTED.value
