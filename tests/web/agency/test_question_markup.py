"""The standard page's questions come from cached fragments (portal/views/question_markup.py),
and the page is byte for byte the page the GOV.UK macros render (QUESTION_FRAGMENTS off): for
the full and the short tool, a fresh page, last cycle's answers beside each question, copied
answers to check, and every error state (a missing reason, a missing action, a date that is not
a date, values kept as typed, line breaks in textareas and in a single-line field)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.services.returns import return_pages
from portal.views import question_markup
from tests.support import sign_in, submit_form, url_for
from tests.support.copied_answers import answered_last_cycle
from tests.support.returns_helpers import hidden_fields, slug

PER_RENDER = re.compile(r'((?:name="csrf_token" type="hidden" value|nonce)=")[^"]*"')


def _both(app: Flask, fetch: Any) -> tuple[str, str]:
    """The page from fragments and by the macros, less what is new per render (CSRF, nonce)."""
    pages = []
    for fragments in (True, False):
        app.config["QUESTION_FRAGMENTS"] = fragments
        response = fetch()
        assert response.status_code in (200, 400), response.status_code
        pages.append(PER_RENDER.sub(r'\1"', response.get_data(as_text=True)))
    app.config["QUESTION_FRAGMENTS"] = True
    return pages[0], pages[1]


def _errors(codes: list[str]) -> dict[str, str]:
    """A page's answers that break every rule a question has, with values kept as typed."""
    first, *rest = codes
    data = {f"grade-{slug(first)}": "not_applicable", f"comment-{slug(first)}": "Line one\nline two"}
    if rest:
        weak = slug(rest[0])
        data.update({f"grade-{weak}": "inadequate", f"who-{weak}": "Chair & <board>",
                     f"by-{weak}-day": "31", f"by-{weak}-month": "02", f"by-{weak}-year": "2027",
                     f"what-{weak}": "Train\r\nevery volunteer"})
    for code in rest[1:2]:
        data.update({f"grade-{slug(code)}": "requires_improvement"})
    for code in rest[2:3]:
        data.update({f"grade-{slug(code)}": "good", f"who-{slug(code)}": "two\nlines"})
    return data


@pytest.mark.parametrize("variant", ["full", "short"])
def test_the_question_page_is_the_macros_markup_byte_for_byte(
        app: Flask, client: FlaskClient, db: Session, tool: Any, variant: str) -> None:
    setting = answered_last_cycle(db, variant=variant, name=f"Riverside {variant} group")
    parts = return_pages(db, setting.current)
    db.commit()
    sign_in(client, setting.user)
    urls = [url_for(app, "agency.standard", return_id=setting.current.id,
                    code=part.standard.code) for part in parts]
    compared = 0
    for url in urls:  # last cycle's answers beside each question
        fast, macros = _both(app, lambda url=url: client.get(url))
        assert fast == macros and "app-question" in fast
        compared += fast.count('class="app-question"')
    assert compared == sum(len(part.questions) for part in parts)

    for part, url in zip(parts[:3], urls[:3], strict=False):  # every error at once
        page = client.get(url).get_data(as_text=True)
        data = {**hidden_fields(page), "action": "later",
                **_errors([q.code for q in part.questions])}
        fast, macros = _both(app, lambda url=url, data=data: client.post(url, data=data))
        assert fast == macros
        assert "govuk-error-summary" in fast and "govuk-form-group--error" in fast
        assert "Chair &amp; &lt;board&gt;" in fast or len(part.questions) == 1

    home = url_for(app, "agency.return_page", return_id=setting.current.id)
    started = submit_form(client, url_for(app, "agency.start_from_previous",
                                          return_id=setting.current.id), {}, get_url=home)
    assert started.status_code == 302
    client.get(home)  # shows the flashed "answers copied"
    fast, macros = _both(app, lambda: client.get(urls[0]))  # copied answers to check, checked
    assert fast == macros and "Copied from 2025-26, check it." in fast and " checked" in fast
    kept, refused = question_markup.fragments_kept()
    assert kept >= compared and refused == 0  # every question from a fragment
