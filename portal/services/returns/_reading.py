"""An agency's returns: scoped look-up, progress and standard status (counted in SQL), contents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload

from portal.models import (
    Action,
    Agency,
    Answer,
    Cycle,
    CycleStatus,
    Evidence,
    Question,
    Return,
    ReturnStatus,
    Standard,
)
from portal.services import tools
from portal.services.common import NotFound
from portal.vocabulary import WEAK_GRADES, Grade

from ._rules import ActionInput, AnswerInput, StandardInput


class StandardStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int

    def __str__(self) -> str:
        return f"{self.answered} of {self.total} questions"


@dataclass(frozen=True)
class TaskItem:
    standard: Standard
    status: StandardStatus
    answered: int
    total: int


@dataclass(frozen=True)
class StandardPart:
    """A standard with the questions of one variant."""

    standard: Standard
    questions: list[Question]


@dataclass(frozen=True)
class DocQuestion:
    code: str
    text: str
    answer: AnswerInput


@dataclass(frozen=True)
class DocStandard:
    code: str
    title: str
    evidence: str
    questions: list[DocQuestion]


@dataclass(frozen=True)
class ReturnDocument:
    """Everything a copy of a return shows (check your answers, PDF, spreadsheet)."""

    return_id: int
    agency: str
    sector: str
    cycle: str
    deadline: date
    status: str
    submitted_at: datetime | None
    submitted_by: str | None
    declaration_name: str | None
    declaration_role: str | None
    standards: list[DocStandard]


def get_return(session: Session, return_id: int, *, agency_id: int | None) -> Return:
    """A return by id; an agency user (agency_id given) only ever finds their own agency's."""
    query = (select(Return).options(joinedload(Return.cycle), joinedload(Return.agency))
             .where(Return.id == return_id))
    if agency_id is not None:
        query = query.where(Return.agency_id == agency_id)
    found = session.scalar(query)
    if found is None:
        raise NotFound("No such return")
    return found


def agency_returns(session: Session, agency_id: int) -> tuple[list[Return], list[Return]]:
    """An agency's returns: those in open cycles (soonest deadline first), then past ones."""
    rows = list(session.scalars(
        select(Return).options(joinedload(Return.cycle)).join(Cycle)
        .where(Return.agency_id == agency_id).order_by(Cycle.deadline.desc())
    ))
    current = [r for r in rows if r.cycle.status == CycleStatus.OPEN.value]
    return sorted(current, key=lambda r: r.cycle.deadline), [r for r in rows if r not in current]


def find_returns(session: Session, *, text: str, status: str, limit: int = 100,
                 page: int = 1) -> tuple[list[Return], int]:
    """One page of returns with a status, newest cycle first, optionally by part of the
    agency's name, and how many there are in all."""
    query = (select(Return).join(Cycle).join(Agency).where(Return.status == status))
    if text:
        query = query.where(func.lower(Agency.name).contains(text.lower()))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = session.scalars(
        query.options(joinedload(Return.cycle), joinedload(Return.agency))
        .order_by(Cycle.deadline.desc(), Agency.name, Return.id)
        .offset((max(page, 1) - 1) * limit).limit(limit)).unique()
    return list(found), int(total)


def in_variant(variant: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """SQL: the question belongs to the variant held in a column such as Return.variant."""
    return or_(*[and_(variant == name, flag.is_(True)) for name, flag in _FLAGS.items()])


def variant_flag(variant: str) -> ColumnElement[bool]:
    """SQL: the question belongs to this variant."""
    return _FLAGS[variant].is_(True)


_FLAGS = {"full": Question.in_full, "schools": Question.in_schools, "short": Question.in_short}


def progress(session: Session, return_ids: list[int]) -> dict[int, Progress]:
    """Answered (graded or N/A) and total questions per return, counted in one query."""
    if not return_ids:
        return {}
    rows = session.execute(
        select(Return.id, func.count(Question.id), func.count(Answer.grade))
        .join(Cycle, Cycle.id == Return.cycle_id)
        .join(Question, and_(Question.tool_version_id == Cycle.tool_version_id,
                             in_variant(Return.variant)))
        .outerjoin(Answer, and_(Answer.return_id == Return.id, Answer.question_id == Question.id))
        .where(Return.id.in_(return_ids))
        .group_by(Return.id)
    )
    return {rid: Progress(answered, total) for rid, total, answered in rows}


def standard_parts(session: Session, return_: Return) -> list[StandardPart]:
    """The return's standards, each with its variant's questions (standards without any omitted)."""
    tool = tools.get_tool(session, return_.cycle.tool_version.version)
    parts = [StandardPart(s, [q for q in s.questions if q.in_variant(return_.variant)])
             for s in tool.standards]
    return [p for p in parts if p.questions]


def find_part(parts: list[StandardPart], code: str) -> StandardPart:
    for part in parts:
        if part.standard.code == code:
            return part
    raise NotFound(f"No standard {code} in this return")


def task_list(session: Session, return_: Return) -> list[TaskItem]:
    """Each standard with its status: not started, in progress or completed."""
    counts = _standard_counts(session, return_)
    evidenced = set(session.scalars(
        select(Evidence.standard_id)
        .where(Evidence.return_id == return_.id, func.trim(Evidence.text) != "")
    ))
    items = []
    for part in standard_parts(session, return_):
        total, answered, touched, incomplete = counts.get(part.standard.id, (0, 0, 0, 0))
        has_evidence = part.standard.id in evidenced
        if answered == total and has_evidence and not incomplete:
            status = StandardStatus.COMPLETED
        elif touched or has_evidence:
            status = StandardStatus.IN_PROGRESS
        else:
            status = StandardStatus.NOT_STARTED
        items.append(TaskItem(part.standard, status, answered, total))
    return items


def _standard_counts(session: Session, return_: Return) -> dict[int, tuple[int, int, int, int]]:
    """Per standard: questions, answered, answer rows, answers missing a reason or an action."""
    missing_reason = and_(Answer.grade == Grade.NOT_APPLICABLE.value,
                          func.coalesce(func.trim(Answer.na_reason), "") == "")
    missing_action = and_(Answer.grade.in_(WEAK_GRADES),
                          or_(Action.id.is_(None), Action.by_when.is_(None),
                              func.trim(Action.what) == "", func.trim(Action.who) == ""))
    rows = session.execute(
        select(Question.standard_id, func.count(Question.id), func.count(Answer.grade),
               func.count(Answer.id),
               func.sum(case((or_(missing_reason, missing_action), 1), else_=0)))
        .outerjoin(Answer, and_(Answer.question_id == Question.id,
                                Answer.return_id == return_.id))
        .outerjoin(Action, and_(Action.question_id == Question.id,
                                Action.return_id == return_.id))
        .where(Question.tool_version_id == return_.cycle.tool_version_id,
               variant_flag(return_.variant))
        .group_by(Question.standard_id)
    )
    return {sid: (total, answered, touched, int(bad or 0))
            for sid, total, answered, touched, bad in rows}


def saved_answers(
    session: Session, return_: Return
) -> tuple[dict[str, AnswerInput], dict[str, str]]:
    """The return's answers by question code and evidence by standard code."""
    actions = {
        code: ActionInput(what, who, by_when)
        for code, what, who, by_when in session.execute(
            select(Question.code, Action.what, Action.who, Action.by_when)
            .join(Question, Question.id == Action.question_id)
            .where(Action.return_id == return_.id))
    }
    answers = {
        code: AnswerInput(code, grade, na_reason or "", comment or "",
                          actions.get(code, ActionInput()))
        for code, grade, na_reason, comment in session.execute(
            select(Question.code, Answer.grade, Answer.na_reason, Answer.comment)
            .join(Question, Question.id == Answer.question_id)
            .where(Answer.return_id == return_.id))
    }
    evidence = {code: text for code, text in session.execute(
        select(Standard.code, Evidence.text).join(Standard, Standard.id == Evidence.standard_id)
        .where(Evidence.return_id == return_.id))}
    return answers, evidence


def standard_input(part: StandardPart, answers: dict[str, AnswerInput],
                   evidence: dict[str, str]) -> StandardInput:
    """One standard's saved answers in the shape a form edits."""
    return StandardInput(
        answers=[answers.get(q.code, AnswerInput(q.code)) for q in part.questions],
        evidence=evidence.get(part.standard.code, ""),
    )


def return_document(session: Session, return_: Return) -> ReturnDocument:
    """The whole return as a document: agency, cycle, status, every question with its answer."""
    answers, evidence = saved_answers(session, return_)
    standards = [
        DocStandard(
            code=p.standard.code, title=p.standard.title,
            evidence=evidence.get(p.standard.code, ""),
            questions=[DocQuestion(q.code, q.text, answers.get(q.code, AnswerInput(q.code)))
                       for q in p.questions],
        )
        for p in standard_parts(session, return_)
    ]
    submitted_by = return_.submitted_by
    return ReturnDocument(
        return_id=return_.id, agency=return_.agency.name, sector=return_.agency.sector.name,
        cycle=return_.cycle.label, deadline=return_.cycle.deadline,
        status=ReturnStatus(return_.status).label, submitted_at=return_.submitted_at,
        submitted_by=(submitted_by.name or submitted_by.email) if submitted_by else None,
        declaration_name=return_.declaration_name, declaration_role=return_.declaration_role,
        standards=standards,
    )
