"""Factories for moderation tests: cycles with submitted (and graded) returns, members."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Action,
    Answer,
    Cycle,
    CycleStatus,
    Evidence,
    Finding,
    Return,
    ReturnStatus,
    Role,
    User,
    Visit,
)
from portal.services import moderation
from portal.services.accounts import LinkSettings
from portal.services.cycles import create_cycle, open_cycle
from portal.services.tools import get_tool
from tests.support import factories

DEADLINE = date(2018, 1, 31)
OPENED = datetime(2017, 11, 1, 9, 0)
AFTER_DEADLINE = datetime(2018, 3, 1, 9, 0)


def cycle_with_returns(
    session: Session, sector_counts: dict[str, int], *, label: str = "2017-18",
    deadline: date = DEADLINE, submitted: bool = True,
) -> tuple[Cycle, list[Return]]:
    """A cycle whose returns (one per new agency, by sector) are all submitted."""
    for sector_name, count in sector_counts.items():
        for _ in range(count):
            factories.agency(session, sector_name=sector_name, cohort="A")
    cycle = create_cycle(session, label=label, cohort="A", deadline=deadline, now=OPENED)
    for earlier in session.scalars(select(Cycle).where(Cycle.status == CycleStatus.OPEN.value)):
        earlier.status = CycleStatus.CLOSED.value  # one open cycle per cohort (escalations aside)
    returns = open_cycle(session, cycle, now=OPENED, links=None)
    if submitted:
        for return_ in returns:
            submit(return_)
    session.flush()
    return cycle, returns


def submit(return_: Return) -> None:
    return_.status = ReturnStatus.SUBMITTED.value
    return_.submitted_at = datetime.combine(return_.cycle.deadline, datetime.min.time())


def grade(session: Session, return_: Return, grades: dict[str, str | None]) -> None:
    """Answer questions by code ("1.1": "good"); None leaves a question blank."""
    tool = get_tool(session, return_.cycle.tool_version.version)
    questions = {q.code: q for s in tool.standards for q in s.questions}
    for code, value in grades.items():
        session.add(Answer(return_id=return_.id, question_id=questions[code].id, grade=value,
                           na_reason="Not relevant" if value == "not_applicable" else None))
    session.flush()


def action(session: Session, return_: Return, code: str, what: str, who: str,
           by_when: date | None) -> None:
    """The agency's action plan for the question `code` ("1.3")."""
    tool = get_tool(session, return_.cycle.tool_version.version)
    [question] = [q for s in tool.standards for q in s.questions if q.code == code]
    session.add(Action(return_id=return_.id, question_id=question.id, what=what, who=who,
                       by_when=by_when))
    session.flush()


def evidence(session: Session, return_: Return, standard_code: str, text: str) -> None:
    tool = get_tool(session, return_.cycle.tool_version.version)
    standard = next(s for s in tool.standards if s.code == standard_code)
    session.add(Evidence(return_id=return_.id, standard_id=standard.id, text=text))
    session.flush()


def members(session: Session, names: list[str]) -> list[User]:
    return [factories.user(session, Role.MODERATOR, name=name,
                           email=f"{name.split()[0].lower()}@board.example.org")
            for name in names]


VISIT_LINKS = LinkSettings(secret_key="x" * 40, base_url="http://portal.test", hours=24,
                     partnership="Anyshire Safeguarding Children Partnership",
                     help_email="help@example.org")


def drawn(db: Session, sectors: dict[str, int] | None = None) -> tuple[list[Visit], object]:
    """A drawn 10% sample with its visits planned, and the manager who drew it (committed)."""
    cycle, _ = cycle_with_returns(db, sectors or {"Health": 12, "Statutory": 8})
    manager = factories.user(db, name="Pat Manager", email="pat@partnership.example.org")
    members(db, ["Alex Board", "Bea Carter"])
    sample = moderation.draw_sample(db, cycle=cycle, rate=0.1, seed=11, now=AFTER_DEADLINE,
                                  user_id=manager.id)
    made = moderation.plan_visits(db, sample=sample, manager_id=manager.id, now=AFTER_DEADLINE)
    db.commit()
    return made, manager


def record_every_standard(session: Session, visit: Visit, moderated_grade: str = "good") -> None:
    """A finding for every standard of the visit's return (as completing the visit needs),
    written plainly: no rule applies to the test's arrangement."""
    for review in moderation.review(session, visit):
        if review.finding is None:
            session.add(Finding(visit_id=visit.id, standard_id=review.standard.id,
                                moderated_grade=moderated_grade, note="Seen",
                                recorded_at=AFTER_DEADLINE))
    session.flush()
    session.refresh(visit)
