"""Recording one practitioner's anonymous response."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.models import SurveyAnswerRow, SurveyResponse
from portal.services.common import ServiceError
from portal.vocabulary import SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS, SurveyAnswer

ANSWERS = {a.value for a in SurveyAnswer}


class StatementLike(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...


class ResponseInvalid(ServiceError):
    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def record_response(
    session: Session, *, cycle_id: int, agency_id: int, statements: Sequence[StatementLike],
    answers: Mapping[str, str], role_band: str | None, service_band: str | None,
) -> int:
    """Store a response: cycle, agency, optional bands and one answer per statement; nothing else."""
    errors = {
        st.code: f"Select an answer for statement {position}"
        for position, st in enumerate(statements, 1) if answers.get(st.code) not in ANSWERS
    }
    if role_band and role_band not in SURVEY_ROLE_BANDS:
        errors["role_band"] = "Select your role, or leave it blank"
    if service_band and service_band not in SURVEY_SERVICE_BANDS:
        errors["service_band"] = "Select how long you have worked here, or leave it blank"
    if errors:
        raise ResponseInvalid(errors)
    response_id = session.execute(
        insert(SurveyResponse).values(cycle_id=cycle_id, agency_id=agency_id,
                                      role_band=role_band or None, service_band=service_band or None)
        .returning(SurveyResponse.id)
    ).scalar_one()
    session.execute(insert(SurveyAnswerRow), [
        {"response_id": response_id, "statement_id": st.id, "answer": answers[st.code]}
        for st in statements
    ])
    return int(response_id)
