"""Visits: fair assignment of members, and iCalendar invitations that attendees really receive."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from email.message import EmailMessage

import icalendar
import pytest
from flask import Flask
from sqlalchemy.orm import Session

from portal.delivery import deliver_from_app
from portal.models import Visit
from portal.services import moderation
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError
from tests.support import factories
from tests.support.moderation_factories import AFTER_DEADLINE, cycle_with_returns, members

LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=24,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")
FIVE = ["Eli Fraser", "Chris Dunn", "Alex Board", "Dee Evans", "Bea Carter"]


def planned_visits(db: Session, sector_counts: dict[str, int]) -> list[Visit]:
    cycle, _ = cycle_with_returns(db, sector_counts)
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=5, now=AFTER_DEADLINE,
                                  user_id=None)
    manager = factories.user(db, name="Pat Manager", email="pat@partnership.example.org")
    return moderation.plan_visits(db, sample=sample, manager_id=manager.id, now=AFTER_DEADLINE)


def test_nine_visits_among_five_members_are_shared_2_2_2_2_1_ties_by_name(
    app: Flask, db: Session, tool: object
) -> None:
    members(db, FIVE)
    made = planned_visits(db, {"Health": 40, "Statutory": 45})
    assert len(made) == 9
    shares = Counter(v.member.name for v in made if v.member)
    assert shares == {"Alex Board": 2, "Bea Carter": 2, "Chris Dunn": 2, "Dee Evans": 2,
                      "Eli Fraser": 1}
    assert {v.manager.name for v in made if v.manager} == {"Pat Manager"}
    assert moderation.visit_counts(db)[made[0].member_id or 0] == 2


def test_members_with_fewer_visits_so_far_are_chosen_first(
    app: Flask, db: Session, tool: object
) -> None:
    alex, bea = members(db, ["Alex Board", "Bea Carter"])
    made = planned_visits(db, {"Health": 10})  # one visit: Alex (tie on 0, by name)
    assert made[0].member_id == alex.id
    cycle, _ = cycle_with_returns(db, {"Statutory": 30}, label="2018-19",
                                  deadline=datetime(2019, 1, 31).date())
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=5,
                                  now=datetime(2019, 3, 1), user_id=None)
    later = moderation.plan_visits(db, sample=sample, manager_id=None, now=datetime(2019, 3, 1))
    # 4 visits (all 40 cohort-A agencies submitted); Alex already has 1, so Bea goes first
    assert [v.member_id for v in later] == [bea.id, alex.id, bea.id, alex.id]


def calendar_of(message: EmailMessage) -> tuple[icalendar.Calendar, str]:
    [part] = list(message.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_filename() == "moderation-visit.ics"
    content = part.get_content()
    raw = content.encode() if isinstance(content, str) else content
    return icalendar.Calendar.from_ical(raw), str(part.get_param("method"))


def event_of(calendar: icalendar.Calendar) -> icalendar.Event:
    [event] = calendar.walk("VEVENT")
    return event


def attendees_of(event: icalendar.Event) -> set[str]:
    values = event.get("attendee")
    values = values if isinstance(values, list) else [values]
    return {str(v).removeprefix("mailto:") for v in values}


def test_scheduling_emails_an_ics_invitation_to_attendees_and_the_agency(
    app: Flask, db: Session, tool: object, mailbox: object
) -> None:
    members(db, ["Alex Board"])
    visit = planned_visits(db, {"Health": 5})[0]
    contact = visit.return_.agency.primary_contact
    assert contact is not None
    # 10:00 on 12 June 2018 in the UK is 09:00 UTC (British Summer Time)
    moderation.schedule_visit(db, visit, starts_at=moderation.uk_to_utc(datetime(2018, 6, 12, 10, 0)),
                          place="Town Hall, meeting room 2", duration_minutes=90,
                          now=AFTER_DEADLINE, links=LINKS)
    db.commit()
    deliver_from_app(app, now=AFTER_DEADLINE)
    expected = {"pat@partnership.example.org", "alex@board.example.org", contact.email}
    for address in expected:
        [message] = mailbox.to(address)  # type: ignore[attr-defined]
        assert message["Subject"] == f"Invitation: moderation visit to {visit.return_.agency.name}"
        calendar, method = calendar_of(message)
        event = event_of(calendar)
        assert method == "REQUEST" and str(calendar["method"]) == "REQUEST"
        assert str(event["uid"]) == visit.ics_uid
        assert int(event["sequence"]) == 0
        assert event.decoded("dtstart") == datetime.fromisoformat("2018-06-12T09:00:00+00:00")
        assert event.decoded("dtend") == datetime.fromisoformat("2018-06-12T10:30:00+00:00")
        assert str(event["location"]) == "Town Hall, meeting room 2"
        assert str(event["organizer"]) == "mailto:pat@partnership.example.org"
        assert attendees_of(event) == expected
        assert "10:00 (UK time)" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_rescheduling_keeps_the_uid_and_raises_the_sequence(
    app: Flask, db: Session, tool: object, mailbox: object
) -> None:
    alex, bea = members(db, ["Alex Board", "Bea Carter"])
    visit = planned_visits(db, {"Health": 5})[0]
    moderation.schedule_visit(db, visit, starts_at=datetime(2018, 6, 12, 9), place="Town Hall",
                          now=AFTER_DEADLINE, links=LINKS)
    db.commit()
    deliver_from_app(app, now=AFTER_DEADLINE)
    mailbox.clear()  # type: ignore[attr-defined]
    moderation.schedule_visit(db, visit, starts_at=datetime(2018, 6, 19, 13, 30), place="Civic Centre",
                          member_id=bea.id, now=AFTER_DEADLINE, links=LINKS)
    db.commit()
    deliver_from_app(app, now=AFTER_DEADLINE)
    [update] = mailbox.to("bea@board.example.org")  # type: ignore[attr-defined]
    calendar, method = calendar_of(update)
    event = event_of(calendar)
    assert method == "REQUEST" and update["Subject"].startswith("Updated:")
    assert str(event["uid"]) == visit.ics_uid and int(event["sequence"]) == 1
    assert event.decoded("dtstart") == datetime.fromisoformat("2018-06-19T13:30:00+00:00")
    assert "alex@board.example.org" not in attendees_of(event)
    [dropped] = mailbox.to("alex@board.example.org")  # type: ignore[attr-defined]
    calendar, method = calendar_of(dropped)
    assert method == "CANCEL" and str(event_of(calendar)["uid"]) == visit.ics_uid
    assert int(event_of(calendar)["sequence"]) == 1
    assert alex.id != visit.member_id


def test_cancelling_sends_a_cancel_with_the_same_uid_and_a_higher_sequence(
    app: Flask, db: Session, tool: object, mailbox: object
) -> None:
    members(db, ["Alex Board"])
    visit = planned_visits(db, {"Health": 5})[0]
    moderation.schedule_visit(db, visit, starts_at=datetime(2018, 6, 12, 9), place="Town Hall",
                          now=AFTER_DEADLINE, links=LINKS)
    moderation.cancel_visit(db, visit, now=AFTER_DEADLINE, links=LINKS, reason="Agency closed")
    db.commit()
    deliver_from_app(app, now=AFTER_DEADLINE)
    _invitation, cancellation = mailbox.to("alex@board.example.org")  # type: ignore[attr-defined]
    calendar, method = calendar_of(cancellation)
    event = event_of(calendar)
    assert method == "CANCEL" and str(calendar["method"]) == "CANCEL"
    assert str(event["uid"]) == visit.ics_uid and int(event["sequence"]) == 1
    assert str(event["status"]) == "CANCELLED"
    assert cancellation["Subject"].startswith("Cancelled:")
    with pytest.raises(ServiceError, match="cancelled"):
        moderation.schedule_visit(db, visit, starts_at=datetime(2018, 7, 1, 9), place="Town Hall",
                              now=AFTER_DEADLINE, links=LINKS)


def test_progress_counts_visits_against_the_ten_percent_target(
    app: Flask, db: Session, tool: object
) -> None:
    members(db, ["Alex Board"])
    made = planned_visits(db, {"Health": 25})  # target ceil(2.5) = 3
    moderation.schedule_visit(db, made[0], starts_at=datetime(2018, 6, 12, 9), place="Town Hall",
                          now=AFTER_DEADLINE, links=LINKS)
    moderation.cancel_visit(db, made[1], now=AFTER_DEADLINE, links=LINKS)
    made[0].status = "completed"
    db.flush()
    progress = moderation.moderation_progress(db, made[0].return_.cycle)
    assert (progress.submitted, progress.target, progress.planned, progress.completed) == (
        25, 3, 2, 1)
