"""The stakes, to the right agencies only: an agency that missed the last cycle is told so, and
what a second miss means, on its home page, in its invitation and in its chasers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import OutboxMessage, Role
from tests.support import factories, sign_in, url_for
from tests.support.returns_helpers import text_of

CHAIR = "the partnership's Independent Chair will ask to meet a senior manager"


def _cli(app: Flask, *args: str) -> None:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output


def _mail(db: Session, kind: str, to: str) -> list[OutboxMessage]:
    db.expire_all()
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind,
                                                       OutboxMessage.to_address == to)))


def test_only_an_agency_that_missed_the_last_cycle_is_told_what_a_second_miss_means(
        app: Flask, db: Session, client: FlaskClient, tool: Any) -> None:
    missed = factories.agency(db, "Brookside Youth Club", sector_name="Voluntary and community",
                              cohort="A", variant="short", email="late@example.org")
    punctual = factories.agency(db, "Hallam Health Trust", cohort="B", email="ok@example.org")
    users = {a.name: factories.user(db, Role.AGENCY, agency=a) for a in (missed, punctual)}
    db.commit()
    _cli(app, "cycles", "open", "--label", "2025-26", "--cohort", "A", "--deadline", "2026-01-30",
         "--now", "2025-11-03T09:00")
    _cli(app, "cycles", "close", "--label", "2025-26", "--now", "2026-03-31T09:00")
    _cli(app, "cycles", "open", "--label", "2026-27", "--cohort", "B", "--deadline", "2027-01-29",
         "--final-deadline", "2027-02-26", "--now", "2026-11-02T09:00")

    [late_invite] = [m for m in _mail(db, "invitation", "late@example.org")
                     if "2026-27" in m.subject]
    [ok_invite] = _mail(db, "invitation", "ok@example.org")
    for body in (late_invite.body_text, late_invite.body_html or ""):
        assert "did not return the Compact Audit 2025-26" in body
        assert f"26 February 2027, {CHAIR}" in body
        assert "short audit for small groups" in body
    assert "did not return" not in ok_invite.body_text and CHAIR not in ok_invite.body_text
    assert "short audit" not in ok_invite.body_text

    _cli(app, "chasers", "send", "--now", "2027-02-03T09:00")
    [late_chaser] = _mail(db, "chaser", "late@example.org")
    [ok_chaser] = _mail(db, "chaser", "ok@example.org")
    assert "did not return the Compact Audit 2025-26" in late_chaser.body_text
    assert CHAIR in late_chaser.body_text and CHAIR in (late_chaser.body_html or "")
    assert CHAIR not in ok_chaser.body_text and "did not return" not in ok_chaser.body_text

    sign_in(client, users[missed.name])
    home = text_of(client.get(url_for(app, "agency.home")))
    assert "Brookside Youth Club did not return the Compact Audit 2025-26" in home
    assert f"26 February 2027, {CHAIR} from Brookside Youth Club" in home
    other = app.test_client()  # the punctual agency's lead, on their own computer
    sign_in(other, users[punctual.name])
    home = text_of(other.get(url_for(app, "agency.home")))
    assert "did not return" not in home and CHAIR not in home
