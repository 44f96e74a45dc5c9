"""Acceptance: two consecutive cycles replayed through `flask cycles` with --now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, Escalation, OutboxMessage, Return, ReturnStatus, Role
from portal.services import cycles, register
from tests.support import factories, sign_in, url_for
from tests.support.cycle_pages import tables, text_of
from tests.support.mail import Mailbox


def _cli(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def _agencies(db: Session) -> dict[str, Agency]:
    plan = {
        "a_ok1": ("Health", "A"), "a_ok2": ("Schools and colleges", "A"),
        "a_late": ("Voluntary and community", "A"), "a_twice": ("Voluntary and community", "A"),
        "a_twice2": ("Early years", "A"), "a_gone": ("Faith groups", "A"),
        "b_ok": ("Health", "B"), "b_miss": ("GP practices", "B"), "b_ok2": ("Statutory", "B"),
    }
    made = {key: factories.agency(db, f"Agency {key}", sector_name=sector, cohort=cohort,
                                  email=f"{key}@example.org")
            for key, (sector, cohort) in plan.items()}
    db.commit()
    return made


def _returns(db: Session, label: str) -> dict[str, Return]:
    rows = db.scalars(select(Return).join(Cycle).where(Cycle.label == label))
    return {r.agency.name.removeprefix("Agency "): r for r in rows}


def _submit(db: Session, label: str, keys: list[str], when: str) -> None:
    returns = _returns(db, label)
    for key in keys:
        cycles.mark_submitted(db, returns[key], now=datetime.fromisoformat(when))
    db.commit()


def _escalations(db: Session, label: str) -> dict[str, Escalation]:
    db.expire_all()
    rows = db.scalars(select(Escalation).join(Cycle, Escalation.cycle_id == Cycle.id)
                      .where(Cycle.label == label))
    return {e.agency.name.removeprefix("Agency "): e for e in rows}


def test_two_cycles_carry_non_returners_flag_repeat_ones_and_clear_late_returns(
    app: Flask, db: Session, client: FlaskClient, tool: Any, mailbox: Mailbox
) -> None:
    made = _agencies(db)

    # Cycle 1: cohort A is issued the audit and invited.
    result = _cli(app, "cycles", "open", "--label", "2018-19", "--cohort", "A",
                  "--deadline", "2018-06-29", "--now", "2018-04-03T09:00")
    assert result.exit_code == 0, result.output
    assert "6 returns issued (0 carried over)" in result.output
    assert "final deadline 2018-07-27" in result.output  # 20 working days after the deadline
    invitations = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
    assert sorted(m.to_address for m in invitations) == sorted(
        f"{k}@example.org" for k in made if k.startswith("a_"))
    assert _cli(app, "mail", "send", "--now", "2018-04-03T09:01").exit_code == 0
    assert "Compact Audit 2018-19" in mailbox.to("a_late@example.org")[0]["Subject"]

    _submit(db, "2018-19", ["a_ok1", "a_ok2"], "2018-06-20T10:00")
    in_progress = _returns(db, "2018-19")["a_twice2"]
    in_progress.status = ReturnStatus.IN_PROGRESS.value
    db.commit()

    early = _cli(app, "cycles", "close", "--label", "2018-19", "--now", "2018-07-20T09:00")
    assert early.exit_code != 0
    assert "can close after its final deadline, 27 July 2018" in early.output
    assert _escalations(db, "2018-19") == {}

    closed = _cli(app, "cycles", "close", "--label", "2018-19", "--now", "2018-08-01T09:00")
    assert closed.exit_code == 0, closed.output
    assert "4 returns escalated, 0 need a Chair meeting" in closed.output
    first = _escalations(db, "2018-19")
    assert set(first) == {"a_late", "a_twice", "a_twice2", "a_gone"}
    assert not any(e.chair_meeting_required for e in first.values())

    # An agency that closes down between cycles is not carried over.
    register.set_active(db, db.get(Agency, made["a_gone"].id), False)  # type: ignore[arg-type]
    db.commit()

    # Cycle 2: cohort B plus cycle 1's non-returners, marked carried over.
    mailbox.clear()
    opened = _cli(app, "cycles", "open", "--label", "2019-20", "--cohort", "B",
                  "--deadline", "2019-06-28", "--final-deadline", "2019-07-31",
                  "--now", "2019-04-01T09:00")
    assert opened.exit_code == 0, opened.output
    assert "6 returns issued (3 carried over)" in opened.output
    second = _returns(db, "2019-20")
    assert {k: r.carried_over for k, r in second.items()} == {
        "b_ok": False, "b_miss": False, "b_ok2": False,
        "a_late": True, "a_twice": True, "a_twice2": True,
    }
    cycle2 = db.scalar(select(Cycle).where(Cycle.label == "2019-20"))
    assert cycle2 is not None
    first = _escalations(db, "2018-19")
    assert {k: e.carried_to_cycle_id for k, e in first.items()} == {
        "a_late": cycle2.id, "a_twice": cycle2.id, "a_twice2": cycle2.id, "a_gone": None}
    _cli(app, "mail", "send", "--now", "2019-04-01T09:01")
    assert "did not return the Compact Audit 2018-19" in \
        mailbox.to("a_late@example.org")[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]

    # A late return in cycle 2 clears the carried-over agency's escalation.
    _submit(db, "2019-20", ["b_ok", "b_ok2"], "2019-06-27T16:00")
    _submit(db, "2019-20", ["a_late"], "2019-07-15T11:00")
    first = _escalations(db, "2018-19")
    assert first["a_late"].resolved_at == datetime(2019, 7, 15, 11, 0)
    assert {k for k, e in first.items() if e.resolved_at is None} == {
        "a_twice", "a_twice2", "a_gone"}
    in_progress = _returns(db, "2019-20")["a_twice2"]
    in_progress.status = ReturnStatus.IN_PROGRESS.value
    db.commit()

    closed = _cli(app, "cycles", "close", "--label", "2019-20", "--now", "2019-08-05T09:00")
    assert closed.exit_code == 0, closed.output
    assert "3 returns escalated, 2 need a Chair meeting" in closed.output
    second_escalations = _escalations(db, "2019-20")
    assert {k: e.chair_meeting_required for k, e in second_escalations.items()} == {
        "b_miss": False, "a_twice": True, "a_twice2": True}

    # The manager sees who needs a Chair meeting; the next cohort A list carries b_miss over.
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    page = client.get(url_for(app, "cycles.escalations_page", cycle=cycle2.id)).get_data(as_text=True)
    rows = {row[0]: row for row in tables(page)["escalations"][1:]}
    assert "Chair meeting needed" in rows["Agency a_twice Voluntary and community"][3]
    assert "Chair meeting needed" in rows["Agency a_twice2 Early years"][3]
    assert "Not required" in rows["Agency b_miss GP practices"][3]
    all_page = text_of(client.get(url_for(app, "cycles.escalations_page")).get_data(as_text=True))
    assert "7 escalations; 2 need a Chair meeting" in all_page
    preview = cycles.issue_list(db, cohort="A", previous=cycle2)
    assert {i.agency.name: i.carried_over for i in preview} == {
        "Agency a_ok1": False, "Agency a_ok2": False, "Agency a_late": False,
        "Agency a_twice": True, "Agency a_twice2": True, "Agency b_miss": True}
