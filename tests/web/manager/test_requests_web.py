"""Information requests and recommendations through the pages: send, answer, export, progress."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.models import InformationRequest, Recommendation, RecommendationStatus, Role, utcnow
from portal.services.common import uk_today
from tests.support import factories, page_text, sign_in, submit_form, url_for
from tests.support.chaser_helpers import open_cycle_with
from tests.support.mail import deliver
from tests.support.request_helpers import agencies, send_from_the_form

FUTURE = uk_today(utcnow()) + timedelta(days=30)


def _date(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _request_form(**overrides: Any) -> dict[str, Any]:
    form = {"title": "Safer recruitment training", "signatory": "Independent Chair",
            "deadline": _date(FUTURE), "audience": "sector", "introduction": "",
            "question_1": "Have your recruiters been trained?", "kind_1": "yes_no",
            "question_2": "Which course?", "kind_2": "text"}
    for n in range(1, 6):
        form.setdefault(f"question_{n}", "")
        form.setdefault(f"kind_{n}", "text")
        form.setdefault(f"choices_{n}", "")
    form.update(overrides)
    return form


def test_a_request_with_no_questions_a_past_deadline_or_no_recipients_is_shown_as_an_error(
    app: Flask, client: FlaskClient, db: Session
) -> None:
    made = agencies(db, {"Health": ["Riverside NHS Trust"]})
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    sign_in(client, manager)
    sector = str(made["Riverside NHS Trust"].sector_id)
    cases = [
        (_request_form(sector=sector, question_1="", question_2=""), "Add at least one question"),
        (_request_form(sector=sector, deadline=_date(date(2020, 1, 6))),
         "The deadline must be today or in the future, not 6 January 2020"),
        (_request_form(audience="chosen", agencies=""), "Enter at least one agency name"),
        (_request_form(sector=str(factories.sector(db, "Faith groups").id)),
         "No active agency would receive this request"),
    ]
    for data, message in cases:
        page = submit_form(client, url_for(app, "requests.new"), data)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "govuk-error-summary" in html and message in html, message
    assert db.scalar(select(func.count(InformationRequest.id))) == 0


def test_agencies_answer_and_the_manager_exports_the_answers(
    app: Flask, db: Session, mailbox: Any
) -> None:
    made = agencies(db, {"Health": ["Riverside NHS Trust", "Valley Hospital"],
                         "Statutory": ["County Police"]})
    manager = factories.user(db, Role.MANAGER)
    lead = factories.user(db, Role.AGENCY, agency=made["Riverside NHS Trust"])
    police = factories.user(db, Role.AGENCY, agency=made["County Police"])
    db.commit()
    client = app.test_client()
    sign_in(client, manager)
    _, sent = send_from_the_form(client, url_for(app, "requests.new"), _request_form(
        sector=str(made["Riverside NHS Trust"].sector_id)))
    assert sent.status_code == 302, sent.get_data(as_text=True)[:3000]
    request = db.scalar(select(InformationRequest))
    assert request is not None
    deliver(app)  # the delivery cron: requests only queue
    assert sorted(m["To"] for m in mailbox.messages) == [
        "riverside.nhs.trust@agency.example.org", "valley.hospital@agency.example.org"]

    agency = app.test_client()
    sign_in(agency, lead)
    requests_page = agency.get(url_for(app, "agency_requests.index"))
    assert "Safer recruitment training" in page_text(requests_page)
    q1, q2 = request.questions
    missing = submit_form(agency, url_for(app, "agency_requests.answer",
                                          request_id=request.id), {f"q_{q2.id}": "Level 2"})
    assert "Select an answer to question 1" in page_text(missing)
    done = submit_form(agency, url_for(app, "agency_requests.answer", request_id=request.id),
                       {f"q_{q1.id}": "yes", f"q_{q2.id}": "=Safer Recruitment Level 2"})
    assert done.status_code == 302

    other = app.test_client()
    sign_in(other, police)
    assert other.get(url_for(app, "agency_requests.answer", request_id=request.id)).status_code == 404

    page = page_text(client.get(url_for(app, "requests.detail", request_id=request.id)))
    assert "1 of 2 agencies have answered (50.0%)" in page
    rows = list(csv.reader(io.StringIO(
        client.get(url_for(app, "requests.download", request_id=request.id,
                           fmt="csv")).get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Agency", "Sector", "Answered (UK time)",
                       "Q1. Have your recruiters been trained?", "Q2. Which course?"]
    assert rows[1][0] == "Riverside NHS Trust" and rows[1][3:] == ["Yes", "'=Safer Recruitment Level 2"]
    assert rows[2][:3] == ["Valley Hospital", "Health", "Not answered"]
    book = load_workbook(io.BytesIO(client.get(url_for(app, "requests.download", request_id=request.id,
                                                       fmt="xlsx")).data))
    assert book["Responses"]["E2"].value == "=Safer Recruitment Level 2"
    assert [c.value for c in book["Response rate by sector"][2]] == ["Health", 2, 1, 0.5]
    pdf = PdfReader(io.BytesIO(client.get(url_for(app, "requests.download", request_id=request.id,
                                                  fmt="pdf")).data))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Response rate by sector" in text and "=Safer Recruitment Level 2" in text
    assert "Not answered" in text and "Valley Hospital" in text


def test_the_committee_records_a_recommendation_and_sees_what_is_overdue(
    app: Flask, client: FlaskClient, db: Session, tool: Any
) -> None:
    arranged = open_cycle_with(db, ["Riverside NHS Trust"])
    member = factories.user(db, Role.COMMITTEE)
    db.commit()
    sign_in(client, member)
    form = {"cycle": str(arranged.cycle.id), "text": "Develop a shorter tool for small groups",
            "standards": "6, 99", "owner_kind": "committee", "owner_name": "MESC",
            "due_on": _date(date(2019, 3, 31))}
    refused = submit_form(client, url_for(app, "recommendations.new"), form)
    assert "There is no standard 99 in the 2018-19 tool" in page_text(refused)
    form = {**form, "standards": "6, 12"}
    past = submit_form(client, url_for(app, "recommendations.new"), form)
    assert "The date the recommendation is due must be today or in the future" in page_text(past)
    due = uk_today(utcnow()) + timedelta(days=30)
    recorded = submit_form(client, url_for(app, "recommendations.new"), {**form, "due_on": _date(due)})
    assert recorded.status_code == 302
    found = db.scalar(select(Recommendation))
    assert found is not None and found.standards == "6, 12" and found.due_on == due
    db.execute(update(Recommendation).values(due_on=date(2019, 3, 31)))  # time passes
    db.commit()
    recommendations = client.get(url_for(app, "recommendations.index"))
    assert "1 recommendation is overdue" in page_text(recommendations)

    url = url_for(app, "recommendations.detail", recommendation_id=found.id)
    no_reason = submit_form(client, url, {"status": "dropped", "note": "Not needed",
                                          "on": _date(date(2019, 1, 7))})
    assert "Enter why the recommendation was dropped" in page_text(no_reason)
    done = submit_form(client, url, {"status": "done", "note": "Short tool published",
                                     "on": _date(date(2019, 1, 7))})
    assert done.status_code == 302
    db.refresh(found)
    assert found.status == RecommendationStatus.DONE.value
    assert "Short tool published" in page_text(client.get(url))
    assert "overdue" not in client.get(url_for(app, "recommendations.index")).get_data(as_text=True)
