"""An agency answers a request: every question, before the end of the deadline's UK day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import (
    InformationRequest,
    RequestAnswer,
    RequestQuestion,
    RequestQuestionKind,
    RequestRecipient,
)
from portal.services import audit, recommendations
from portal.services.common import clean_text, text_message, uk_today

from ._sending import RequestRejected, long_date

YES_NO = {"yes": "Yes", "no": "No"}
ANSWER_LIMIT = 5000


def is_closed(request: InformationRequest, *, now: datetime) -> bool:
    """Answers are taken until the end of the deadline's day, in UK time."""
    return uk_today(now) > request.deadline


def answer_request(
    session: Session, recipient: RequestRecipient, values: dict[int, str], *, now: datetime,
    user_id: int | None = None,
) -> RequestRecipient:
    """Store an agency's answers (replacing earlier ones); the first answer moves a linked
    recommendation on. Refused, changing nothing, after the deadline or with a question unanswered.
    """
    request = recipient.request
    if is_closed(request, now=now):
        raise RequestRejected(f"The deadline for this request was {long_date(request.deadline)}: "
                              "answers can no longer be sent")
    checked = {q.id: _checked(q, values.get(q.id, "")) for q in request.questions}
    existing = {a.question_id: a for a in recipient.answers}
    for question_id, value in checked.items():
        if question_id in existing:
            existing[question_id].value = value
        else:
            session.add(RequestAnswer(recipient_id=recipient.id, question_id=question_id,
                                      value=value))
    first = recipient.answered_at is None
    if first:
        recipient.answered_at, recipient.answered_by_id = now, user_id
    session.flush()
    audit.record(session, action="information_request.answered", entity_type="request_recipient",
                 entity_id=recipient.id, user_id=user_id, request=request.id)
    if first and request.recommendation is not None:
        _move_recommendation(session, request, recipient, now=now, user_id=user_id)
    return recipient



def _checked(question: RequestQuestion, value: str) -> str:
    value = clean_text(value).strip()
    if not value:
        raise RequestRejected(f"Answer question {question.position}", f"q_{question.id}")
    problem = text_message(f"The answer to question {question.position}", value, limit=ANSWER_LIMIT)
    if problem:
        raise RequestRejected(problem, f"q_{question.id}")
    if question.kind == RequestQuestionKind.YES_NO.value and value not in YES_NO:
        raise RequestRejected(f"Select yes or no for question {question.position}", f"q_{question.id}")
    if question.kind == RequestQuestionKind.CHOICE.value and value not in question.choices:
        raise RequestRejected(f"Select one of the choices for question {question.position}",
                              f"q_{question.id}")
    return value


def _move_recommendation(
    session: Session, request: InformationRequest, recipient: RequestRecipient, *,
    now: datetime, user_id: int | None,
) -> None:
    answered = session.scalar(
        select(func.count(RequestRecipient.id))
        .where(RequestRecipient.request_id == request.id, RequestRecipient.answered_at.is_not(None)))
    note = (f"{recipient.agency.name} answered the information request “{request.title}” "
            f"({answered} of {len(request.recipients)} agencies have answered)")
    assert request.recommendation is not None
    recommendations.note_progress(session, request.recommendation, note=note, on=uk_today(now),
                                  now=now, user_id=user_id)


def display_value(question: RequestQuestion, value: str | None) -> str:
    if value is None:
        return ""
    return YES_NO.get(value, value) if question.kind == RequestQuestionKind.YES_NO.value else value
