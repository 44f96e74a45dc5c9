"""A Board member is never at two visits at once: the same refusal from the service and from
every way a visit gets a date (set directly, many at once, offered, chosen by the agency), and
two agencies choosing overlapping dates at the same moment never both succeed.

(There is no CLI command that schedules a visit, so there is no CLI entry point to test.)"""

from __future__ import annotations

import html
import threading
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal.db import get_db
from portal.models import OutboxMessage, Role, Visit, VisitStatus
from portal.services import moderation
from portal.services.accounts import LinkSettings
from portal.services.common import Invalid, Problem
from tests.support import factories, sign_in, submit_form, url_for
from tests.support.moderation_factories import drawn

LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                     partnership="Riverside Safeguarding Children Partnership",
                     help_email="help@partnership.example.org")
NOW = datetime(2030, 1, 6, 9)
TEN = datetime(2031, 6, 10, 9)  # 10:00 UK (BST), for two hours
ELEVEN = datetime(2031, 6, 10, 10)  # 11:00 UK: overlaps the visit from 10:00
NOON = datetime(2031, 6, 10, 11)  # 12:00 UK: starts as the 10:00 visit ends
TAKEN_AT_ELEVEN = "Tuesday 10 June 2031 at 11:00 is taken"


def _same_member(db: Session) -> tuple[Visit, Visit, Any]:
    """The sample's two visits, both given the first one's member."""
    (first, second), manager = drawn(db)
    second.member_id = first.member_id
    db.commit()
    return first, second, manager


def _schedule(db: Session, visit: Visit, starts_at: datetime, **kwargs: Any) -> Visit:
    return moderation.schedule_visit(db, visit, starts_at=starts_at, place="Town hall", now=NOW,
                                     links=LINKS, **kwargs)


def _page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def _scheduled_of(db: Session, member_id: int | None) -> list[Visit]:
    db.expire_all()
    return list(db.scalars(select(Visit).where(Visit.member_id == member_id,
                                               Visit.status == VisitStatus.SCHEDULED.value)))


# --- the rule, at the service ---------------------------------------------------------------

def test_the_service_refuses_a_second_visit_overlapping_the_members_first(
    db: Session, tool: object
) -> None:
    first, second, _ = _same_member(db)
    _schedule(db, first, TEN)
    with pytest.raises(Invalid) as refused:
        _schedule(db, second, ELEVEN)
    assert first.member is not None
    assert refused.value.problems == [Problem(
        "day", f"{TAKEN_AT_ELEVEN}: {first.member.name} is visiting "
               f"{first.return_.agency.name} at that time")]
    assert second.status == VisitStatus.PLANNED.value and second.starts_at is None

    _schedule(db, second, NOON)  # starts as the other ends: no overlap
    _schedule(db, first, datetime(2031, 6, 10, 8))  # moving a visit over its own old time is fine
    with pytest.raises(Invalid, match="is taken"):  # a longer visit that runs into the next one
        _schedule(db, first, datetime(2031, 6, 10, 8), duration_minutes=181)
    assert len(_scheduled_of(db, first.member_id)) == 2


def test_another_member_or_a_cancelled_visit_is_no_clash(db: Session, tool: object) -> None:
    (first, second), _ = drawn(db)
    assert first.member_id != second.member_id
    _schedule(db, first, TEN)
    _schedule(db, second, ELEVEN)  # a different member
    moderation.cancel_visit(db, second, now=NOW, links=LINKS)
    third_member = second.member_id
    moderation.schedule_visit(db, first, starts_at=ELEVEN, place="Hall", now=NOW, links=LINKS,
                              member_id=third_member)  # the cancelled visit's time is free again
    assert first.member_id == third_member and first.starts_at == ELEVEN


def test_a_bulk_schedule_refuses_two_plans_that_clash_with_each_other(
    db: Session, tool: object
) -> None:
    first, second, manager = _same_member(db)
    plans = [moderation.VisitPlan(first, TEN, "Room 1", first.member_id),
             moderation.VisitPlan(second, ELEVEN, "Room 2", first.member_id)]
    with pytest.raises(moderation.PlansRefused) as refused:
        moderation.schedule_visits(db, plans, manager_id=manager.id, now=NOW, links=LINKS)
    assert list(refused.value.by_visit) == [second.id]  # the later of the two is refused
    [problem] = refused.value.problems
    assert problem.field == f"day_{second.id}"
    assert problem.message.startswith(TAKEN_AT_ELEVEN)
    assert first.return_.agency.name in problem.message
    assert _scheduled_of(db, first.member_id) == []  # all or none
    assert db.scalar(select(func.count(OutboxMessage.id))) == 0


# --- the same refusal at every entry point ---------------------------------------------------

def _signed_in_manager(client: FlaskClient, db: Session) -> tuple[Visit, Visit, Any]:
    """The first visit scheduled 10:00 to 12:00; the second, same member, still to date."""
    first, second, manager = _same_member(db)
    _schedule(db, first, TEN, manager_id=manager.id)
    db.commit()
    sign_in(client, manager)
    return first, second, manager


def test_setting_a_date_directly_on_the_page_shows_the_clash_on_the_date(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    first, second, manager = _signed_in_manager(client, db)
    response = submit_form(client, url_for(app, "moderation_admin.schedule", visit_id=second.id), {
        "day": ["10", "6", "2031"], "start": "11:00", "duration": "120", "place": "Hall",
        "manager": str(manager.id), "member": str(first.member_id)})
    page = _page(response)
    assert response.status_code == 200
    assert first.member is not None
    assert f"{TAKEN_AT_ELEVEN}: {first.member.name} is visiting {first.return_.agency.name}" \
        in page
    assert 'href="#day-day"' in page  # the error summary links to the date
    assert len(_scheduled_of(db, first.member_id)) == 1

    long = submit_form(client, url_for(app, "moderation_admin.schedule", visit_id=second.id), {
        "day": ["10", "6", "2031"], "start": "14:00", "duration": "600", "place": "Hall",
        "manager": str(manager.id), "member": str(first.member_id)})
    assert "The visit must last between 15 minutes and 8 hours" in _page(long)  # the service's
    assert 'href="#duration"' in _page(long)


def test_the_bulk_page_refuses_a_clash_with_a_scheduled_visit_and_within_the_batch(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    (first, second), manager = drawn(db)
    sign_in(client, manager)  # type: ignore[arg-type]
    url = url_for(app, "moderation_admin.schedule_all", label="2017-18")
    same = str(first.member_id)
    response = submit_form(client, url, {
        f"day_{first.id}": ["10", "6", "2031"], f"start_{first.id}": "10:00",
        f"place_{first.id}": "Room 1", f"member_{first.id}": same,
        f"day_{second.id}": ["10", "6", "2031"], f"start_{second.id}": "11:00",
        f"place_{second.id}": "Room 2", f"member_{second.id}": same})
    page = _page(response)
    assert response.status_code == 200
    assert f"{TAKEN_AT_ELEVEN}:" in page and f'href="#day_{second.id}-day"' in page
    assert f"visiting {first.return_.agency.name} at that time" in page
    assert _scheduled_of(db, first.member_id) == []

    db.expire_all()
    first = db.get(Visit, first.id)  # type: ignore[assignment]
    _schedule(db, first, TEN)  # meanwhile the first visit is given 10:00 another way
    db.commit()
    response = submit_form(client, url, {
        f"day_{second.id}": ["10", "6", "2031"], f"start_{second.id}": "11:00",
        f"place_{second.id}": "Room 2", f"member_{second.id}": same})
    assert f"{TAKEN_AT_ELEVEN}:" in _page(response)
    assert f'href="#day_{second.id}-day"' in _page(response)
    assert len(_scheduled_of(db, int(same))) == 1


def test_offering_a_date_when_the_member_is_busy_shows_it_on_that_choice(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    first, second, _ = _signed_in_manager(client, db)
    response = submit_form(client, url_for(app, "moderation_admin.offer", visit_id=second.id), {
        "day_1": ["11", "6", "2031"], "start_1": "10:00",
        "day_2": ["10", "6", "2031"], "start_2": "11:00", "place": "Room 2"})
    page = _page(response)
    assert response.status_code == 200
    assert f"{TAKEN_AT_ELEVEN}:" in page and f"visiting {first.return_.agency.name}" in page
    assert 'href="#day_2-day"' in page  # on the second choice, the one that clashes
    db.expire_all()
    assert db.get(Visit, second.id).slots == []  # type: ignore[union-attr]


def test_the_agency_choosing_a_date_taken_since_the_offer_is_told_to_choose_another(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    first, second, _ = _same_member(db)
    moderation.offer_slots(db, second, starts=[ELEVEN], place="Room 2", now=NOW, links=LINKS)
    _schedule(db, first, TEN)  # the member's diary fills after the offer
    lead = factories.user(db, Role.AGENCY, agency=second.return_.agency)
    db.commit()
    sign_in(client, lead)
    response = submit_form(client, url_for(app, "agency_visits.choose", visit_id=second.id),
                           {"slot": str(second.slots[0].id)})
    page = _page(response)
    assert response.status_code == 200
    assert f"{TAKEN_AT_ELEVEN}: choose another date" in page and 'href="#slot"' in page
    assert first.return_.agency.name not in page  # never another agency's name
    assert len(_scheduled_of(db, first.member_id)) == 1


# --- two agencies choosing at the same moment ------------------------------------------------

def _two_offers(db: Session) -> tuple[int, int, int | None]:
    """Two visits of one member, offered 10:00 and 11:00 on the same day: they overlap."""
    first, second, _ = _same_member(db)
    moderation.offer_slots(db, first, starts=[TEN], place="Room 1", now=NOW, links=LINKS)
    moderation.offer_slots(db, second, starts=[ELEVEN], place="Room 2", now=NOW, links=LINKS)
    db.commit()
    return first.id, second.id, first.member_id


def _choose(session: Session, visit_id: int) -> str | list[Problem]:
    visit = moderation.get_visit(session, visit_id)
    try:
        moderation.choose_slot(session, visit, visit.slots[0].id, now=NOW, links=LINKS)
    except Invalid as exc:
        session.rollback()
        return exc.problems
    session.commit()
    return "scheduled"


def _one_won(outcomes: dict[int, Any], db: Session, member_id: int | None) -> None:
    """One choice scheduled; the other refused on the date, in the agency's words; the member
    has the one visit."""
    won = [visit_id for visit_id, outcome in outcomes.items() if outcome == "scheduled"]
    lost = [outcome for outcome in outcomes.values() if outcome != "scheduled"]
    assert len(won) == 1 and len(lost) == 1, outcomes
    [[problem]] = lost
    assert problem.field == "day" and problem.message.endswith("is taken: choose another date")
    [kept] = _scheduled_of(db, member_id)
    assert kept.id == won[0]


def test_two_agencies_choosing_overlapping_dates_at_once_one_wins(
    app: Flask, db: Session, tool: object
) -> None:
    first_id, second_id, member_id = _two_offers(db)
    ready = threading.Barrier(2)
    outcomes: dict[int, Any] = {}

    def choose(visit_id: int) -> None:
        with get_db(app).sessionmaker() as session:
            ready.wait()
            try:
                outcomes[visit_id] = _choose(session, visit_id)
            except Exception as exc:  # shown by the assertion below
                outcomes[visit_id] = repr(exc)

    threads = [threading.Thread(target=choose, args=(v,)) for v in (first_id, second_id)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert list(outcomes.values()).count("scheduled") == 1, outcomes
    _one_won(outcomes, db, member_id)


def test_the_second_chooser_waits_for_the_first_and_is_then_refused(
    app: Flask, db: Session, tool: object
) -> None:
    """Deterministic: the first choice is made and not yet committed; the second starts, and
    only once it is held up (PostgreSQL: waiting on a lock; SQLite: starting its first write,
    which must wait for the first's) does the first commit. Checking before locking would let
    the second book the overlapping date."""
    first_id, second_id, member_id = _two_offers(db)
    sessions = get_db(app).sessionmaker
    outcomes: dict[int, Any] = {}
    held_up = threading.Event()
    with sessions() as holder:
        visit = moderation.get_visit(holder, first_id)
        moderation.choose_slot(holder, visit, visit.slots[0].id, now=NOW, links=LINKS)
        outcomes[first_id] = "scheduled"  # not yet committed

        def second() -> None:
            with sessions() as session:
                try:
                    _when_writing(session, held_up)
                    outcomes[second_id] = _choose(session, second_id)
                except Exception as exc:  # shown by the assertion below
                    outcomes[second_id] = repr(exc)
                finally:
                    held_up.set()

        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_held_up(db, held_up, thread)
        assert thread.is_alive(), outcomes  # it had to wait for the first
        holder.commit()
    thread.join()
    _one_won(outcomes, db, member_id)


def _when_writing(session: Session, event: threading.Event) -> None:
    """SQLite: set `event` as the session's connection opens its write transaction."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None

    def trace(statement: str) -> None:
        if statement.strip().upper().startswith("BEGIN"):
            event.set()
            raw.set_trace_callback(None)  # type: ignore[attr-defined]

    raw.set_trace_callback(trace)  # type: ignore[attr-defined]


def _wait_until_held_up(db: Session, event: threading.Event, thread: threading.Thread) -> None:
    if db.get_bind().dialect.name == "sqlite":
        event.wait()
        return
    while thread.is_alive() and not db.scalar(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'")):
        db.rollback()  # a new snapshot of pg_stat_activity each time round
