"""Recording one practitioner's anonymous response, within the link's declared headcount."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import CursorResult, case, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from portal.models import SurveyAnswerRow, SurveyLink, SurveyResponse
from portal.services.common import ServiceError
from portal.vocabulary import SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS, SurveyAnswer

ANSWERS = {a.value for a in SurveyAnswer}
ID_BITS = 62  # random ids: a response's id says nothing of when it came (BIGINT, positive)


class StatementLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...


class ResponseInvalid(ServiceError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


class SurveyFull(ServiceError):
    """The link has taken as many responses as its declared headcount."""


def _errors(statements: Sequence[StatementLike], answers: Mapping[str, str],
            role_band: str | None, service_band: str | None) -> dict[str, str]:
    errors = {
        st.code: f"Select an answer for statement {position}"
        for position, st in enumerate(statements, 1) if answers.get(st.code) not in ANSWERS
    }
    if role_band and role_band not in SURVEY_ROLE_BANDS:
        errors["role_band"] = "Select your role, or leave it blank"
    if service_band and service_band not in SURVEY_SERVICE_BANDS:
        errors["service_band"] = "Select how long you have worked here, or leave it blank"
    return errors


def take_place(session: Session, *, cycle_id: int, agency_id: int, default_cap: int) -> None:
    """Count one more response against the link's cap, atomically; SurveyFull when it is full.

    One conditional UPDATE: concurrent posters queue on the link's row (PostgreSQL) or on the
    database's write lock (SQLite), so the cap holds however many post at once.
    """
    cap = func.coalesce(SurveyLink.headcount, default_cap)
    taken: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(SurveyLink).where(SurveyLink.cycle_id == cycle_id, SurveyLink.agency_id == agency_id,
                                 SurveyLink.taken < cap)
        .values(taken=SurveyLink.taken + 1).execution_options(synchronize_session=False)
    )
    if not taken.rowcount:
        raise SurveyFull("This survey has had as many answers as the agency has staff")


def alike_today(session: Session, *, cycle_id: int, agency_id: int, today: date,
                answers: Mapping[int, str]) -> int:
    """How many of the link's responses of `today` (not set aside) gave the same answers as
    `answers` (statement id to answer) to every statement but at most one.

    Bounded by the link's rate limits and headcount, so the query stays small."""
    pairs = [(statement_id, answer) for statement_id, answer in answers.items()]
    matching = func.sum(case(
        (tuple_(SurveyAnswerRow.statement_id, SurveyAnswerRow.answer).in_(pairs), 1), else_=0))
    alike = (
        select(SurveyResponse.id)
        .join(SurveyAnswerRow, SurveyAnswerRow.response_id == SurveyResponse.id)
        .where(SurveyResponse.cycle_id == cycle_id, SurveyResponse.agency_id == agency_id,
               SurveyResponse.answered_on == today, SurveyResponse.set_aside.is_(None))
        .group_by(SurveyResponse.id).having(matching >= len(pairs) - 1)
    )
    return int(session.scalar(select(func.count()).select_from(alike.subquery())) or 0)


def _flag(session: Session, *, cycle_id: int, agency_id: int, today: date, burst: str | None,
          answers: Mapping[int, str], alike_run: int | None) -> str | None:
    """The burst flag if there is one, else an 'alike' flag once this response would make
    `alike_run` near-identical responses to the link in a day."""
    if burst or not alike_run:
        return burst
    before = alike_today(session, cycle_id=cycle_id, agency_id=agency_id, today=today,
                         answers=answers)
    return f"alike {today.isoformat()}" if before + 1 >= alike_run else None


def record_response(
    session: Session, *, cycle_id: int, agency_id: int, statements: Sequence[StatementLike],
    answers: Mapping[str, str], role_band: str | None, service_band: str | None,
    today: date, flag: str | None = None, default_cap: int = 1000, alike_run: int | None = None,
) -> int:
    """Store a response: cycle, agency, optional bands, the day, a flag and one answer per
    statement; nothing else. ResponseInvalid when an answer is missing, SurveyFull at the cap.

    `flag` is the caller's burst flag; without one, a response that makes `alike_run`
    near-identical responses (all answers but one the same) to the link in a day is flagged
    'alike' for the manager to review. Flagging removes nothing: only a manager's set-aside does.
    """
    errors = _errors(statements, answers, role_band, service_band)
    if errors:
        raise ResponseInvalid(errors)
    take_place(session, cycle_id=cycle_id, agency_id=agency_id, default_cap=default_cap)
    flag = _flag(session, cycle_id=cycle_id, agency_id=agency_id, today=today, burst=flag,
                 answers={st.id: answers[st.code] for st in statements}, alike_run=alike_run)
    response_id = secrets.randbits(ID_BITS) or 1
    session.execute(insert(SurveyResponse).values(
        id=response_id, cycle_id=cycle_id, agency_id=agency_id, role_band=role_band or None,
        service_band=service_band or None, answered_on=today, flag=flag))
    session.execute(insert(SurveyAnswerRow), [
        {"response_id": response_id, "statement_id": st.id, "answer": answers[st.code]}
        for st in statements
    ])
    return response_id
