"""Last time's answers: the agency's most recent earlier return with answers (submitted or not),
matched by question code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, joinedload

from portal.models import Answer, Cycle, Return, ReturnStatus
from portal.services import audit
from portal.services.common import Refused, uk_today

from ._reading import (
    SavedReturn,
    copied_marks,
    saved_answers,
    saved_of,
    saved_return,
    standard_input,
    standard_parts,
)
from ._rules import ActionInput, AnswerInput, StandardInput
from ._saving import bump_version, ensure_editable, write_standard

_S = TypeVar("_S", bound="Select")


@dataclass(frozen=True)
class PreviousAnswers:
    cycle: str
    answers: dict[str, AnswerInput]
    evidence: dict[str, str]
    submitted: bool = True


@dataclass(frozen=True)
class Copied:
    """What "start from my last answers" copied: from which cycle, which questions (by code)."""

    cycle: str
    codes: list[str]
    undated: list[str]  # copied actions whose date had passed: they need a new one


def _earlier(query: _S, return_: Return) -> _S:
    """The agency's most recent return from an earlier cycle that has any answer, submitted or
    not: nothing an agency typed is lost because it did not submit."""
    answered = exists().where(Answer.return_id == Return.id, Answer.grade.is_not(None))
    return (query.join(Cycle, Cycle.id == Return.cycle_id)
            .where(Return.agency_id == return_.agency_id, Return.id != return_.id,
                   Cycle.deadline < return_.cycle.deadline, answered)
            .order_by(Cycle.deadline.desc()).limit(1))


def previous_return(session: Session, return_: Return) -> Return | None:
    """The agency's most recent earlier return with answers (`_earlier`)."""
    return session.scalar(_earlier(select(Return).options(joinedload(Return.cycle)), return_))


def page_reading(session: Session,
                 return_: Return) -> tuple[SavedReturn, PreviousAnswers | None]:
    """What a question page shows of the return and of last edition's answers, in three
    statements: the earlier return's id, cycle and status, then both returns' answers and
    evidence together."""
    earlier = session.execute(_earlier(select(Return.id, Cycle.label, Return.status),
                                       return_)).first()
    saved = saved_of(session, [return_.id, *([earlier.id] if earlier else [])])
    current = saved_return(session, return_, saved[return_.id])
    if earlier is None:
        return current, None
    answers, evidence, _ = saved[earlier.id]
    return current, PreviousAnswers(earlier.label, answers, evidence,
                                    earlier.status == ReturnStatus.SUBMITTED.value)


def previous_answers(session: Session, return_: Return) -> PreviousAnswers | None:
    """Last edition's answers by question code (and evidence by standard code), if there was one."""
    previous = previous_return(session, return_)
    if previous is None:
        return None
    answers, evidence = saved_answers(session, previous)
    return PreviousAnswers(previous.cycle.label, answers, evidence, previous.is_submitted)


def start_from_previous(session: Session, return_: Return, *, user_id: int | None,
                        now: datetime) -> Copied:
    """Copy last time's answers into every question not yet answered, marked as copied.

    Evidence is copied where none is written yet; an action keeps its date only if still ahead
    (otherwise it asks for a new one).
    """
    ensure_editable(return_)
    previous = previous_answers(session, return_)
    if previous is None:
        raise Refused("There is no earlier return to start from")
    if not bump_version(session, return_, return_.version, now=now):
        raise Refused("Someone else saved this return just now. Try again.")
    answers, evidence = saved_answers(session, return_)
    marks = copied_marks(session, return_)
    copied: list[str] = []
    undated: list[str] = []
    wrote: list[str] = []
    for part in standard_parts(session, return_):
        merged = []
        for question in part.questions:
            mine = answers.get(question.code, AnswerInput(question.code))
            theirs = previous.answers.get(question.code)
            if mine.grade is None and theirs is not None and theirs.grade is not None:
                mine = _carried(theirs, mine.comment, now)
                copied.append(question.code)
                if theirs.action.by_when is not None and mine.action.by_when is None:
                    undated.append(question.code)
            merged.append(mine)
        text = evidence.get(part.standard.code) or previous.evidence.get(part.standard.code, "")
        data = StandardInput(merged, text)
        if data != standard_input(part, answers, evidence):
            marked = {code: previous.cycle for code in copied}
            marked.update({c: label for c, label in marks.items() if c not in marked})
            wrote += write_standard(session, return_, part, data, user_id=user_id, now=now,
                                    copied=marked)
    if wrote:
        audit.record(session, action="return.started_from_previous", entity_type="return",
                     entity_id=return_.id, user_id=user_id, cycle=return_.cycle.label,
                     agency=return_.agency.name, previous=previous.cycle, copied=copied)
    return Copied(previous.cycle, copied, undated)


def _carried(answer: AnswerInput, comment: str, now: datetime) -> AnswerInput:
    by_when = answer.action.by_when
    if by_when is not None and by_when < uk_today(now):
        by_when = None
    return replace(answer, comment=comment or answer.comment,
                   action=ActionInput(answer.action.what, answer.action.who, by_when))
