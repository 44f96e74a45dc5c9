"""Offered slots: the manager offers an agency up to three dates for its visit; the agency's
safeguarding lead picks one on the portal, which schedules the visit and queues the invitations."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, OutboxMessage, Role, Visit, VisitStatus
from portal.services import moderation
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError
from tests.support import factories, page_text, sign_in, submit_form, url_for
from tests.support.cycle_pages import text_of
from tests.support.mail import Mailbox
from tests.support.moderation_factories import drawn

LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                     partnership="Riverside Safeguarding Children Partnership",
                     help_email="help@partnership.example.org")
NOW = datetime(2030, 1, 6, 9)
MON = datetime(2030, 6, 10, 9)  # 10:00 UK (BST)
TUE = datetime(2030, 6, 11, 13)  # 14:00 UK


def _queued(db: Session, kind: str) -> list[OutboxMessage]:
    return list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)))


def _offer(db: Session, visit: Visit, starts: list[datetime], now: datetime = NOW) -> None:
    moderation.offer_slots(db, visit, starts=starts, place="Meeting room 2", now=now,
                           links=LINKS)


def test_offering_dates_emails_the_agency_and_awaits_its_choice(db: Session, tool: object) -> None:
    made, _ = drawn(db)
    visit = made[0]
    _offer(db, visit, [TUE, MON])
    assert [s.starts_at for s in visit.slots] == [MON, TUE]
    assert moderation.awaiting_choice(visit) and visit.status == VisitStatus.PLANNED.value
    [email] = _queued(db, "visit_slots")
    contact = visit.return_.agency.primary_contact
    assert contact is not None and email.to_address == contact.email
    assert "Monday 10 June 2030 at 10:00" in email.body_text  # with the weekday
    assert "Tuesday 11 June 2030 at 14:00" in email.body_text
    assert moderation.visits_awaiting_choice(db, visit.return_.agency_id) == [visit]
    _offer(db, visit, [TUE])  # offering again replaces the earlier offer
    assert [s.starts_at for s in visit.slots] == [TUE]


@pytest.mark.parametrize(("starts", "message"), [
    ([datetime(2030, 1, 6, 8)], "has passed: choose a date in the future"),
    ([MON, MON], "Offer a different date or time in each choice"),
    ([MON, TUE, datetime(2030, 6, 12, 9), datetime(2030, 6, 13, 9)], "between 1 and 3 dates"),
    ([], "between 1 and 3 dates"),
])
def test_offers_of_past_repeated_or_too_many_dates_are_refused(
    db: Session, tool: object, starts: list[datetime], message: str
) -> None:
    made, _ = drawn(db)
    with pytest.raises(ServiceError, match=message):
        _offer(db, made[0], starts)
    assert made[0].slots == [] and _queued(db, "visit_slots") == []


def test_a_date_when_the_member_already_has_a_visit_is_refused(db: Session, tool: object) -> None:
    made, manager = drawn(db)
    first, second = made
    second.member_id = first.member_id
    db.flush()
    moderation.schedule_visit(db, first, starts_at=MON, place="Town hall", now=NOW, links=LINKS,
                              manager_id=manager.id)  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match=f"is taken: .* is visiting {first.return_.agency.name}"):
        _offer(db, second, [datetime(2030, 6, 10, 10)])  # overlaps the two hours from MON
    _offer(db, second, [datetime(2030, 6, 10, 11)])  # starts as the other one ends: fine
    assert len(second.slots) == 1


def test_choosing_a_slot_schedules_the_visit_and_queues_the_invitations(
    db: Session, tool: object
) -> None:
    made, _ = drawn(db)
    visit = made[0]
    _offer(db, visit, [MON, TUE])
    member_before = visit.member_id
    chosen = visit.slots[1]
    moderation.choose_slot(db, visit, chosen.id, now=NOW, links=LINKS)
    assert visit.status == VisitStatus.SCHEDULED.value and visit.starts_at == TUE
    assert visit.place == "Meeting room 2" and visit.member_id == member_before
    assert chosen.chosen_at == NOW and not moderation.awaiting_choice(visit)
    invited = {m.to_address for m in _queued(db, "visit_request")}
    assert visit.member is not None and visit.manager is not None
    assert {visit.member.email, visit.manager.email} <= invited
    assert db.scalar(select(func.count()).select_from(AuditEvent)
                     .where(AuditEvent.action == "visit.slot_chosen")) == 1
    with pytest.raises(ServiceError, match="already has a date"):
        moderation.choose_slot(db, visit, visit.slots[0].id, now=NOW, links=LINKS)


def test_a_slot_that_has_passed_or_been_taken_since_the_offer_cannot_be_chosen(
    db: Session, tool: object
) -> None:
    made, manager = drawn(db)
    first, second = made
    second.member_id = first.member_id
    _offer(db, second, [MON, TUE])
    with pytest.raises(ServiceError, match="has passed: choose another date"):
        moderation.choose_slot(db, second, second.slots[0].id, now=datetime(2030, 6, 10, 12),
                               links=LINKS)
    moderation.schedule_visit(db, first, starts_at=TUE, place="Town hall", now=NOW, links=LINKS,
                              manager_id=manager.id)  # type: ignore[attr-defined]
    with pytest.raises(ServiceError, match="is taken: choose another date") as refused:
        moderation.choose_slot(db, second, second.slots[1].id, now=NOW, links=LINKS)
    assert first.return_.agency.name not in str(refused.value)  # no other agency's name
    assert second.status == VisitStatus.PLANNED.value


def _agency_user(db: Session, visit: Visit) -> object:
    user = factories.user(db, Role.AGENCY, agency=visit.return_.agency)
    db.commit()
    return user


def test_the_manager_offers_dates_and_the_agency_chooses_one_on_the_portal(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: Mailbox
) -> None:
    made, manager = drawn(db)
    visit, other = made
    sign_in(client, manager)  # type: ignore[arg-type]
    schedule_url = url_for(app, "moderation_admin.schedule_all", label=visit.return_.cycle.label)
    page = client.get(schedule_url).get_data(as_text=True)
    offer_url = url_for(app, "moderation_admin.offer", visit_id=visit.id)
    assert f'value="offer-{visit.id}" name="go"' in page  # a button: it posts the typed rows first

    past = submit_form(client, offer_url, {"day_1": ["3", "2", "2020"], "start_1": "10:00",
                                           "place": "Meeting room 2"})
    assert past.status_code == 200
    assert "has passed: choose a date in the future" in page_text(past)
    missing = submit_form(client, offer_url, {"day_2": ["3", "2", "2031"], "place": "Room"})
    assert "Enter the date of the first choice" in page_text(missing)
    assert "Enter the start time of the second choice" in page_text(missing)

    done = submit_form(client, offer_url, {
        "day_1": ["10", "6", "2031"], "start_1": "10:00", "day_2": ["12", "6", "2031"],
        "start_2": "14:30", "place": "Meeting room 2"})
    assert done.status_code == 302
    page = text_of(client.get(schedule_url).get_data(as_text=True))
    assert "Awaiting the agency's choice" in page and "10 June 2031 at 10:00am" in page
    assert f"Set a date directly for {visit.return_.agency.name}" in page
    assert "Schedule 1 visit and send the invitations" in page  # the other is still to date
    cycle_page = html.unescape(text_of(client.get(
        url_for(app, "moderation_admin.cycle", label=visit.return_.cycle.label)).get_data(as_text=True)))
    assert "Awaiting the agency's choice" in cycle_page
    visit_page = html.unescape(text_of(client.get(url_for(app, "moderation_admin.visit", visit_id=visit.id))
                                       .get_data(as_text=True)))
    assert "Awaiting the agency's choice Dates offered to" in visit_page
    assert "Thursday 12 June 2031 at 2:30pm" in visit_page
    submit_form(client, url_for(app, "auth.sign_out"), {})

    lead = _agency_user(db, visit)
    sign_in(client, lead)  # type: ignore[arg-type]
    home = client.get(url_for(app, "agency.home")).get_data(as_text=True)
    choose_url = url_for(app, "agency_visits.choose", visit_id=visit.id)
    assert f'href="{choose_url}"' in home and "Choose the date of your moderation visit" in home
    assert client.get(url_for(app, "agency_visits.choose", visit_id=other.id)).status_code == 404
    nothing = submit_form(client, choose_url, {})
    assert nothing.status_code == 200
    assert "Select the date that suits you" in text_of(nothing.get_data(as_text=True))
    db.expire_all()
    slot = db.get(Visit, visit.id).slots[1]  # type: ignore[union-attr]
    chosen = submit_form(client, choose_url, {"slot": str(slot.id)})
    assert chosen.status_code == 302
    db.expire_all()
    scheduled = db.get(Visit, visit.id)
    assert scheduled is not None and scheduled.status == VisitStatus.SCHEDULED.value
    assert "12 June 2031 at 2:30pm" in text_of(client.get(url_for(app, "agency.home")).get_data(as_text=True))
    assert scheduled.member is not None
    [invitation] = [m for m in mailbox.to(scheduled.member.email)
                    if visit.return_.agency.name in str(m["Subject"])]
    assert "visit-pack-" in " ".join(p.get_filename() or "" for p in invitation.iter_attachments())
    assert client.get(choose_url).status_code == 302  # nothing left to choose


def test_the_manager_can_still_set_a_date_directly_which_ends_the_offer(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    made, manager = drawn(db)
    visit = made[0]
    _offer(db, visit, [MON, TUE])
    moderation.schedule_visit(db, visit, starts_at=datetime(2030, 6, 14, 9), place="Town hall",
                              now=NOW, links=LINKS, manager_id=manager.id)  # type: ignore[attr-defined]
    assert not moderation.awaiting_choice(visit)
    assert moderation.visits_awaiting_choice(db, visit.return_.agency_id) == []
    with pytest.raises(ServiceError, match="already has a date"):
        moderation.choose_slot(db, visit, visit.slots[0].id, now=NOW, links=LINKS)
    lead = _agency_user(db, visit)
    sign_in(client, lead)  # type: ignore[arg-type]
    assert "Choose the date of your moderation visit" not in client.get(url_for(app, "agency.home")).get_data(
        as_text=True)
    assert client.get(url_for(app, "agency_visits.choose", visit_id=visit.id)).status_code == 302
