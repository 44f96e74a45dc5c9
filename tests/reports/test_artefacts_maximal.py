"""Every artefact renders from the largest, most hostile input the rules allow, and holds all of
it: each long text's opening and closing markers are read back from the file."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from typing import Any, cast

import pytest
from docx import Document
from hypothesis import given
from icalendar import Calendar
from jinja2 import meta as jinja_meta
from openpyxl import load_workbook
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Cycle, CycleStatus, InformationRequest, OutboxMessage, Return, Role
from portal.reports import annual, request_exports, survey_pdf
from portal.reports.pdf_common import fit
from portal.reports.return_pdf import render_return_pdf
from portal.reports.sector_exports import render_json
from portal.reports.sector_pdf import render_sector_report
from portal.reports.visit_pack import render_visit_pack
from portal.services import moderation, survey
from portal.services.accounts import LinkSettings
from portal.services.cycles import create_cycle, get_cycle, open_cycle
from portal.services.mail import _templates as mail_templates
from portal.services.mail import build_message
from portal.services.mail._templates import SUBJECT_LIMIT
from portal.services.recommendations import (
    RECOMMENDATION_LIMIT,
    NewRecommendation,
    add_update,
    record_recommendation,
)
from portal.services.reporting import annual_section, sector_report, visit_pack
from portal.services.requests import (
    ANSWER_LIMIT,
    QUESTION_LIMIT,
    NewQuestion,
    NewRequest,
    answer_request,
    responses,
    send_request,
)
from portal.services.returns import (
    EVIDENCE_LIMIT,
    TEXT_LIMIT,
    ActionInput,
    AnswerInput,
    StandardInput,
    standard_parts,
    standard_problems,
    submit_return,
    write_standard,
)
from portal.services.returns._rules import WHO_LIMIT
from portal.services.returns._submission import DECLARATION_LIMIT
from tests.support import factories, report_fixture, survey_fixture
from tests.support.maximal_content import MAXIMAL, Maximal, holds, marks, maximal, pdf_text

NAME_LIMIT = 200  # an agency's, a person's, a request's title
OPENED_REQUEST = datetime(2018, 5, 1, 9)
PARTNERSHIP = "Test Safeguarding Partnership"
LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                     partnership=PARTNERSHIP, help_email="help@example.org")
OPENED = datetime(2017, 11, 1, 9)
SUBMITTED = datetime(2017, 12, 1, 9)
AFTER = datetime(2018, 3, 1, 9)
VISIT = datetime(2018, 3, 6, 10)  # a Tuesday morning
PLACE_LENGTH = 200
_cycles = iter(range(2000, 2099))
# how many standards carry the longest texts (every one: ARTEFACT_STANDARDS=99, slow)
STANDARDS = int(os.environ.get("ARTEFACT_STANDARDS", "1"))


def _issued(db: Session, texts: Maximal) -> Return:
    """A new cycle whose one return (to an agency with the longest name) is in progress."""
    year = next(_cycles)
    agency = factories.agency(db, texts.name(NAME_LIMIT))
    for earlier in db.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)):
        earlier.status = CycleStatus.CLOSED.value  # one open cycle per cohort
    cycle = create_cycle(db, label=f"{year}-{(year + 1) % 100:02d}", cohort="A",
                         deadline=date(2018, 1, 31), now=OPENED)
    open_cycle(db, cycle, now=OPENED, links=None)
    return db.scalars(select(Return).where(Return.agency_id == agency.id)).one()


def _fill(db: Session, return_: Return, texts: Maximal) -> list[str]:
    """Every question answered; in the first STANDARDS standards the first answer is inadequate
    with the longest comment, action and owner, the last N/A with the longest reason, and the
    evidence is the longest allowed."""
    long: list[str] = []
    for n, part in enumerate(standard_parts(db, return_)):
        codes = [q.code for q in part.questions]
        answers = [AnswerInput(code, "good") for code in codes]
        if n >= STANDARDS:
            write_standard(db, return_, part, StandardInput(answers, evidence="Seen."),
                           user_id=None, now=SUBMITTED)
            continue
        comment, what, reason = (texts.text(TEXT_LIMIT) for _ in range(3))
        answers[0] = AnswerInput(codes[0], "inadequate", comment=comment, action=ActionInput(
            what, texts.name(WHO_LIMIT), date(2018, 6, 1)))
        answers[-1] = AnswerInput(codes[-1], "not_applicable", na_reason=reason)
        data = StandardInput(answers, evidence=texts.text(EVIDENCE_LIMIT))
        assert standard_problems(part, data) == []  # within every limit the rules set
        write_standard(db, return_, part, data, user_id=None, now=SUBMITTED)
        long += [comment, what, reason, data.evidence, answers[0].action.who]
    return long


def _flat(text: str) -> str:
    return "".join(text.split())


def _emails(db: Session, *where: Any) -> list[EmailMessage]:
    """The queued emails as a mail client reads them."""
    rows = db.scalars(select(OutboxMessage).where(*where).order_by(OutboxMessage.id)).all()
    return [cast(EmailMessage, BytesParser(policy=default).parsebytes(
        build_message(row, "Portal <portal@example.org>").as_bytes())) for row in rows]


@MAXIMAL
@given(texts=maximal())
def test_a_return_of_the_longest_texts_submits_and_its_copy_and_visit_pack_hold_them(
    db: Session, tool: Any, texts: Maximal
) -> None:
    return_ = _issued(db, texts)
    long = _fill(db, return_, texts)
    agency: Agency = return_.agency
    user = factories.user(db, Role.AGENCY, agency=agency, name=texts.name(NAME_LIMIT))
    db.refresh(return_)
    name, role = texts.name(DECLARATION_LIMIT), texts.name(DECLARATION_LIMIT)
    submit_return(db, return_, user=user, declaration_name=name, declaration_role=role,
                  read_version=return_.version, links=LINKS, now=SUBMITTED,
                  render_copy=lambda doc: render_return_pdf(doc, partnership=PARTNERSHIP))
    assert return_.status == "submitted"

    emails = _emails(db, OutboxMessage.return_id == return_.id)  # the submitter, the contact
    assert len(emails) == 2
    for email in emails:
        # a folded header may lose a space between two encoded words (the email package)
        assert _flat(agency.name) in _flat(email["Subject"])
        assert holds(email.get_body(("plain",)).get_content(), agency.name, name, role)
    (attached,) = list(emails[0].iter_attachments())
    assert holds(pdf_text(attached.get_content()), agency.name, name, role, *long)
    _visit_emails_hold(db, return_, texts, long)


def _visit_emails_hold(db: Session, return_: Return, texts: Maximal, long: list[str]) -> None:
    """The visit to the return, scheduled: everyone's invitation has the .ics, the manager's and
    the member's the visit pack too; each holds every long text."""
    manager = factories.user(db, Role.MANAGER, name=texts.name(NAME_LIMIT))
    member = factories.user(db, Role.MODERATOR, name=texts.name(NAME_LIMIT))
    sample = moderation.draw_sample(db, cycle=return_.cycle, rate=1.0, seed=1, now=AFTER,
                                    user_id=None)
    (visit,) = moderation.plan_visits(db, sample=sample, manager_id=None, now=AFTER)
    place = texts.name(PLACE_LENGTH)
    moderation.schedule_visit(
        db, visit, starts_at=VISIT, place=place, now=AFTER, links=LINKS, manager_id=manager.id,
        member_id=member.id,
        pack=lambda v: render_visit_pack(visit_pack(db, v), partnership=PARTNERSHIP))
    emails = _emails(db, OutboxMessage.return_id == return_.id,
                     OutboxMessage.kind == "visit_request")
    assert len(emails) == 3  # the manager, the member, the agency's contact
    packs = [a for e in emails for a in e.iter_attachments() if a.get_content_type() ==
             "application/pdf"]
    assert len(packs) == 2 and holds(pdf_text(packs[0].get_content()), return_.agency.name, *long)
    for email in emails:
        assert holds(email.get_body(("plain",)).get_content(), return_.agency.name, place)
        (ics,) = [a for a in email.iter_attachments() if a.get_content_type() == "text/calendar"]
        # the part has no charset parameter: read its bytes (RFC 5545 text is UTF-8)
        event = Calendar.from_ical(ics.get_payload(decode=True)).walk("VEVENT")[0]
        assert str(event["location"]) == place
        assert str(event["summary"]).endswith(return_.agency.name)
        names = {str(a.params["cn"]) for a in event.get("attendee")}
        assert {manager.name, member.name} <= names


def _requested(db: Session, texts: Maximal) -> tuple[InformationRequest, list[str]]:
    """A request with a long introduction and question to two agencies with the longest names;
    both answer at length (sectors are the seeded ones: no one names them)."""
    sector = "Health"
    for earlier in db.scalars(select(Agency)):
        earlier.active = False  # the request goes to all active agencies: these two
    names = [factories.agency(db, texts.name(NAME_LIMIT), sector_name=sector).name
             for _ in range(2)]
    choices = [texts.name(NAME_LIMIT), texts.name(NAME_LIMIT)]
    made = send_request(db, NewRequest(
        title=texts.name(NAME_LIMIT), signatory=texts.name(NAME_LIMIT), deadline=date(2018, 5, 25),
        audience="all", introduction=texts.text(TEXT_LIMIT),
        questions=[NewQuestion(texts.text(QUESTION_LIMIT)), NewQuestion(texts.name(), "choice", choices)]),
        now=OPENED_REQUEST, links=LINKS)
    answer = texts.text(ANSWER_LIMIT)
    for recipient in made.recipients:
        first, second = made.questions
        answer_request(db, recipient, {first.id: answer, second.id: choices[1]},
                       now=OPENED_REQUEST)
    return made, [*names, sector, answer, choices[1], made.questions[0].text]


@MAXIMAL
@given(texts=maximal())
def test_an_information_requests_longest_answers_fill_its_pdf_csv_and_xlsx(
    db: Session, texts: Maximal
) -> None:
    made, long = _requested(db, texts)
    data = responses(db, made)

    assert holds(pdf_text(request_exports.render_pdf(data, partnership=PARTNERSHIP)),
                 made.title, *long)
    rows = list(csv.reader(io.StringIO(request_exports.render_csv(data).decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(request_exports.render_xlsx(data)))
    cells = [["" if v is None else str(v) for v in row]
             for row in book["Responses"].iter_rows(values_only=True)]
    emails = _emails(db, OutboxMessage.kind == "information_request",
                     OutboxMessage.contact_id.in_([c.id for r in made.recipients
                                                   for c in r.agency.contacts]))
    assert len(emails) == 2
    for email in emails:  # the subject (signatory, agency and title) is cut to fit the outbox
        assert len(email["Subject"]) <= SUBJECT_LIMIT
        assert _flat(email["Subject"]).startswith(_flat(made.signatory))
        assert holds(email.get_body(("plain",)).get_content(), made.introduction)
    for table in (rows, cells):
        names, sector, answer, choice, question = long[:2], *long[2:]
        assert len(table) == 3 and table[0][3] == f"Q1. {question}"
        assert [row[:2] for row in table[1:]] == [[n, sector] for n in sorted(names)]
        assert [row[3:] for row in table[1:]] == [[answer, choice]] * 2


@MAXIMAL
@given(texts=maximal())
def test_the_longest_recommendation_and_update_fill_the_next_cycles_mesc_report(
    db: Session, tool: Any, texts: Maximal
) -> None:
    if db.scalar(select(Cycle).where(Cycle.label == report_fixture.CURRENT)) is None:
        report_fixture.build(db, tool)
    made = record_recommendation(db, get_cycle(db, "2023-24"), NewRecommendation(
        text=texts.text(RECOMMENDATION_LIMIT), standards=["6"], owner_kind="agency",
        owner_name=texts.name(NAME_LIMIT), due_on=date(2024, 6, 30)), now=datetime(2024, 3, 1, 9))
    add_update(db, made, status="in_progress", note=texts.text(RECOMMENDATION_LIMIT),
               on=date(2024, 5, 2), now=datetime(2024, 5, 2, 9))
    report = sector_report(db, cycle_label=report_fixture.CURRENT)

    text = pdf_text(render_sector_report(report, partnership=PARTNERSHIP))
    assert holds(text, made.text, made.owner_name, made.updates[-1].note)
    shown = json.loads(render_json(report))["previous_recommendations"]["recommendations"]
    assert made.text in [r["text"] for r in shown]
    docx = Document(io.BytesIO(annual.render_docx(annual_section(db, cycle_label="2023-24"))))
    cells = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    assert made.text in cells and made.owner_name + " (an agency)" in cells
    markdown = annual.render_markdown(annual_section(db, cycle_label="2023-24")).decode()
    assert holds(markdown, made.text)  # a table cell's "|" escaped, its lines joined


@MAXIMAL
@given(texts=maximal())
def test_the_survey_packs_poster_and_survey_page_hold_the_longest_agency_names(
    db: Session, tmp_path: Path, texts: Maximal
) -> None:
    if db.scalar(select(Cycle).where(Cycle.label == "2026-27")) is None:
        survey_fixture.close(db, survey_fixture.build(db, tmp_path))
    cycle = get_cycle(db, "2026-27")
    agencies = list(db.scalars(select(Agency).order_by(Agency.id)))
    for agency in agencies:
        agency.name = texts.name(NAME_LIMIT)
    db.flush()
    data = survey.survey_results(db, cycle, settings=survey.SurveySettings())
    shown = [a.agency for a in data.by_gaps()]  # those with enough responses
    assert len(shown) == 3

    assert holds(pdf_text(survey_pdf.render_partnership_pack(data)), *shown)
    assert holds(pdf_text(survey_pdf.render_challenge_pack(data.by_gaps()[0], data)), shown[0])
    poster = survey_pdf.render_poster(agency=agencies[0].name, cycle="2026-27",
                                      url="http://portal.test/s/" + "x" * 43, partnership=PARTNERSHIP)
    assert holds(pdf_text(poster), agencies[0].name)
    report = sector_report(db, cycle_label="2026-27", survey_settings=survey.SurveySettings())
    mesc = pdf_text(render_sector_report(report, partnership=PARTNERSHIP))
    assert "Agencieswiththemostcorroborationgaps" in mesc
    assert holds(mesc, *[a.agency for a in data.by_gaps() if a.gaps])


@pytest.mark.no_database
@MAXIMAL
@given(texts=maximal())
def test_a_footer_holding_a_long_name_is_cut_to_the_page_width(texts: Maximal) -> None:
    name = texts.name(NAME_LIMIT)
    for width in (100.0, 400.0):
        footer = fit(f"{name} - visit pack", "Helvetica", 8, width)
        assert stringWidth(footer, "Helvetica", 8) <= width
        assert footer.endswith("…") and footer.startswith(marks(name)[0])
    assert fit("Riverside Youth Club - visit pack", "Helvetica", 8, 400) == (
        "Riverside Youth Club - visit pack")


# The emails whose every field is text; the return's, the request's and the visit's emails are
# built by their services in the tests above.
TEXT_EMAILS = ["chaser", "moderation_outcome", "moderation_slots", "request_reminder",
               "return_reopened", "set_password"]


@pytest.mark.no_database
@MAXIMAL
@given(texts=maximal())
def test_every_email_of_names_alone_reads_back_whole_with_its_subject_cut_to_fit(
    texts: Maximal
) -> None:
    env = mail_templates._environment()
    for kind in TEXT_EMAILS:
        names = set().union(*[jinja_meta.find_undeclared_variables(env.parse(
            env.loader.get_source(env, f"{kind}.{ext}")[0]))  # type: ignore[union-attr]
            for ext in ("txt", "html") if (mail_templates.EMAIL_TEMPLATES / f"{kind}.{ext}").exists()])
        fields = {n: texts.name(NAME_LIMIT) for n in names}
        fields.pop("subject", None)
        email = mail_templates.render_email(kind, to="lead@agency.example.org",
                                            subject=" ".join([*fields.values(), texts.name()]),
                                            **fields)
        row = OutboxMessage(id=1, kind=kind, to_address=email.to, subject=email.subject,
                            body_text=email.text, body_html=email.html, created_at=AFTER)
        parsed = cast(EmailMessage, BytesParser(policy=default).parsebytes(
            build_message(row, "Portal <portal@example.org>").as_bytes()))
        assert len(email.subject) <= SUBJECT_LIMIT and email.subject.endswith("…")
        assert _flat(parsed["Subject"]) == _flat(email.subject)
        plain = parsed.get_body(("plain",)).get_content()
        assert plain.rstrip("\n") == email.text.rstrip("\n")  # read back whole
        assert any(holds(plain, value) for value in fields.values())  # the names are shown
        if email.html:
            assert parsed.get_body(("html",)).get_content().rstrip("\n") == email.html.rstrip("\n")
