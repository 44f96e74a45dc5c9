"""The short tool of the 2026.2 edition over HTTP: grouped pages, its own words and numbers,
one evidence box, and short returns counted in the sector report beside full ones."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from portal.models import Role
from portal.services.reporting import sector_report
from portal.services.returns import (
    ActionInput,
    AnswerInput,
    StandardInput,
    standard_parts,
    write_standard,
)
from portal.services.tools import variant_pages
from tests.support import factories, page, sign_in, submit_form, url_for
from tests.support.returns_helpers import (
    OPENED,
    codes_by_standard,
    issue,
    post_standard,
    return_of,
    slug,
    text_of,
)

PAGE_LINK = re.compile(r'href="(/agency/returns/\d+/standards/\d+)"')


@pytest.fixture
def volunteer(app: Flask, db: Session, tool: Any) -> tuple[Any, str, list[list[str]]]:
    """A voluntary group on the short tool with an open return; the codes on each page."""
    agency = factories.agency(db, "Brookside Youth Club", sector_name="Voluntary and community",
                              variant="short")
    user = factories.user(db, Role.AGENCY, agency=agency)
    full = factories.agency(db, "Hallam Health Trust", sector_name="Health", variant="full")
    cycle = issue(db)
    url = url_for(app, "agency.return_page", return_id=return_of(db, agency, cycle).id)
    factories.user(db, Role.AGENCY, agency=full)
    db.commit()
    codes = codes_by_standard(tool, "short")
    pages = [[c for s in page["standards"] for c in codes[s]]
             for page in variant_pages(tool, "short")]
    return user, url, pages


def _page_data(codes: list[str], grade: str = "good", **extra: str) -> dict[str, str]:
    return {**{f"grade-{slug(c)}": grade for c in codes}, **extra}


def test_short_return_is_four_pages_then_check_then_submitted(
        client: FlaskClient, volunteer: tuple[Any, str, list[list[str]]]) -> None:
    user, url, pages = volunteer
    sign_in(client, user)
    task_list = client.get(url).get_data(as_text=True)
    links = list(dict.fromkeys(PAGE_LINK.findall(task_list)))
    assert len(links) == len(pages) == 4  # with the check page: 5 pages after the task list
    assert "Who is in charge, and your rules" in text_of(client.get(url))
    first = text_of(client.get(links[0]))
    assert "1. One named person in your group is in charge of keeping children safe." in first
    assert "2. Your group makes time and money" in first and "Question code 1.3" in first
    assert "business plan" not in first and "board" not in first.lower().replace("keyboard", "")
    next_url = links[0]
    for n, codes in enumerate(pages):
        extra = {"overall-evidence": "Our rules, and the training list"} if n == 3 else {}
        response = post_standard(client, next_url, _page_data(codes, **extra), action="continue")
        assert response.status_code == 302, text_of(response)[:1500]
        next_url = response.headers["Location"]
    assert next_url.endswith("/check")
    check_page = client.get(next_url)
    check = text_of(check_page)
    assert "Our rules, and the training list" in check and "(code 12.2)" in check
    # the code is a styled span beside each question, never its markup shown as text (issue 27)
    assert "<span" not in check
    assert "(code 12.2)" in [c.get_text() for c in page(check_page).select("dt span.app-code")]
    done = post_standard(client, next_url, {"name": "Bo Chan", "role": "Volunteer lead"})
    assert done.headers["Location"].endswith("/submitted")
    pdf = PdfReader(io.BytesIO(client.get(f"{url}/pdf").get_data()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert "Evidence for the whole return" in " ".join(text.split())
    assert "Our rules, and the training list" in " ".join(text.split())


def test_short_tool_asks_for_its_one_evidence_box_and_names_questions_by_number(
        client: FlaskClient, volunteer: tuple[Any, str, list[list[str]]]) -> None:
    user, url, pages = volunteer
    sign_in(client, user)
    links = list(dict.fromkeys(PAGE_LINK.findall(client.get(url).get_data(as_text=True))))
    na = post_standard(client, links[0], {f"grade-{slug(pages[0][1])}": "not_applicable"})
    assert na.status_code == 400
    assert "Enter why question 2 is not applicable" in text_of(na)
    for link, codes in zip(links, pages, strict=True):
        assert post_standard(client, link, _page_data(codes)).status_code == 302
    check = submit_form(client, f"{url}/check", {})
    assert "Describe the evidence for your return" in text_of(check)
    assert page(check).select_one('a[href$="#overall-evidence"]') is not None


def test_short_returns_count_in_the_sector_report_beside_full_returns(
        client: FlaskClient, db: Session, volunteer: tuple[Any, str, list[list[str]]]) -> None:
    user, url, pages = volunteer
    sign_in(client, user)
    links = list(dict.fromkeys(PAGE_LINK.findall(client.get(url).get_data(as_text=True))))
    for n, (link, codes) in enumerate(zip(links, pages, strict=True)):
        extra = {"overall-evidence": "Rules and lists"} if n == 3 else {}
        grade = "requires_improvement" if n == 0 else "good"
        actions = {f"{p}-{slug(c)}{s}": v for c in codes if grade != "good"
                   for p, s, v in (("what", "", "Write it down"), ("who", "", "Chair"),
                                   ("by", "-day", "1"), ("by", "-month", "3"),
                                   ("by", "-year", "2027"))}
        assert post_standard(client, link, _page_data(codes, grade, **extra, **actions)
                             ).status_code == 302
    assert post_standard(client, f"{url}/check", {"name": "Bo", "role": "Lead"}
                         ).status_code == 302
    report = sector_report(db, cycle_label="2026-27")
    first = next(s for s in report.standards if s.code == "1")
    assert (first.tally.graded, first.tally.weak) == (2, 2)  # 1.1 and 1.3, same codes as full
    [voluntary] = [s for s in report.returns_by_sector if s.sector == "Voluntary and community"]
    assert voluntary.returned == 1


def test_copying_from_an_unsubmitted_return_lists_marks_and_says_what_is_left(
        app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    agency = factories.agency(db, "Hillside Scouts", sector_name="Voluntary and community",
                              variant="full")
    user = factories.user(db, Role.AGENCY, agency=agency)
    past = issue(db, label="2025-26", deadline=date(2026, 1, 30))
    old = return_of(db, agency, past)
    parts = {p.standard.code: p for p in standard_parts(db, old)}
    write_standard(db, old, parts["6"], StandardInput(
        [AnswerInput("6.1", "good"),
         AnswerInput("6.2", "requires_improvement",
                     action=ActionInput("Check references", "Chair", date(2026, 3, 1))),
         AnswerInput("6.3", "requires_improvement",
                     action=ActionInput("Brief visitors", "Lead", date(2027, 6, 1)))],
        "Recruitment file"), user_id=None, now=OPENED)
    past.status = "closed"  # never submitted
    current = return_of(db, agency, issue(db))
    db.commit()
    url = url_for(app, "agency.return_page", return_id=current.id)
    sign_in(client, user)
    offer = text_of(client.get(url))
    assert "You started the 2025-26 audit but did not submit it" in offer
    response = submit_form(client, f"{url}/previous", {}, get_url=url)
    assert response.status_code == 302
    task_list = text_of(client.get(url))
    assert "3 answers copied from your 2025-26 return: questions 6.1, 6.2, 6.3" in task_list
    assert "The date has passed for the action on question 6.2: enter a new date" in task_list
    assert "3 copied answers to check" in task_list
    assert "Still to do: 2 questions are not answered; " \
           "Enter the date the action for question 6.2 will be done by" in task_list
    page = text_of(client.get(f"{url}/standards/6"))
    assert page.count("Copied from 2025-26, check it") == 3
    kept = client.get(f"{url}/standards/6").get_data(as_text=True)
    assert 'value="2027"' in kept  # 6.3's action keeps its date, still ahead
    form = {f"grade-{slug(c)}": "good" for c in ("6.1", "6.2", "6.3", "6.4", "6.5")}
    assert post_standard(client, f"{url}/standards/6", {**form, "evidence": "File"}
                         ).status_code == 302
    # 6.2 and 6.3 changed (their own now); 6.1 saved as copied stays to check until confirmed
    assert text_of(client.get(f"{url}/standards/6")).count("Copied from 2025-26, check it") == 1
    assert post_standard(client, f"{url}/standards/6",
                         {**form, "evidence": "File", "confirm-copies": "yes"}).status_code == 302
    assert "Copied from 2025-26" not in text_of(client.get(f"{url}/standards/6"))
