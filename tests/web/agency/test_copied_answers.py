"""Copied answers over HTTP (issue 27, item 3): the task list says "Check copied answers", each
page asks "I have checked these copied answers", the check page lists what is unconfirmed with a
link to each, and submitting is refused with a GOV.UK error summary until each is confirmed."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.services.returns import copied_marks, return_pages
from tests.support import page, sign_in, submit_form, url_for, visible_text
from tests.support.copied_answers import PREVIOUS, Copying, answered_last_cycle
from tests.support.returns_helpers import post_standard, slug
from tests.support.spreadsheets import download, upload

DECLARATION = {"name": "Bo Chan", "role": "Volunteer lead"}


def _started(app: Flask, client: FlaskClient, db: Session, variant: str) -> tuple[Copying, str]:
    """Signed in as the agency, after "Start from my last return's answers"."""
    setting = answered_last_cycle(db, variant=variant, name=f"Riverside {variant} group")
    db.commit()
    sign_in(client, setting.user)
    url = url_for(app, "agency.return_page", return_id=setting.current.id)
    started = submit_form(client, url_for(app, "agency.start_from_previous",
                                          return_id=setting.current.id), {}, get_url=url)
    assert started.status_code == 302
    return setting, url


def _clean(soup: BeautifulSoup) -> str:
    """The page's visible text, which must never show markup."""
    text = visible_text(soup)
    assert "<span" not in text and "&lt;" not in text
    return text


def _statuses(client: FlaskClient, url: str) -> list[str]:
    soup = page(client.get(url))
    _clean(soup)
    return [s.get_text(" ", strip=True) for s in soup.select(".govuk-task-list__status")]


def _page_form(client: FlaskClient, link: str) -> dict[str, str]:
    """A page's fields as shown (the copied answers), to post back unchanged."""
    soup = page(client.get(link))
    data = {r["name"]: r["value"] for r in soup.select('input[type="radio"][checked]')}
    data.update({t["name"]: t.get_text() for t in soup.select("textarea")})
    return data


@pytest.mark.parametrize(("variant", "parts"), [("full", 12), ("short", 4)])
def test_the_task_list_says_check_copied_answers_until_each_page_is_confirmed(
        app: Flask, client: FlaskClient, db: Session, tool: Any, variant: str,
        parts: int) -> None:
    setting, url = _started(app, client, db, variant)
    statuses = _statuses(client, url)
    assert len(statuses) == parts and "Completed" not in statuses
    assert statuses[:-1] == ["Check copied answers"] * (parts - 1)
    soup = page(client.get(url))
    first = soup.select_one(".govuk-task-list__item")
    assert first is not None and "copied answers to check" in _clean(first)
    assert "You have completed 0 of" in _clean(soup.select_one("#progress"))

    link = url_for(app, "agency.standard", return_id=setting.current.id,
                   code=return_pages(db, setting.current)[0].standard.code)
    shown = page(client.get(link))
    assert "copied from your 2025-26 return" in _clean(shown.select_one("#copied-answers"))
    box = shown.select_one('input[name="confirm-copies"]')
    assert box is not None and box.get("checked") is None
    assert shown.select_one('label[for="confirm-copies"]').get_text(strip=True) == \
        "I have checked these copied answers"

    form = _page_form(client, link)
    assert post_standard(client, link, form).status_code == 302  # saved, not confirmed
    assert _statuses(client, url)[0] == "Check copied answers"
    assert post_standard(client, link, {**form, "confirm-copies": "yes"}).status_code == 302
    assert _statuses(client, url)[0] != "Check copied answers"
    confirmed = page(client.get(link))
    assert confirmed.select_one('input[name="confirm-copies"]') is None
    assert confirmed.select_one("#copied-answers") is None


def test_the_check_page_lists_each_unconfirmed_answer_and_submit_is_refused_until_confirmed(
        app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    setting, _ = _started(app, client, db, "short")
    parts = return_pages(db, setting.current)
    codes = [q.code for part in parts for q in part.questions]
    check_url = url_for(app, "agency.check", return_id=setting.current.id)
    check = page(client.get(check_url))
    listed = check.select("#unconfirmed-copies li a")
    assert len(listed) == len(codes) == 19
    assert "19 answers are copied from an earlier return and not checked yet" in \
        _clean(check.select_one("#unconfirmed-copies"))
    page_of = {q.code: st.code for p in parts for st, qs in p.sections for q in qs}
    assert [a["href"] for a in listed] == [
        url_for(app, "agency.standard", return_id=setting.current.id, code=page_of[c])
        + f"#grade-{slug(c)}" for c in codes]
    assert _clean(listed[0]) == \
        f"Check your answer to question 1, copied from {PREVIOUS}, and confirm it or change it"
    assert _clean(check).count("Copied, not checked") == 19

    links = [url_for(app, "agency.standard", return_id=setting.current.id, code=p.standard.code)
             for p in parts]
    evidence = {"overall-evidence": "Our written rules and the training list"}
    for link in links:  # every page saved, the copied answers as they were: not confirmed
        extra = evidence if link == links[-1] else {}
        assert post_standard(client, link, {**_page_form(client, link), **extra}
                             ).status_code == 302
    refused = post_standard(client, check_url, DECLARATION)
    assert refused.status_code == 400
    summary = page(refused).select_one(".govuk-error-summary")
    assert summary is not None
    assert "You cannot submit yet: 19 things to finish" in _clean(summary)
    errors = summary.select(".govuk-error-summary__list a")
    assert [a["href"] for a in errors] == [a["href"] for a in listed]

    for link in links[:-1]:
        assert post_standard(client, link, {**_page_form(client, link), "confirm-copies": "yes"}
                             ).status_code == 302
    left = page(post_standard(client, check_url, DECLARATION))
    last = [q.code for q in parts[-1].questions]
    assert [a["href"].rsplit("#", 1)[1] for a in
            left.select(".govuk-error-summary__list a")] == [f"grade-{slug(c)}" for c in last]

    assert post_standard(client, links[-1], {**_page_form(client, links[-1]),
                                              "confirm-copies": "yes"}).status_code == 302
    assert page(client.get(check_url)).select_one("#unconfirmed-copies") is None
    done = post_standard(client, check_url, DECLARATION)
    assert done.status_code == 302
    assert done.headers["Location"].endswith(
        url_for(app, "agency.submitted", return_id=setting.current.id))
    db.expire_all()
    assert copied_marks(db, setting.current) == {}


def test_a_page_refused_for_a_rule_keeps_its_confirmation_ticked_and_confirms_nothing(
        app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    setting, _ = _started(app, client, db, "full")
    part = return_pages(db, setting.current)[0]
    link = url_for(app, "agency.standard", return_id=setting.current.id, code=part.standard.code)
    first = slug(part.questions[0].code)
    form = {**_page_form(client, link), f"grade-{first}": "not_applicable",
            "confirm-copies": "yes"}
    refused = post_standard(client, link, form)
    assert refused.status_code == 400
    soup = page(refused)
    assert soup.select_one(".govuk-error-summary") is not None
    assert soup.select_one('input[name="confirm-copies"]').get("checked") is not None
    db.expire_all()
    assert len(copied_marks(db, setting.current)) == \
        sum(len(p.questions) for p in return_pages(db, setting.current))


def test_a_spreadsheet_uploaded_back_confirms_only_the_copied_answers_it_changes(
        app: Flask, client: FlaskClient, db: Session, tool: Any) -> None:
    setting, url = _started(app, client, db, "full")
    codes = [q.code for p in return_pages(db, setting.current) for q in p.questions]
    book = download(client, setting.current.id)
    assert upload(client, setting.current.id, book).status_code == 302  # as downloaded
    db.expire_all()
    assert set(copied_marks(db, setting.current)) == set(codes)
    book = download(client, setting.current.id)
    sheet = book["Standard 1"]
    assert sheet["A4"].value == codes[0]
    sheet["C4"] = "Outstanding"
    assert upload(client, setting.current.id, book).status_code == 302
    db.expire_all()
    assert set(copied_marks(db, setting.current)) == set(codes[1:])
    assert _statuses(client, url)[0] == "Check copied answers"
