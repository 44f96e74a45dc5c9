"""Every bulk send is previewed before it goes: the count, the recipients and each message,
exactly as the SMTP server then receives it (subject, plain text and HTML)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import Contact, Cycle, OutboxMessage, Role
from portal.services import cycles, requests
from tests.support import csrf_from, factories, sign_in, url_for
from tests.support.bulk_previews import (
    Previewed,
    assert_arrived_as_previewed,
    previewed,
    with_personal_links_hidden,
    with_request_number_hidden,
)
from tests.support.mail import Mailbox

MISSED = "Abbey Youth Club"  # missed 2019-20: carried into 2020-21
RETURNED = "Brook Surgery"


def _carried_over_cycle(db: Session) -> Cycle:
    """2019-20 closed with Abbey Youth Club not returned; 2020-21 open, past its deadline."""
    factories.agency(db, MISSED, email="lead@abbey.example.org")
    factories.agency(db, RETURNED, email="lead@brook.example.org")
    db.add(Contact(agency_id=factories.agency(db, "Cedar Trust", email="one@cedar.example.org").id,
                   name="Sam Jones", email="two@cedar.example.org"))
    first = cycles.create_cycle(db, label="2019-20", cohort="A", deadline=date(2020, 1, 31),
                                now=datetime(2019, 11, 1))
    for return_ in cycles.open_cycle(db, first, now=datetime(2019, 11, 1), links=None):
        if return_.agency.name != MISSED:
            cycles.mark_submitted(db, return_, now=datetime(2020, 1, 20))
    cycles.close_cycle(db, first, now=datetime(2020, 4, 1))
    second = cycles.create_cycle(db, label="2020-21", cohort="A", deadline=date(2021, 1, 29),
                                 now=datetime(2020, 11, 2))
    cycles.open_cycle(db, second, now=datetime(2020, 11, 2), links=None)
    db.commit()
    return second


def _every_message(client: FlaskClient, url: str) -> list[Previewed]:
    first = previewed(client.get(url).get_data(as_text=True))
    joiner = "&" if "?" in url else "?"
    return [first] + [previewed(client.get(f"{url}{joiner}message={n}").get_data(as_text=True))
                      for n in range(1, first.count)]


def _check_arrivals(mailbox: Mailbox, shown: list[Previewed]) -> None:
    assert len({(p.to, p.subject) for p in shown}) == len(shown)  # each shown once
    for preview in shown:
        arrived = mailbox.to(preview.to)
        assert len(arrived) == 1, preview.to
        assert_arrived_as_previewed(arrived[0], preview)


def _signed_in(db: Session, client: FlaskClient) -> None:
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)


def test_the_list_chase_preview_is_each_email_that_arrives_missed_paragraph_included(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    cycle = _carried_over_cycle(db)
    _signed_in(db, client)
    url = url_for(app, "bulk_chase.preview", cycle_id=cycle.id, status="", sector="", carried="")
    page = client.get(url).get_data(as_text=True)
    shown = _every_message(client, url)

    assert [p.to for p in shown] == shown[0].recipients == [
        "lead@abbey.example.org", "lead@brook.example.org", "one@cedar.example.org",
        "two@cedar.example.org"]
    assert shown[0].count == 4
    assert "did not return the Compact Audit 2019-20" in shown[0].text
    assert "did not return the Compact Audit 2019-20" in (shown[0].html or "")
    assert all("did not return" not in p.text for p in shown[1:])
    stage = BeautifulSoup(page, "lxml").select_one('input[name="stage"]')
    assert stage is not None
    sent = client.post(url_for(app, "bulk_chase.send", cycle_id=cycle.id), data={
        "csrf_token": csrf_from(page), "status": "", "sector": "", "carried": "",
        "stage": stage["value"], "expected": "3"})
    assert sent.status_code == 302
    _check_arrivals(mailbox, shown)


def test_send_due_chasers_previews_each_email_then_sends_exactly_those(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    cycle = _carried_over_cycle(db)
    _signed_in(db, client)
    url = url_for(app, "chasers.preview_due", cycle_id=cycle.id)
    shown = _every_message(client, url)
    assert shown[0].count == 4

    stale = client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)),
                                   "expected": "3"})
    assert stale.headers["Location"].endswith(url)  # the list changed: back to the preview
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0
    client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)),
                           "expected": "4"})
    _check_arrivals(mailbox, shown)


def test_chase_all_overdue_previews_each_email_then_sends_exactly_those(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    cycle = _carried_over_cycle(db)
    _signed_in(db, client)
    url = url_for(app, "chasers.preview_overdue", cycle_id=cycle.id)
    shown = _every_message(client, url)
    assert [p.to for p in shown] == shown[0].recipients and len(shown) == 4

    client.post(url, data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True)),
                           "expected": "4"})
    _check_arrivals(mailbox, shown)


def test_opening_a_cycle_previews_each_invitation_then_sends_exactly_those(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    known = factories.agency(db, "Abbey Youth Club", email="lead@abbey.example.org")
    factories.user(db, Role.AGENCY, agency=known, email="lead@abbey.example.org")
    factories.agency(db, "Brook Surgery", email="lead@brook.example.org")  # no account yet
    cycle = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=datetime(2030, 11, 1))
    _signed_in(db, client)
    url = url_for(app, "cycles.preview", cycle_id=cycle.id)
    shown = _every_message(client, url)
    assert [p.to for p in shown] == ["lead@abbey.example.org", "lead@brook.example.org"]
    assert "/set-password/" not in shown[0].text  # has a password: straight to the return
    assert f"/set-password/{cycles.PERSONAL_LINK}" in shown[1].text

    page = client.get(url).get_data(as_text=True)
    client.post(url_for(app, "cycles.open", cycle_id=cycle.id),
                data={"csrf_token": csrf_from(page), "expected": "2"})
    [known_mail] = mailbox.to("lead@abbey.example.org")
    [new_mail] = mailbox.to("lead@brook.example.org")
    assert_arrived_as_previewed(with_personal_links_hidden(known_mail, cycles.PERSONAL_LINK),
                                shown[0])
    assert_arrived_as_previewed(with_personal_links_hidden(new_mail, cycles.PERSONAL_LINK),
                                shown[1])
    assert "/set-password/" in new_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_opening_a_cycle_is_refused_when_the_invitations_changed_since_the_preview(
    app: Flask, client: FlaskClient, db: Session, tool: Any, mailbox: Mailbox
) -> None:
    factories.agency(db, "Abbey Youth Club", email="lead@abbey.example.org")
    cycle = cycles.create_cycle(db, label="2030-31", cohort="A", deadline=date(2031, 1, 31),
                                now=datetime(2030, 11, 1))
    _signed_in(db, client)
    url = url_for(app, "cycles.preview", cycle_id=cycle.id)
    page = client.get(url).get_data(as_text=True)
    assert previewed(page).count == 1
    factories.agency(db, "Brook Surgery", email="lead@brook.example.org")
    db.commit()

    refused = client.post(url_for(app, "cycles.open", cycle_id=cycle.id),
                          data={"csrf_token": csrf_from(page), "expected": "1"})

    assert refused.headers["Location"].endswith(url)
    db.refresh(cycle)
    assert cycle.status == "draft"
    assert mailbox.to("lead@abbey.example.org") == []


def _request_form(sector: int) -> dict[str, Any]:
    form: dict[str, Any] = {
        "title": "Safer recruitment training", "signatory": "Independent Chair",
        "deadline": ["31", "12", "2099"], "audience": "sector", "sector": str(sector),
        "introduction": "We are checking training.\n\nPlease answer by the deadline.",
        "agencies": "", "recommendation": ""}
    for n in range(1, 6):
        form.update({f"question_{n}": "", f"kind_{n}": "text", f"choices_{n}": ""})
    form["question_1"] = "Have your recruiters been trained?"
    return form


def test_an_information_request_previews_each_email_then_sends_exactly_those(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    first = factories.agency(db, "Abbey Surgery", email="lead@abbey.example.org")
    factories.agency(db, "Brook Surgery", email="lead@brook.example.org")
    factories.agency(db, "County Police", sector_name="Statutory", email="lead@police.example.org")
    _signed_in(db, client)
    url = url_for(app, "requests.new")
    data = _request_form(first.sector_id)
    page = client.get(url).get_data(as_text=True)
    shown = [previewed(client.post(url, data={"csrf_token": csrf_from(page), **data,
                                              "message": str(n)}).get_data(as_text=True))
             for n in (0, 1)]
    assert [p.to for p in shown] == shown[0].recipients == [
        "lead@abbey.example.org", "lead@brook.example.org"]
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0  # a preview sends nothing

    preview_page = client.post(url, data={"csrf_token": csrf_from(page), **data})
    digest = BeautifulSoup(preview_page.get_data(as_text=True), "lxml").select_one(
        'button[name="previewed"]')
    assert digest is not None
    sent = client.post(url, data={"csrf_token": csrf_from(page), **data,
                                  "previewed": digest["value"]})
    assert sent.status_code == 302
    for preview in shown:
        [arrived] = mailbox.to(preview.to)
        assert_arrived_as_previewed(
            with_request_number_hidden(arrived, requests.REQUEST_NUMBER), preview)


def test_a_request_changed_after_its_preview_is_not_sent(
    app: Flask, client: FlaskClient, db: Session, mailbox: Mailbox
) -> None:
    first = factories.agency(db, "Abbey Surgery", email="lead@abbey.example.org")
    _signed_in(db, client)
    url = url_for(app, "requests.new")
    data = _request_form(first.sector_id)
    page = client.get(url).get_data(as_text=True)
    preview_page = client.post(url, data={"csrf_token": csrf_from(page), **data})
    digest = BeautifulSoup(preview_page.get_data(as_text=True), "lxml").select_one(
        'button[name="previewed"]')
    assert digest is not None

    changed = client.post(url, data={"csrf_token": csrf_from(page), **data,
                                     "title": "Another title", "previewed": digest["value"]})

    assert changed.status_code == 200
    assert "changed since the preview" in BeautifulSoup(
        changed.get_data(as_text=True), "lxml").get_text()
    assert previewed(changed.get_data(as_text=True)).subject == \
        "Independent Chair asks Abbey Surgery: Another title"
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0
