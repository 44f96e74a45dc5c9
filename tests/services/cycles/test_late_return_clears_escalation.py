"""A carried-over agency's late return, submitted through the agency's own journey, clears its
escalation (the submit service and the CSV import share cycles.mark_submitted)."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Answer, Escalation, Evidence, Return, Role
from portal.reports.return_pdf import render_return_pdf
from portal.services import cycles, returns, tools
from portal.services.accounts import LinkSettings
from tests.support import factories

OPENED = datetime(2018, 4, 3, 9)


def _complete(db: Session, return_: Return) -> None:
    tool = tools.get_tool(db, return_.cycle.tool_version.version)
    for standard in tool.standards:
        questions = [q for q in standard.questions if q.in_variant(return_.variant)]
        db.add_all(Answer(return_id=return_.id, question_id=q.id, grade="good") for q in questions)
        if questions:
            db.add(Evidence(return_id=return_.id, standard_id=standard.id, text="Policy, minutes"))
    return_.overall_evidence = "Policy, minutes"  # the short tool's one evidence box
    db.flush()


def test_submitting_a_carried_over_return_resolves_its_escalation(
    app: Flask, db: Session, tool: Any
) -> None:
    late = factories.agency(db, "Brookside Food Bank", cohort="A", variant="short")
    user = factories.user(db, Role.AGENCY, agency=late)
    first = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=OPENED)
    cycles.open_cycle(db, first, now=OPENED, links=None)
    cycles.close_cycle(db, first, now=datetime(2018, 8, 31, 9))
    second = cycles.create_cycle(db, label="2019-20", cohort="B", deadline=date(2019, 6, 28),
                                 now=OPENED.replace(year=2019))
    [carried] = cycles.open_cycle(db, second, now=OPENED.replace(year=2019), links=None)
    assert carried.agency_id == late.id and carried.carried_over
    _complete(db, carried)
    escalation = db.scalar(select(Escalation).where(Escalation.agency_id == late.id))
    assert escalation is not None and escalation.resolved_at is None

    returns.submit_return(
        db, carried, user=user, declaration_name="Sam Lead", declaration_role="Chair",
        read_version=carried.version, links=_links(app),
        render_copy=partial(render_return_pdf, partnership="Test Partnership"),
        now=datetime(2019, 7, 15, 10))

    db.refresh(escalation)
    assert escalation.resolved_at == datetime(2019, 7, 15, 10)


def _links(app: Flask) -> LinkSettings:
    return LinkSettings(secret_key=app.config["SECRET_KEY"], base_url="http://portal.test",
                        hours=72, partnership="Test Partnership", help_email="help@example.org")
