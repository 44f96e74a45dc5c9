"""An agency's returns: scoped look-up, progress and standard status (counted in SQL), contents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
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
from portal.vocabulary import WEAK_GRADES, Grade, Variant

from ._rules import ActionInput, AnswerInput, StandardInput, answer_problems


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
    title: str = ""
    to_do: tuple[str, ...] = ()  # why a page that is in progress is not complete yet
    copied: int = 0  # answers still as copied from an earlier cycle, to check


@dataclass(frozen=True)
class StandardPart:
    """A standard with the questions of one variant, or a page of the short tool: several
    standards (`sections`) with all their questions, named by the first (`standard`)."""

    standard: Standard
    questions: list[Question]
    variant: str = Variant.FULL.value
    sections: tuple[tuple[Standard, tuple[Question, ...]], ...] = ()
    title: str = ""
    numbers: Mapping[str, str] = field(default_factory=dict)  # displayed number by code
    grouped: bool = False  # a short-tool page: notes per standard, no evidence per standard
    overall_evidence: bool = False  # the whole return's evidence box is on this page

    def number(self, code: str) -> str:
        return self.numbers.get(code, code)

    def codes(self) -> list[str]:
        return [s.code for s, _ in self.sections] or [self.standard.code]


@dataclass(frozen=True)
class DocQuestion:
    code: str
    text: str
    answer: AnswerInput
    number: str = ""  # as the agency sees it (the short tool numbers 1, 2, 3 ...)


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
    overall_evidence: str | None = None  # the short tool's one evidence box (None: per standard)


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
    variant = return_.variant
    numbers = tools.question_numbers(tool, variant)
    parts = []
    for standard in tool.standards:
        questions = [q for q in standard.questions if q.in_variant(variant)]
        if questions:
            parts.append(StandardPart(standard, questions, variant,
                                      ((standard, tuple(questions)),), numbers=numbers))
    return parts


def uses_overall_evidence(return_: Return) -> bool:
    """The short tool of an edition that groups its pages asks for one evidence box in all."""
    pages = return_.cycle.tool_version.pages or {}
    return return_.variant == Variant.SHORT.value and bool(pages.get(return_.variant))


def return_pages(session: Session, return_: Return) -> list[StandardPart]:
    """The pages an agency fills in: a standard each, or the short tool's groups of standards."""
    parts = standard_parts(session, return_)
    if not uses_overall_evidence(return_):
        return parts
    by_code = {p.standard.code: p for p in parts}
    groups = tools.variant_pages(return_.cycle.tool_version, return_.variant)
    pages = []
    for index, group in enumerate(groups, 1):
        members = [by_code[code] for code in group["standards"]]
        pages.append(StandardPart(
            members[0].standard, [q for m in members for q in m.questions], return_.variant,
            tuple((m.standard, tuple(m.questions)) for m in members), title=group["title"],
            numbers=members[0].numbers, grouped=True, overall_evidence=index == len(groups),
        ))
    return pages


def find_part(parts: list[StandardPart], code: str) -> StandardPart:
    """The page that holds standard `code`."""
    for part in parts:
        if code in part.codes():
            return part
    raise NotFound(f"No standard {code} in this return")


def task_list(session: Session, return_: Return) -> list[TaskItem]:
    """Each page (a standard, or a group in the short tool): not started, in progress or done."""
    counts = _standard_counts(session, return_)
    evidenced = set(session.scalars(
        select(Evidence.standard_id)
        .where(Evidence.return_id == return_.id, func.trim(Evidence.text) != "")
    ))
    overall = (return_.overall_evidence or "").strip() != ""
    saved, _ = saved_answers(session, return_)
    copied = {code for code, label in session.execute(
        select(Question.code, Answer.copied_from).join(Question, Question.id == Answer.question_id)
        .where(Answer.return_id == return_.id, Answer.copied_from.is_not(None)))}
    items = []
    for part in return_pages(session, return_):
        ids = [s.id for s, _ in part.sections]
        total, answered, touched, incomplete = (
            sum(counts.get(i, (0, 0, 0, 0))[n] for i in ids) for n in range(4))
        if part.grouped:  # notes are optional; the last page holds the one evidence box
            has_evidence = overall or not part.overall_evidence
            started = touched or any(i in evidenced for i in ids) or (overall and
                                                                      part.overall_evidence)
        else:
            has_evidence = started = part.standard.id in evidenced
        if answered == total and has_evidence and not incomplete:
            status = StandardStatus.COMPLETED
        elif touched or started:
            status = StandardStatus.IN_PROGRESS
        else:
            status = StandardStatus.NOT_STARTED
        title = part.title or f"{part.standard.code}. {part.standard.title}"
        to_do = _to_do(part, saved, has_evidence) if status == StandardStatus.IN_PROGRESS else ()
        items.append(TaskItem(part.standard, status, answered, total, title, to_do,
                              sum(1 for q in part.questions if q.code in copied)))
    return items


def _to_do(part: StandardPart, answers: dict[str, AnswerInput],
           has_evidence: bool) -> tuple[str, ...]:
    """What keeps a page in progress, in the words the agency sees."""
    given = [answers.get(q.code, AnswerInput(q.code)) for q in part.questions]
    blank = sum(1 for a in given if a.grade is None)
    notes = [f"{blank} {'question is' if blank == 1 else 'questions are'} not answered"] \
        if blank else []
    notes += [p.message for a in given if a.grade is not None
              for p in answer_problems(a, part.number(a.code))]
    if not has_evidence:
        notes.append("The evidence box is empty" if part.grouped
                     else f"Describe your evidence for standard {part.standard.code}")
    return tuple(notes)


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
                   evidence: dict[str, str], overall: str | None = None) -> StandardInput:
    """One page's saved answers in the shape a form edits (`overall`: the return's one
    evidence box, for the short tool's page that shows it)."""
    given = [answers.get(q.code, AnswerInput(q.code)) for q in part.questions]
    if part.grouped:
        return StandardInput(
            answers=given, notes={code: evidence.get(code, "") for code in part.codes()},
            overall=(overall or "") if part.overall_evidence else None,
        )
    return StandardInput(answers=given, evidence=evidence.get(part.standard.code, ""))


def return_document(session: Session, return_: Return) -> ReturnDocument:
    """The whole return as a document: agency, cycle, status, every question with its answer."""
    answers, evidence = saved_answers(session, return_)
    variant = return_.variant
    standards = [
        DocStandard(
            code=p.standard.code, title=p.standard.title_for(variant),
            evidence=evidence.get(p.standard.code, ""),
            questions=[DocQuestion(q.code, q.text_for(variant),
                                   answers.get(q.code, AnswerInput(q.code)), p.number(q.code))
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
        overall_evidence=(return_.overall_evidence or "") if uses_overall_evidence(return_)
        else None,
    )
