"""A partnership whose corroboration gaps are known by construction (the survey tests).

The tool is the bundled current edition (2026.2) with its twelve practitioner statements, loaded
as version "survey-test". Cohort A, every return submitted with
every answer "good". Staff answer every statement "agree" except:

  G1 (Health, 12 responses): S1 (3.1) and S3 (9.1) "disagree" from all       -> gaps 3.1, 9.1
  G2 (GP practices, 10):     S2 (5.1, 5.2) 4 agree, 6 disagree (40%);
                             S3 (9.1) "partly" from all                      -> gaps 5.1, 5.2, 9.1
  OK (Health, 10):           all agree                                       -> no gaps
  F4 (Voluntary, 9):         everything "disagree", but 9 < 10: hidden       -> no gaps shown
  N0 (Health, 0):            no responses

Figures are released only once the cycle has closed: `close()` closes it.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, SoupStrainer
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, Cycle, Return, ReturnStatus, ToolVersion
from portal.services import survey, tools
from portal.services.cycles import create_cycle, open_cycle
from portal.views import survey as survey_views
from tests.support import factories

OPENED = datetime(2026, 5, 1, 9)
DEADLINE = date(2026, 7, 31)
AFTER_DEADLINE = datetime(2026, 8, 3, 9)
SECTORS = {"G1": "Health", "G2": "GP practices", "OK": "Health",
           "F4": "Voluntary and community", "N0": "Health"}


def survey_tool_file(folder: Path, statements: list[dict[str, object]] | None = None) -> Path:
    data = json.loads(tools.CURRENT_EDITION.read_text())
    data["version"] = "survey-test"
    if statements is not None:
        data["statements"] = statements
    path = folder / "survey-tool.json"
    path.write_text(json.dumps(data))
    return path


def survey_tool(db: Session, folder: Path) -> ToolVersion:
    return tools.load_tool(db, survey_tool_file(folder)).tool_version


@dataclass
class Known:
    cycle: Cycle
    agencies: dict[str, Agency]


def answers_for(short: str, n: int) -> dict[str, str]:
    """The n-th response's answers for agency `short` (see the module docstring)."""
    answers = {f"S{i}": "agree" for i in range(1, 13)}
    if short == "G1":
        answers.update(S1="disagree", S3="disagree")
    if short == "G2":
        answers.update(S2="agree" if n < 4 else "disagree", S3="partly")
    if short == "F4":
        answers = dict.fromkeys(answers, "disagree")
    return answers


RESPONSES = {"G1": 12, "G2": 10, "OK": 10, "F4": 9, "N0": 0}


def close(db: Session, known: Known) -> None:
    """Close the cycle, and so its survey: only then are figures released."""
    known.cycle.status = "closed"
    db.commit()


def build(db: Session, folder: Path, *, responses: dict[str, int] | None = None) -> Known:
    tool = survey_tool(db, folder)
    agencies = {short: factories.agency(db, f"{SECTORS[short]} agency {short}",
                                        sector_name=SECTORS[short]) for short in SECTORS}
    cycle = create_cycle(db, label="2026-27", cohort="A", deadline=DEADLINE, now=OPENED,
                         tool_version=tool)
    open_cycle(db, cycle, now=OPENED, links=None)
    statements = survey.statements_of(db, tool.id)
    questions = {q.code: q.id for s in tools.get_tool(db, tool.version).standards for q in s.questions}
    for return_ in db.scalars(select(Return).where(Return.cycle_id == cycle.id)):
        db.add_all(Answer(return_id=return_.id, question_id=q_id, grade="good")
                   for q_id in questions.values())
        return_.status = ReturnStatus.SUBMITTED.value
        return_.submitted_at = datetime(2026, 7, 1, 12)
    survey.ensure_links(db, cycle, now=OPENED)  # responses come through the agencies' links
    for short, count in (RESPONSES if responses is None else responses).items():
        for n in range(count):
            survey.record_response(db, cycle_id=cycle.id, agency_id=agencies[short].id,
                                   statements=statements,
                                   answers=answers_for(short, n), role_band="frontline",
                                   service_band=None, today=OPENED.date())
    db.commit()
    return Known(cycle, agencies)


def form_token(client: Any, url: str) -> str:
    """The signed token of the survey form a GET of `url` served."""
    page = client.get(url)
    # only the form's inputs are kept from the parse (the stuffing tests fetch 300 forms)
    found = BeautifulSoup(page.get_data(as_text=True), "lxml", parse_only=SoupStrainer("input")).find(
        "input", attrs={"name": "form_token"})
    assert found is not None, "the survey form carries no form token"
    return str(found["value"])


def post_answers(client: Any, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    """Answer the survey as a browser does: GET the form, then POST it with its token."""
    return client.post(url, data={**data, "form_token": form_token(client, url)}, **kwargs)


def post_as_a_script(client: Any, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    """Post the survey as a stuffing script would after fetching the form: with a fresh, valid
    token for the link (signed by the function that serves the form's, as `make bench`'s load
    test does), without rendering and parsing the page each time (a 40 ms render: the 300-post
    test spent most of its time there). A served token proves nothing more: serving the form is
    not limited, posting it is."""
    secret = client.application.config["SECRET_KEY"]
    token = survey_views.form_token(url.rsplit("/", 1)[1], secret_key=secret)
    return client.post(url, data={**data, "form_token": token}, **kwargs)


def pdf_text(content: bytes) -> str:
    """A PDF's text, its whitespace squeezed."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
