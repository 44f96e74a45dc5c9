"""Recording one practitioner's anonymous response, within the link's declared headcount."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import CursorResult, func, insert, update
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


def record_response(
    session: Session, *, cycle_id: int, agency_id: int, statements: Sequence[StatementLike],
    answers: Mapping[str, str], role_band: str | None, service_band: str | None,
    today: date, flag: str | None = None, default_cap: int = 1000,
) -> int:
    """Store a response: cycle, agency, optional bands, the day, a burst flag and one answer per
    statement; nothing else. ResponseInvalid when an answer is missing, SurveyFull at the cap."""
    errors = _errors(statements, answers, role_band, service_band)
    if errors:
        raise ResponseInvalid(errors)
    take_place(session, cycle_id=cycle_id, agency_id=agency_id, default_cap=default_cap)
    response_id = secrets.randbits(ID_BITS) or 1
    session.execute(insert(SurveyResponse).values(
        id=response_id, cycle_id=cycle_id, agency_id=agency_id, role_band=role_band or None,
        service_band=service_band or None, answered_on=today, flag=flag))
    session.execute(insert(SurveyAnswerRow), [
        {"response_id": response_id, "statement_id": st.id, "answer": answers[st.code]}
        for st in statements
    ])
    return response_id
