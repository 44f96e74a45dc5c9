"""A partnership whose corroboration gaps are known by construction (the survey tests).

The tool is the bundled current edition (2026.2) with its twelve practitioner statements, loaded
as version "survey-test". Cohort A, every return submitted with
every answer "good". Staff answer every statement "agree" except:

  G1 (Health, 6 responses):  S1 (3.1) and S3 (9.1) "disagree" from all       -> gaps 3.1, 9.1
  G2 (GP practices, 5):      S2 (5.1, 5.2) 2 agree, 3 disagree (40%);
                             S3 (9.1) "partly" from all                      -> gaps 5.1, 5.2, 9.1
  OK (Health, 5):            all agree                                       -> no gaps
  F4 (Voluntary, 4):         everything "disagree", but 4 < 5: hidden        -> no gaps shown
  N0 (Health, 0):            no responses
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Answer, Cycle, Return, ReturnStatus, ToolVersion
from portal.services import survey, tools
from portal.services.cycles import create_cycle, open_cycle
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
        answers.update(S2="agree" if n < 2 else "disagree", S3="partly")
    if short == "F4":
        answers = dict.fromkeys(answers, "disagree")
    return answers


RESPONSES = {"G1": 6, "G2": 5, "OK": 5, "F4": 4, "N0": 0}


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
    for short, count in (RESPONSES if responses is None else responses).items():
        for n in range(count):
            survey.record_response(db, cycle_id=cycle.id, agency_id=agencies[short].id,
                                   statements=statements,
                                   answers=answers_for(short, n), role_band="frontline",
                                   service_band=None)
    db.commit()
    return Known(cycle, agencies)
