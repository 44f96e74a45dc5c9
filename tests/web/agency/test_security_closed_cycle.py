"""A closed cycle stays true: its returns cannot be edited or submitted by direct URL (issue 11 #10)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Answer, Escalation, Return, Role
from portal.services import cycles
from tests.support import csrf_from, factories, page_text, sign_in, url_for
from tests.support.returns_helpers import answers_form, codes_by_standard, post_standard

OPENED = datetime(2018, 4, 3, 9)


def test_a_non_returners_return_in_a_closed_cycle_cannot_be_saved_or_submitted(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    late = factories.agency(db, "Brookside Food Bank", cohort="A", variant="short")
    user = factories.user(db, Role.AGENCY, agency=late)
    cycle = cycles.create_cycle(db, label="2018-19", cohort="A", deadline=date(2018, 6, 29),
                                now=OPENED)
    cycles.open_cycle(db, cycle, now=OPENED, links=None)
    cycles.close_cycle(db, cycle, now=datetime(2018, 8, 31, 9))
    return_ = db.scalar(select(Return).where(Return.agency_id == late.id))
    assert return_ is not None
    db.commit()
    sign_in(client, user)
    base = url_for(app, "agency.return_page", return_id=return_.id)
    codes = codes_by_standard(tool, "short")["1"]
    token = csrf_from(client.get(url_for(app, "auth.sign_out")).get_data(as_text=True))

    saved = post_standard(client, f"{base}/standards/1", answers_form(codes),
                          page_html=f'<input name="csrf_token" type="hidden" value="{token}">'
                                    '<input name="version" type="hidden" value="0">')
    assert saved.status_code == 302
    assert "audit is closed" in page_text(client.get(saved.headers["Location"]))
    submitted = client.post(f"{base}/check", data={"csrf_token": token, "name": "Sam",
                                                   "role": "Chair", "version": "0"})
    assert submitted.status_code == 302  # back to the check page, which says why
    assert "audit is closed" in page_text(client.get(submitted.headers["Location"]))
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.get(Return, return_.id).status != "submitted"  # type: ignore[union-attr]
    escalation = db.scalar(select(Escalation).where(Escalation.agency_id == late.id))
    assert escalation is not None and escalation.resolved_at is None
