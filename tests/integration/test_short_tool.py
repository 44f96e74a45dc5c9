"""The short tool of the 2026.2 edition over HTTP: grouped pages, its own words and numbers,
one evidence box, and short returns counted in the sector report beside full ones."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import Role
from portal.reports.sector_data import sector_report
from portal.services.tools import variant_pages
from tests import factories
from tests.conftest import sign_in
from tests.integration.returns_helpers import (
    codes_by_standard,
    issue,
    post_standard,
    return_of,
    slug,
    text_of,
)

PAGE_LINK = re.compile(r'href="(/agency/returns/\d+/standards/\d+)"')


@pytest.fixture
def volunteer(db: Session, tool: Any) -> tuple[Any, str, list[list[str]]]:
    """A voluntary group on the short tool with an open return; the codes on each page."""
    agency = factories.agency(db, "Brookside Youth Club", sector_name="Voluntary and community",
                              variant="short")
    user = factories.user(db, Role.AGENCY, agency=agency)
    full = factories.agency(db, "Hallam Health Trust", sector_name="Health", variant="full")
    cycle = issue(db)
    url = f"/agency/returns/{return_of(db, agency, cycle).id}"
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
    check = text_of(client.get(next_url))
    assert "Our rules, and the training list" in check and "(code 12.2)" in check
    done = post_standard(client, next_url, {"name": "Bo Chan", "role": "Volunteer lead"})
    assert done.headers["Location"].endswith("/submitted")


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
    check = client.post(f"{url}/check", data={})
    assert "Describe the evidence for your return" in text_of(check)
    assert "#overall-evidence" in check.get_data(as_text=True)


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
