"""An agency's returns: scoped look-up, progress and standard status (counted in SQL), contents."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

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
from portal.services.tools import QuestionOutline, StandardOutline, ToolOutline
from portal.vocabulary import Variant

from ._rules import ActionInput, AnswerInput, StandardInput, answer_problems

_S = TypeVar("_S", bound="Select")


class StandardStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    CHECK_COPIES = "check_copies"  # holds answers copied from an earlier cycle, not confirmed
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        if self is StandardStatus.CHECK_COPIES:
            return "Check copied answers"
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Progress:
    answered: int
    total: int

    def __str__(self) -> str:
        return f"{self.answered} of {self.total} questions"


@dataclass(frozen=True)
class TaskItem:
    standard: StandardOutline
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

    standard: StandardOutline
    questions: list[QuestionOutline]
    variant: str = Variant.FULL.value
    sections: tuple[tuple[StandardOutline, tuple[QuestionOutline, ...]], ...] = ()
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
    query = (select(Return).options(joinedload(Return.cycle).joinedload(Cycle.tool_version),
                                    joinedload(Return.agency))
             .where(Return.id == return_id))
    if agency_id is not None:
        query = query.where(Return.agency_id == agency_id)
    found = session.scalar(query)
    if found is None:
        raise NotFound("No such return")
    return found


def submitted_return(session: Session, return_id: int, *, agency_id: int | None) -> Return:
    """A return that has been submitted (its confirmation page): any other is not found."""
    found = get_return(session, return_id, agency_id=agency_id)
    if not found.is_submitted:
        raise NotFound("This return has not been submitted")
    return found


def agency_returns(session: Session, agency_id: int) -> tuple[list[Return], list[Return]]:
    """An agency's returns: those in open cycles and any reopened return of a closed cycle
    (soonest deadline first), then past ones."""
    rows = list(session.scalars(
        select(Return).options(joinedload(Return.cycle)).join(Cycle)
        .where(Return.agency_id == agency_id).order_by(Cycle.deadline.desc())
    ))
    current = [r for r in rows if r.cycle.status == CycleStatus.OPEN.value
               or (r.cycle.status == CycleStatus.CLOSED.value
                   and r.status == ReturnStatus.REOPENED.value)]
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
    tool = tools.tool_outline(session, return_.cycle.tool_version)
    return list(tool.derived(("parts", return_.variant),
                             lambda: _standard_parts(tool, return_.variant)))


def _standard_parts(tool: ToolOutline, variant: str) -> list[StandardPart]:
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
    tool = tools.tool_outline(session, return_.cycle.tool_version)
    return list(tool.derived(("pages", return_.variant),
                             lambda: _grouped_pages(tool, return_.variant, parts)))


def _grouped_pages(tool: ToolOutline, variant: str, parts: list[StandardPart]) -> list[StandardPart]:
    by_code = {p.standard.code: p for p in parts}
    groups = tools.variant_pages(tool, variant)
    pages = []
    for index, group in enumerate(groups, 1):
        members = [by_code[code] for code in group["standards"]]
        pages.append(StandardPart(
            members[0].standard, [q for m in members for q in m.questions], variant,
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
    """Each page (a standard, or a group in the short tool): not started, in progress or done.

    Counted from the return's saved answers, actions and evidence (three small reads) and the
    cached tool: a return holds at most a few hundred answers."""
    saved, evidence, copied = _saved(session, return_)
    evidenced = {code for code, text in evidence.items() if text.strip()}
    overall = (return_.overall_evidence or "").strip() != ""
    items = []
    for part in return_pages(session, return_):
        given = [saved[q.code] for q in part.questions if q.code in saved]
        answered = sum(1 for a in given if a.grade is not None)
        touched = bool(given)
        incomplete = any(answer_problems(a) for a in given if a.grade is not None)
        total = len(part.questions)
        codes = part.codes()
        if part.grouped:  # notes are optional; the last page holds the one evidence box
            has_evidence = overall or not part.overall_evidence
            started = touched or any(c in evidenced for c in codes) or (overall and
                                                                         part.overall_evidence)
        else:
            has_evidence = started = part.standard.code in evidenced
        complete = answered == total and has_evidence and not incomplete
        unchecked = sum(1 for q in part.questions if q.code in copied)
        status = _status(complete, touched or started, unchecked)
        title = part.title or f"{part.standard.code}. {part.standard.title}"
        to_do = () if complete or not (touched or started) else _to_do(part, saved, has_evidence)
        items.append(TaskItem(part.standard, status, answered, total, title, to_do, unchecked))
    return items


def _status(complete: bool, started: bool, unchecked: int) -> StandardStatus:
    """A page holding copied answers nobody has confirmed is never "Completed": checking them
    comes first, whatever else is left to do on it."""
    if unchecked:
        return StandardStatus.CHECK_COPIES
    if complete:
        return StandardStatus.COMPLETED
    return StandardStatus.IN_PROGRESS if started else StandardStatus.NOT_STARTED


def tasks_progress(items: list[TaskItem]) -> Progress:
    """The whole return's progress, from its task list (the same count `progress` makes)."""
    return Progress(sum(i.answered for i in items), sum(i.total for i in items))


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


def saved_answers(
    session: Session, return_: Return
) -> tuple[dict[str, AnswerInput], dict[str, str]]:
    """The return's answers by question code and evidence by standard code."""
    answers, evidence, _ = _saved(session, return_)
    return answers, evidence


def part_answers(
    session: Session, return_: Return, part: StandardPart
) -> tuple[dict[str, AnswerInput], dict[str, str]]:
    """`saved_answers`, for one page's questions and standards only."""
    answers, evidence, _ = _saved(session, return_, part)
    return answers, evidence


def part_copies(session: Session, return_: Return, part: StandardPart) -> set[str]:
    """The codes of a page's answers still as copied from an earlier cycle."""
    return set(_saved(session, return_, part)[2])


@dataclass(frozen=True)
class SavedReturn:
    """What a page of the return shows of it, from two reads: the answers by question code,
    the evidence by standard code, the answers still as copied (code -> the cycle they came
    from; `copied_marks`), and the progress `progress` would count."""

    answers: dict[str, AnswerInput]
    evidence: dict[str, str]
    copied: dict[str, str]
    progress: Progress


def saved_return(session: Session, return_: Return, saved: Saved | None = None) -> SavedReturn:
    """The return's saved answers, evidence, copied marks and progress (two statements, none
    when what it holds was read already: `saved`)."""
    answers, evidence, copied = saved if saved is not None else _saved(session, return_)
    asked = [q.code for part in standard_parts(session, return_) for q in part.questions]
    answered = sum(1 for code in asked if code in answers and answers[code].grade is not None)
    return SavedReturn(answers, evidence, {c: label for c, label in copied.items() if label},
                       Progress(answered, len(asked)))


def copied_marks(session: Session, return_: Return) -> dict[str, str]:
    """Answers still as copied from an earlier cycle, not confirmed or changed since: question
    code -> the label of the cycle they came from."""
    rows = session.execute(
        select(Question.code, Answer.copied_from).join(Question, Question.id == Answer.question_id)
        .where(Answer.return_id == return_.id, Answer.copied_from.is_not(None)))
    return {code: label for code, label in rows if label}


# A return's answers by question code, evidence by standard code, and the answers still as
# copied from an earlier cycle (code -> that cycle's label).
Saved = tuple[dict[str, AnswerInput], dict[str, str], dict[str, str]]


def _saved(session: Session, return_: Return, part: StandardPart | None = None) -> Saved:
    """What the return holds (of one page's questions and standards when `part` is given)."""
    return saved_of(session, [return_.id], part)[return_.id]


def saved_of(session: Session, return_ids: list[int],
             part: StandardPart | None = None) -> dict[int, Saved]:
    """`_saved` of several returns, in the same two statements."""
    questions = [q.id for q in part.questions] if part else None
    standards = [st.id for st, _ in part.sections] if part else None
    found: dict[int, Saved] = {rid: ({}, {}, {}) for rid in return_ids}
    rows = session.execute(_only(
        select(Answer.return_id, Question.code, Answer.grade, Answer.na_reason, Answer.comment,
               Answer.copied_from, Action.id, Action.what, Action.who, Action.by_when)
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(Action, and_(Action.return_id == Answer.return_id,
                                Action.question_id == Answer.question_id))
        .where(Answer.return_id.in_(return_ids)), Answer.question_id, questions))
    for rid, code, grade, na_reason, comment, copied_from, action_id, what, who, by_when in rows:
        answers, _, copied = found[rid]
        action = ActionInput(what, who, by_when) if action_id is not None else ActionInput()
        answers[code] = AnswerInput(code, grade, na_reason or "", comment or "", action)
        if copied_from is not None:
            copied[code] = copied_from
    for rid, code, text in session.execute(_only(
            select(Evidence.return_id, Standard.code, Evidence.text)
            .join(Standard, Standard.id == Evidence.standard_id)
            .where(Evidence.return_id.in_(return_ids)), Evidence.standard_id, standards)):
        found[rid][1][code] = text
    return found


def _only(query: _S, column: InstrumentedAttribute[int], ids: list[int] | None) -> _S:
    return query if ids is None else query.where(column.in_(ids))


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
