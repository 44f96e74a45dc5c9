"""The moderation pages: the manager draws and schedules, the member records, the agency reads."""

from __future__ import annotations

from datetime import date, datetime

import icalendar
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import ModerationSample, Role, Standard, Visit
from portal.services import moderation
from tests.support import csrf_from, factories, page, page_text, sign_in, submit_form, url_for
from tests.support.moderation_factories import (
    AFTER_DEADLINE,
    action,
    cycle_with_returns,
    drawn,
    evidence,
    grade,
    members,
)


def test_manager_draws_the_sample_on_the_page_and_sees_the_visits(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    cycle_with_returns(db, {"Health": 12, "Statutory": 8})
    manager = factories.user(db, name="Pat Manager")
    members(db, ["Alex Board", "Bea Carter"])
    db.commit()
    sign_in(client, manager)
    url = url_for(app, "moderation_admin.draw", label="2017-18")
    response = submit_form(client, url, {"rate": "10", "seed": "77", "exclude_recent": "0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(url_for(app, "moderation_admin.cycle", label="2017-18")).get_data(as_text=True)
    assert "2 of 2 target visits planned, 0 completed (20 returns submitted)" in page
    assert "gives the same sample" in page
    assert page.count("Alex Board") == 1 and page.count("Bea Carter") == 1
    db.expire_all()
    sample = db.scalar(select(ModerationSample))
    assert sample is not None and sample.seed == 77 and len(sample.chosen) == 2

    again = submit_form(client, url, {"rate": "10", "seed": "78", "exclude_recent": "0"})
    assert "give a reason to redraw it" in page_text(again)
    redrawn = submit_form(client, url, {"rate": "10", "seed": "78", "exclude_recent": "0",
                                        "reason": "An agency has closed"})
    assert redrawn.status_code == 302
    assert "Earlier draws" in page_text(client.get(url_for(app, "moderation_admin.cycle", label="2017-18")))


def test_manager_schedules_with_an_override_and_reschedules_by_form(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: object
) -> None:
    made, manager = drawn(db)
    visit = made[0]
    bea = db.scalar(select(factories.User).where(factories.User.name == "Bea Carter"))
    assert bea is not None and visit.member_id != bea.id
    sign_in(client, manager)  # type: ignore[arg-type]
    url = url_for(app, "moderation_admin.schedule", visit_id=visit.id)
    form = page_text(client.get(url))
    assert "Alex Board" in form and "Pat Manager" in form
    bad = submit_form(client, url, {"day": ["12", "6", ""], "start": "25:00", "duration": "90",
                                    "place": "", "manager": str(manager.id),  # type: ignore[attr-defined]
                                    "member": str(bea.id)})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200
    for message in ("Enter the date of the visit", "Enter the start time",
                    "Enter where the visit will take place"):
        assert message in text
    missing = submit_form(client, url, {"start": "10:00", "duration": "90", "place": "Hall",
                                        "manager": str(manager.id), "member": str(bea.id)})  # type: ignore[attr-defined]
    assert missing.status_code == 200 and "Enter the date of the visit" in page_text(missing)
    ok = submit_form(client, url, {"day": ["12", "6", "2031"], "start": "10:00", "duration": "90",
                                   "place": "Town Hall", "manager": str(manager.id),  # type: ignore[attr-defined]
                                   "member": str(bea.id)})
    assert ok.status_code == 302, ok.get_data(as_text=True)
    [invitation] = mailbox.to("bea@board.example.org")  # type: ignore[attr-defined]
    [part, pack] = list(invitation.iter_attachments())  # the .ics and the visit pack
    assert pack.get_content_type() == "application/pdf"
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime.fromisoformat("2031-06-12T09:00:00+00:00")
    uid = str(event["uid"])
    assert "12 June 2031 at 10:00am" in page_text(client.get(
        url_for(app, "moderation_admin.visit", visit_id=visit.id)))

    again = submit_form(client, url, {"day": ["13", "6", "2031"], "start": "14:30",
                                      "duration": "60", "place": "Civic Centre",
                                      "manager": str(manager.id), "member": str(bea.id)})  # type: ignore[attr-defined]
    assert again.status_code == 302
    update = mailbox.to("bea@board.example.org")[-1]  # type: ignore[attr-defined]
    [part, _] = list(update.iter_attachments())
    event = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")[0]
    assert str(event["uid"]) == uid and int(event["sequence"]) == 1
    assert event.decoded("dtstart") == datetime.fromisoformat("2031-06-13T13:30:00+00:00")

    cancel = submit_form(client, url_for(app, "moderation_admin.cancel", visit_id=visit.id),
                         {"reason": "Agency closed"})
    assert cancel.status_code == 302
    last = mailbox.to("bea@board.example.org")[-1]  # type: ignore[attr-defined]
    [part] = list(last.iter_attachments())
    calendar = icalendar.Calendar.from_ical(part.get_content())
    assert str(calendar["method"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["sequence"]) == 2


def test_member_records_findings_and_outcome_and_the_agency_reads_it(
    app: Flask, client: FlaskClient, db: Session, tool: object, mailbox: object
) -> None:
    made, _ = drawn(db)
    visit = made[0]
    other = made[1]
    return_ = visit.return_
    grade(db, return_, {"1.1": "good", "1.2": "good", "1.3": "requires_improvement"})
    evidence(db, return_, "1", "Board minutes show quarterly safeguarding reports.")
    action(db, return_, "1.3", "Train the trustees in safer recruitment", "Chair of trustees",
           date(2018, 9, 30))
    visit.status, visit.starts_at = "scheduled", datetime(2018, 3, 12, 10)  # it took place
    db.commit()
    standard = db.scalar(select(Standard).where(Standard.code == "1"))
    assert standard is not None and visit.member is not None
    sign_in(client, visit.member)
    home = client.get(url_for(app, "moderation.home"))
    link = page(home).select_one(f'a[href="{url_for(app, "moderation.visit", visit_id=visit.id)}"]')
    assert link is not None and link.get_text(strip=True) == return_.agency.name
    assert other.return_.agency.name not in home.get_data(as_text=True)
    assert client.get(url_for(app, "moderation.visit", visit_id=other.id)).status_code == 404

    url = url_for(app, "moderation.standard", visit_id=visit.id, standard_id=standard.id)
    standard_link = page(client.get(url_for(app, "moderation.visit", visit_id=visit.id))).select_one(
        f'a[href="{url}"]')
    assert standard_link is not None
    assert standard_link.get_text(strip=True) == "1. Leadership and accountability"
    form = page_text(client.get(url))
    assert "Board minutes show quarterly safeguarding reports." in form
    [plan] = page(client.get(url)).select(".govuk-summary-card")  # beside the answers
    assert plan.select_one(".govuk-summary-card__title").get_text(strip=True) == "Question 1.3"
    assert [" ".join(d.get_text(" ").split()) for d in plan.select("dd")] == [
        "Train the trustees in safer recruitment", "Chair of trustees", "30 September 2018"]
    assert "Requires improvement" in form and "Good" in form
    assert page(client.get(url)).select("form textarea, form input[type=radio]") == []  # reads only

    record_url = url_for(app, "moderation.record", visit_id=visit.id)
    recording = page(client.get(record_url))
    ids = [int(r["name"].removeprefix("grade_")) for r in recording.select(
        'input[type=radio][value="good"]')]
    assert len(ids) == len(moderation.review(db, visit)) and ids[0] == standard.id
    plan_here = recording.select_one(f"#standard-{standard.id}").find_next(
        class_="govuk-summary-card__title")
    assert plan_here.get_text(strip=True) == "Question 1.3"  # the plan beside its standard
    empty = submit_form(client, record_url, {f"note_{standard.id}": "Nothing chosen"})
    assert 'Select a grade for standard 1, or "Not looked at", to keep its note' in page_text(empty)
    no_reason = submit_form(client, record_url, {f"grade_{ids[1]}": "not_looked_at"})
    assert "Enter why you did not look at standard 2" in page_text(no_reason)
    saved = submit_form(client, record_url, {
        f"grade_{standard.id}": "outstanding", f"note_{standard.id}": "Stronger evidence than claimed",
        "outcome": "Evidence confirmed; grades were modest.", "submit": "y"})
    check_url = url_for(app, "moderation.check", visit_id=visit.id)
    assert saved.status_code == 302 and saved.location == check_url
    complete_url = url_for(app, "moderation.complete", visit_id=visit.id)
    too_soon = submit_form(client, url_for(app, "moderation.complete", visit_id=other.id), {},
                           get_url=check_url)
    assert too_soon.status_code == 404
    refused = page(submit_form(client, complete_url, {}, get_url=check_url))
    links = refused.select(".govuk-error-summary__list a")
    assert [a["href"] for a in links] == [f"{record_url}#grade_{i}" for i in ids[1:]]
    assert links[0].get_text(strip=True).startswith("Record standard 2, ")
    rest = {f"grade_{i}": "good" for i in ids[2:]}
    rest |= {f"grade_{ids[1]}": "not_looked_at", f"note_{ids[1]}": "Out of time on the day",
             "outcome": "Evidence confirmed; grades were modest.", "submit": "y"}
    assert submit_form(client, record_url, rest).status_code == 302
    done = submit_form(client, complete_url, {}, get_url=check_url)
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Visit, visit.id).status == "completed"  # type: ignore[union-attr]
    contact = return_.agency.primary_contact
    assert contact is not None
    [told] = mailbox.to(contact.email)  # type: ignore[attr-defined]
    assert f"http://portal.test/moderation/outcome/{visit.id}" in told.get_body(
        ("plain",)).get_content()
    # Once the agency has been told, the findings and outcome stay as sent (issue 11 #9): the
    # pages read only, and a post is refused before anything is read or retyped.
    visit_page = page(client.get(url_for(app, "moderation.visit", visit_id=visit.id)))
    assert visit_page.select("form, .govuk-button") == []
    assert client.get(record_url).status_code == 303
    assert client.get(check_url).status_code == 303
    token = csrf_from(client.get(url_for(app, "auth.sign_out")).get_data(as_text=True))
    for target in (record_url, url, complete_url,
                   url_for(app, "moderation.outcome", visit_id=visit.id)):
        changed = client.post(target, data={f"grade_{standard.id}": "inadequate",
                                            "outcome": "Rewritten", "csrf_token": token})
        assert changed.status_code == 303, target
        assert changed.location == url_for(app, "moderation.visit", visit_id=visit.id)
    told_again = page_text(client.get(url_for(app, "moderation.visit", visit_id=visit.id)))
    assert "outcome has been sent" in told_again
    db.expire_all()
    kept = db.get(Visit, visit.id)
    assert kept is not None and kept.outcome == "Evidence confirmed; grades were modest."
    by_standard = {f.standard_id: f.moderated_grade for f in kept.findings}
    assert by_standard[standard.id] == "outstanding" and by_standard[ids[1]] == "not_looked_at"
    assert len(mailbox.to(contact.email)) == 1  # type: ignore[attr-defined]

    agency_user = factories.user(db, Role.AGENCY, agency=return_.agency)
    outsider = factories.user(db, Role.AGENCY, agency=other.return_.agency)
    db.commit()
    submit_form(client, url_for(app, "auth.sign_out"), {})
    sign_in(client, agency_user)
    outcome_url = url_for(app, "moderation.agency_outcome", visit_id=visit.id)
    home = page(client.get(url_for(app, "agency.home")))
    assert home.select_one(f'a[href="{outcome_url}"]') is not None
    outcome = page_text(client.get(url_for(app, "moderation.agency_outcome", visit_id=visit.id)))
    assert "Evidence confirmed; grades were modest." in outcome
    assert "Stronger evidence than claimed" in outcome and "Outstanding" in outcome
    assert "Not looked at" in outcome and "Out of time on the day" in outcome
    submit_form(client, url_for(app, "auth.sign_out"), {})
    sign_in(client, outsider)
    outcome_link = f'a[href="{url_for(app, "moderation.agency_outcome", visit_id=visit.id)}"]'
    assert page(client.get(url_for(app, "agency.home"))).select_one(outcome_link) is None
    assert client.get(url_for(app, "moderation.agency_outcome", visit_id=visit.id)).status_code == 404
    assert client.get(url_for(app, "moderation.agency_outcome",
                              visit_id=other.id)).status_code == 404  # not completed


def test_calibration_page_shows_the_shares(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    made, manager = drawn(db)
    visit = made[0]
    grade(db, visit.return_, {"1.1": "good", "2.1": "good"})
    standards = {s.code: s for s in db.scalars(select(Standard))}

    moderation.record_finding(db, visit, standard_id=standards["1"].id, moderated_grade="good",
                            note="", now=AFTER_DEADLINE, user_id=None)
    moderation.record_finding(db, visit, standard_id=standards["2"].id,
                            moderated_grade="outstanding", note="", now=AFTER_DEADLINE,
                            user_id=None)
    db.commit()
    sign_in(client, manager)  # type: ignore[arg-type]
    page = page_text(client.get(url_for(app, "moderation_admin.calibration_page",
                              label="2017-18")))
    assert "50% (1)" in page  # agreed 1 of 2, under-scored 1 of 2
    assert "1. Leadership and accountability" in page


def test_pages_refuse_the_wrong_roles(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    made, _ = drawn(db)
    member = made[0].member
    assert member is not None
    sign_in(client, member)
    assert client.get(url_for(app, "moderation_admin.index")).status_code == 403
    assert client.get(url_for(app, "moderation.agency_outcome", visit_id=made[0].id)).status_code == 403


def test_a_double_submit_of_draw_sample_gets_the_existing_sample(
    app: Flask, client: FlaskClient, db: Session, tool: object
) -> None:
    from tests.support import csrf_from

    cycle_with_returns(db, {"Health": 12, "Statutory": 8})
    manager = factories.user(db, name="Pat Manager")
    members(db, ["Alex Board", "Bea Carter"])
    db.commit()
    sign_in(client, manager)
    url = url_for(app, "moderation_admin.draw", label="2017-18")
    form = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "rate": "10",
            "seed": "", "exclude_recent": "0", "replacing": "0"}  # the page had no sample yet

    first = client.post(url, data=form)
    second = client.post(url, data=form)  # the same form again: a double click

    assert (first.status_code, second.status_code) == (302, 302)
    db.expire_all()
    samples = db.scalars(select(ModerationSample)).all()
    assert len(samples) == 1 and samples[0].superseded_at is None
    assert len(db.scalars(select(Visit)).all()) == 2


def test_the_database_refuses_a_second_sample_in_force(db: Session, tool: object) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    cycle, _ = cycle_with_returns(db, {"Health": 4})
    for seed in (1, 2):
        db.add(ModerationSample(cycle_id=cycle.id, rate=0.1, seed=seed, population=[],
                                chosen=[], drawn_at=AFTER_DEADLINE))
    with pytest.raises(IntegrityError):
        db.flush()
