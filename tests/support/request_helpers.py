"""Arranging information requests for the tests: agencies in sectors, a request, answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from portal.models import Agency, InformationRequest, RequestRecipient
from portal.services.accounts import LinkSettings
from portal.services.requests import NewQuestion, NewRequest, answer_request, send_request
from tests.support import factories
from tests.support.chaser_helpers import address_of

LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=72,
                     partnership="Test Safeguarding Partnership", help_email="help@example.org")
QUESTIONS = [
    NewQuestion("What training do your staff have on working with disabled children?"),
    NewQuestion("Has everyone who recruits completed safer recruitment training?", "yes_no"),
    NewQuestion("How often is that training refreshed?", "choice",
                ["Every year", "Every 3 years", "Never"]),
]


def agencies(session: Session, names_by_sector: dict[str, list[str]]) -> dict[str, Agency]:
    return {name: factories.agency(session, name, sector_name=sector, email=address_of(name))
            for sector, names in names_by_sector.items() for name in names}


def new_request(**overrides: object) -> NewRequest:
    values: dict[str, object] = {
        "title": "Training on working with disabled children", "signatory": "Independent Chair",
        "deadline": date(2018, 5, 25), "audience": "all", "questions": QUESTIONS,
        "introduction": "The audit found disabled children among the weakest standards.",
    }
    values.update(overrides)
    return NewRequest(**values)  # type: ignore[arg-type]


def send(session: Session, *, now: datetime = datetime(2018, 5, 1, 9), **overrides: object
         ) -> InformationRequest:
    made = send_request(session, new_request(**overrides), now=now, links=LINKS)
    session.commit()
    return made


def answer(session: Session, request: InformationRequest, agency: Agency, when: datetime,
           values: dict[int, str] | None = None) -> RequestRecipient:
    recipient = next(r for r in request.recipients if r.agency_id == agency.id)
    defaults = {q.id: {"text": "Half-day course", "yes_no": "yes", "choice": "Every 3 years"}[q.kind]
                for q in request.questions}
    answer_request(session, recipient, values or defaults, now=when)
    session.commit()
    return recipient


def send_from_the_form(client: Any, url: str, data: dict[str, Any]) -> tuple[Any, Any]:
    """Fill the new-request form, preview its emails, then send them with the preview's
    digest (as the "Send N emails" button does): (the preview page, the send's response)."""
    from bs4 import BeautifulSoup

    from tests.support import csrf_from, submit_form

    preview = submit_form(client, url, data)
    html = preview.get_data(as_text=True)
    button = BeautifulSoup(html, "lxml").select_one('button[name="previewed"]')
    assert button is not None, html[:3000]
    return preview, client.post(url, data={"csrf_token": csrf_from(html), **data,
                                           "previewed": button["value"]})
