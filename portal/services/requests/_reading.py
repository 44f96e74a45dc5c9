"""Reading requests: lists, one agency's requests, response rates by sector, the responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Agency,
    InformationRequest,
    RequestAnswer,
    RequestQuestion,
    RequestRecipient,
    Sector,
)
from portal.services.common import NotFound, uk_today

from ._answering import display_value


@dataclass(frozen=True)
class SectorRate:
    sector: str
    sent: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None


@dataclass(frozen=True)
class ResponseRow:
    agency: str
    sector: str
    answered_at: datetime | None  # UTC
    values: list[str]


@dataclass(frozen=True)
class Responses:
    title: str
    signatory: str
    deadline: str
    questions: list[str]
    rates: list[SectorRate]
    rows: list[ResponseRow]

    @property
    def total(self) -> SectorRate:
        return SectorRate("All sectors", sum(r.sent for r in self.rates),
                          sum(r.answered for r in self.rates))


def list_requests(session: Session) -> list[InformationRequest]:
    return list(session.scalars(
        select(InformationRequest).options(selectinload(InformationRequest.recipients))
        .order_by(InformationRequest.deadline.desc(), InformationRequest.id.desc())))


def requests_following(session: Session, recommendation_id: int) -> list[InformationRequest]:
    """The requests sent to follow up a recommendation."""
    return [r for r in list_requests(session) if r.recommendation_id == recommendation_id]


def answered_count(request: InformationRequest) -> int:
    return sum(1 for r in request.recipients if r.answered_at is not None)


def get_request(session: Session, request_id: int) -> InformationRequest:
    found = session.get(InformationRequest, request_id)
    if found is None:
        raise NotFound("No such information request")
    return found


def recipient_for(session: Session, request_id: int, *, agency_id: int) -> RequestRecipient:
    """The agency's copy of a request; NotFound for a request not sent to it."""
    found = session.scalar(select(RequestRecipient).where(
        RequestRecipient.request_id == request_id, RequestRecipient.agency_id == agency_id))
    if found is None:
        raise NotFound("No such information request")
    return found


def requests_for_agency(session: Session, agency_id: int) -> list[RequestRecipient]:
    return list(session.scalars(
        select(RequestRecipient).join(InformationRequest)
        .where(RequestRecipient.agency_id == agency_id)
        .options(selectinload(RequestRecipient.request))
        .order_by(InformationRequest.deadline.desc(), InformationRequest.id.desc())))


def response_rates(session: Session, request: InformationRequest) -> list[SectorRate]:
    """Sent and answered per sector (one GROUP BY), in sector order."""
    rows = session.execute(
        select(Sector.name, func.count(RequestRecipient.id), func.count(RequestRecipient.answered_at))
        .select_from(RequestRecipient).join(Agency, Agency.id == RequestRecipient.agency_id)
        .join(Sector, Sector.id == Agency.sector_id)
        .where(RequestRecipient.request_id == request.id)
        .group_by(Sector.id, Sector.name, Sector.position).order_by(Sector.position, Sector.name))
    return [SectorRate(name, sent, answered) for name, sent, answered in rows]


def responses(session: Session, request: InformationRequest) -> Responses:
    """Every recipient with its answers, in sector then agency order (for the exports)."""
    questions = list(request.questions)
    values: dict[tuple[int, int], str] = {
        (recipient_id, question_id): value for recipient_id, question_id, value in session.execute(
            select(RequestAnswer.recipient_id, RequestAnswer.question_id, RequestAnswer.value)
            .join(RequestQuestion).where(RequestQuestion.request_id == request.id))}
    recipients = session.execute(
        select(RequestRecipient.id, Agency.name, Sector.name.label("sector"),
               RequestRecipient.answered_at)
        .join(Agency, Agency.id == RequestRecipient.agency_id)
        .join(Sector, Sector.id == Agency.sector_id)
        .where(RequestRecipient.request_id == request.id)
        .order_by(Sector.position, Agency.name))
    rows = [ResponseRow(r.name, r.sector, r.answered_at,
                        [display_value(q, values.get((r.id, q.id))) for q in questions])
            for r in recipients]
    return Responses(title=request.title, signatory=request.signatory,
                     deadline=f"{request.deadline.day} {request.deadline:%B %Y}",
                     questions=[q.text for q in questions], rates=response_rates(session, request),
                     rows=rows)


def open_request_count(session: Session, *, now: datetime) -> int:
    """Requests still taking answers (see `is_closed`) that some agency has not answered yet."""
    unanswered = (select(RequestRecipient.id)
                  .where(RequestRecipient.request_id == InformationRequest.id,
                         RequestRecipient.answered_at.is_(None)).exists())
    return session.scalar(select(func.count(InformationRequest.id))
                          .where(InformationRequest.deadline >= uk_today(now), unanswered)) or 0
