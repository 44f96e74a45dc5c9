"""Last time's answers: the agency's previous submitted return, matched by question code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from portal.models import Cycle, Return, ReturnStatus
from portal.services.common import ServiceError, uk_today

from ._reading import saved_answers, standard_input, standard_parts
from ._rules import ActionInput, AnswerInput, StandardInput
from ._saving import bump_version, ensure_editable, write_standard


@dataclass(frozen=True)
class PreviousAnswers:
    cycle: str
    answers: dict[str, AnswerInput]
    evidence: dict[str, str]


def previous_return(session: Session, return_: Return) -> Return | None:
    """The agency's most recent submitted return from an earlier cycle."""
    return session.scalar(
        select(Return).options(joinedload(Return.cycle)).join(Cycle)
        .where(Return.agency_id == return_.agency_id, Return.id != return_.id,
               Return.status == ReturnStatus.SUBMITTED.value,
               Cycle.deadline < return_.cycle.deadline)
        .order_by(Cycle.deadline.desc()).limit(1)
    )


def previous_answers(session: Session, return_: Return) -> PreviousAnswers | None:
    """Last edition's answers by question code (and evidence by standard code), if there was one."""
    previous = previous_return(session, return_)
    if previous is None:
        return None
    answers, evidence = saved_answers(session, previous)
    return PreviousAnswers(previous.cycle.label, answers, evidence)


def start_from_previous(session: Session, return_: Return, *, user_id: int | None,
                        now: datetime) -> int:
    """Copy last time's answers into every question not yet answered; returns how many were copied.

    Evidence is copied where none is written yet; an action keeps its date only if still ahead.
    """
    ensure_editable(return_)
    previous = previous_answers(session, return_)
    if previous is None:
        raise ServiceError("There is no earlier return to start from")
    if not bump_version(session, return_, return_.version, now=now):
        raise ServiceError("Someone else saved this return just now. Try again.")
    answers, evidence = saved_answers(session, return_)
    copied = 0
    for part in standard_parts(session, return_):
        merged = []
        for question in part.questions:
            mine = answers.get(question.code, AnswerInput(question.code))
            theirs = previous.answers.get(question.code)
            if mine.grade is None and theirs is not None and theirs.grade is not None:
                mine = _carried(theirs, mine.comment, now)
                copied += 1
            merged.append(mine)
        text = evidence.get(part.standard.code) or previous.evidence.get(part.standard.code, "")
        data = StandardInput(merged, text)
        if data != standard_input(part, answers, evidence):
            write_standard(session, return_, part, data, user_id=user_id, now=now)
    return copied


def _carried(answer: AnswerInput, comment: str, now: datetime) -> AnswerInput:
    by_when = answer.action.by_when
    if by_when is not None and by_when < uk_today(now):
        by_when = None
    return replace(answer, comment=comment or answer.comment,
                   action=ActionInput(answer.action.what, answer.action.who, by_when))
