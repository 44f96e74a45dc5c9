"""The cookies page lists every cookie a browser receives on a sign-in and survey journey, and
the three pages the law asks for are axe-clean at 1280 and 320 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Role, SurveyLink
from portal.services import survey
from tests.support import factories, survey_fixture
from tests.support.browser import assert_accessible, sign_in_browser


def _listed_patterns(page: Any, live_url: str) -> list[re.Pattern[str]]:
    """The cookies page's names as patterns (a <placeholder> stands for any text)."""
    page.goto(f"{live_url}/cookies")
    names = page.locator("#cookies code").all_inner_texts()
    assert names
    return [re.compile(".+".join(re.escape(part) for part in re.split(r"<[^>]+>", name)) + "$")
            for name in names]


def _answer_survey(page: Any, live_url: str, token: str) -> None:
    page.goto(f"{live_url}/survey/{token}")
    for n in range(1, 13):
        group = page.get_by_role("group", name=f"{n}. ", exact=False).first
        group.get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send your answers").click()
    assert "Thank you for your answers" in page.locator("h1").inner_text()


def test_every_cookie_a_journey_receives_is_on_the_cookies_page(
        page: Any, live_url: str, db: Session, tmp_path: Path) -> None:
    known = survey_fixture.build(db, tmp_path)
    survey.ensure_links(db, known.cycle, now=survey_fixture.OPENED)
    manager = factories.user(db, Role.MANAGER)
    db.commit()
    token = db.scalar(select(SurveyLink.token).where(
        SurveyLink.agency_id == known.agencies["OK"].id))
    assert token is not None

    sign_in_browser(page, live_url, manager.email, factories.PASSWORD)
    page.goto(f"{live_url}/manager/users")
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    _answer_survey(page, live_url, token)

    received = sorted({c["name"] for c in page.context.cookies()})
    assert any(name.startswith("survey_") for name in received)  # the journey reached both
    patterns = _listed_patterns(page, live_url)
    unlisted = [name for name in received if not any(p.match(name) for p in patterns)]
    assert unlisted == []


def test_the_pages_the_law_asks_for_are_accessible(page: Any, live_url: str) -> None:
    for path, heading in (("/accessibility", "Accessibility statement for the Compact Audit "
                                             "portal"),
                          ("/privacy", "Privacy notice"), ("/cookies", "Cookies")):
        page.goto(f"{live_url}{path}")
        assert page.get_by_role("heading", level=1).inner_text() == heading
        assert_accessible(page)
