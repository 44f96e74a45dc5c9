"""Sending an information request: checked, addressed, and its invitations queued in the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Agency,
    Contact,
    InformationRequest,
    RequestAudience,
    RequestQuestion,
    RequestQuestionKind,
    RequestRecipient,
)
from portal.services import audit, mail, recommendations
from portal.services.accounts import LinkSettings
from portal.services.common import ServiceError, clean_text, text_message, uk_today

MAX_QUESTIONS = 5
QUESTION_LIMIT = 1000  # characters in one question
INTRODUCTION_LIMIT = 5000


class RequestRejected(ServiceError):
    """A request or an answer that cannot be accepted; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class NewQuestion:
    text: str
    kind: str = RequestQuestionKind.TEXT.value
    choices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class NewRequest:
    title: str
    signatory: str
    deadline: date | None
    audience: str
    questions: list[NewQuestion]
    introduction: str = ""
    sector_id: int | None = None
    agency_names: list[str] = field(default_factory=list)
    recommendation_id: int | None = None


REQUEST_NUMBER = "(its number, given when it is sent)"


def preview_request(
    session: Session, new: NewRequest, *, now: datetime, links: LinkSettings,
) -> mail.BulkPreview:
    """Every invitation send_request would queue for `new` now, built by the same function, and
    refused as send_request refuses. The request's number is given when it is stored, so its
    link shows REQUEST_NUMBER in its place."""
    request, agencies = _checked_request(session, new, now=now)
    return mail.BulkPreview(messages=[
        mail.as_stored(_invitation(request, agency, contact, links=links, number=REQUEST_NUMBER))
        for agency in agencies for contact in agency.working_contacts])


def send_request(
    session: Session, new: NewRequest, *, now: datetime, links: LinkSettings,
    user_id: int | None = None, previewed: str | None = None,
) -> InformationRequest:
    """Store the request and one recipient per agency, and queue an invitation to each contact.

    Refuses (changing nothing) a request without questions, with a past deadline or with no
    recipients; with `previewed` (the digest of the preview a manager confirmed), one whose
    invitations are no longer those previewed.
    """
    if previewed is not None:
        current = preview_request(session, new, now=now, links=links)
        if current.digest != previewed:
            raise PreviewOutdated(current)
    request, agencies = _checked_request(session, new, now=now)
    request.created_by_id = user_id
    session.add(request)
    request.recipients = [RequestRecipient(agency_id=a.id) for a in agencies]
    session.flush()
    for agency in agencies:
        for contact in agency.working_contacts:
            mail.queue_email(session, _invitation(request, agency, contact, links=links),
                             kind="information_request", now=now, contact_id=contact.id)
    audit.record(session, action="information_request.sent", entity_type="information_request",
                 entity_id=request.id, user_id=user_id, recipients=len(agencies))
    return request


class PreviewOutdated(RequestRejected):
    """The invitations changed since the manager's preview: here is the new one."""

    def __init__(self, preview: mail.BulkPreview) -> None:
        super().__init__(f"The request or its recipients changed since the preview: "
                         f"{preview.count} {'email' if preview.count == 1 else 'emails'} "
                         "would go now. Check them and send again", "title")
        self.preview = preview


def _checked_request(session: Session, new: NewRequest, *,
                     now: datetime) -> tuple[InformationRequest, list[Agency]]:
    """The request as it would be stored (not yet added to the session) and its agencies."""
    questions = [q for q in new.questions if q.text.strip()]
    _check(new, questions, today=uk_today(now))
    agencies = _recipients(session, new)
    if new.recommendation_id is not None:
        recommendations.get_recommendation(session, new.recommendation_id)
    request = InformationRequest(
        title=new.title.strip(), introduction=new.introduction.strip(),
        signatory=new.signatory.strip(), deadline=new.deadline, audience=new.audience,
        sector_id=new.sector_id if new.audience == RequestAudience.SECTOR.value else None,
        recommendation_id=new.recommendation_id, created_at=now,
    )
    request.questions = [
        RequestQuestion(position=n, kind=q.kind, text=q.text.strip(),
                        choices=[c.strip() for c in q.choices if c.strip()])
        for n, q in enumerate(questions, 1)
    ]
    return request, agencies


def _check(new: NewRequest, questions: list[NewQuestion], *, today: date) -> None:
    _check_texts(new, questions)
    if not new.title.strip():
        raise RequestRejected("Enter the title of the request", "title")
    if not new.signatory.strip():
        raise RequestRejected("Enter who the request is from, like Independent Chair", "signatory")
    if new.deadline is None:
        raise RequestRejected("Enter the deadline for answers", "deadline")
    if new.deadline < today:
        raise RequestRejected(
            f"The deadline must be today or in the future, not {long_date(new.deadline)}", "deadline")
    if not questions:
        raise RequestRejected("Add at least one question", "question_1")
    if len(questions) > MAX_QUESTIONS:
        raise RequestRejected(f"A request can have at most {MAX_QUESTIONS} questions", "question_1")
    for n, question in enumerate(questions, 1):
        _check_question(n, question)


def _check_texts(new: NewRequest, questions: list[NewQuestion]) -> None:
    """The text policy (services.common) on every text of the request."""
    texts = [("title", "The title", new.title, "line", 200),
             ("signatory", "Who the request is from", new.signatory, "name", 200),
             ("introduction", "The introduction", new.introduction, "text", INTRODUCTION_LIMIT),
             ("agencies", "The agency names", "\n".join(new.agency_names), "text", 20_000)]
    for n, question in enumerate(questions, 1):
        texts += [(f"question_{n}", f"Question {n}", question.text, "text", QUESTION_LIMIT),
                  (f"choices_{n}", f"The choices for question {n}", "\n".join(question.choices),
                   "text", 2000)]
    for field_name, label, value, kind, limit in texts:
        problem = text_message(label, clean_text(value), kind=kind, limit=limit)
        if problem:
            raise RequestRejected(problem, field_name)


def _check_question(n: int, question: NewQuestion) -> None:
    if question.kind not in {k.value for k in RequestQuestionKind}:
        raise RequestRejected(f"Select the kind of answer for question {n}", f"kind_{n}")
    choices = [c for c in question.choices if c.strip()]
    if question.kind == RequestQuestionKind.CHOICE.value and len(choices) < 2:
        raise RequestRejected(f"Enter at least 2 choices for question {n}, one on each line",
                              f"choices_{n}")


def _recipients(session: Session, new: NewRequest) -> list[Agency]:
    query = (select(Agency).where(Agency.active.is_(True)).options(selectinload(Agency.contacts))
             .order_by(Agency.name))
    if new.audience == RequestAudience.SECTOR.value:
        if new.sector_id is None:
            raise RequestRejected("Select the sector", "sector")
        query = query.where(Agency.sector_id == new.sector_id)
    elif new.audience == RequestAudience.CHOSEN.value:
        query = query.where(func.lower(Agency.name).in_(_chosen_names(session, new.agency_names)))
    elif new.audience != RequestAudience.ALL.value:
        raise RequestRejected("Select who the request goes to", "audience")
    agencies = list(session.scalars(query))
    if not agencies:
        raise RequestRejected(
            "No active agency would receive this request: choose other recipients", "audience")
    return agencies


def _chosen_names(session: Session, names: list[str]) -> list[str]:
    wanted = [n.strip() for n in names if n.strip()]
    if not wanted:
        raise RequestRejected("Enter at least one agency name, one on each line", "agencies")
    known = {n.lower() for n in session.scalars(
        select(Agency.name).where(func.lower(Agency.name).in_([w.lower() for w in wanted])))}
    unknown = [w for w in wanted if w.lower() not in known]
    if unknown:
        raise RequestRejected(f"There is no agency called {unknown[0]}", "agencies")
    return [w.lower() for w in wanted]


def _invitation(request: InformationRequest, agency: Agency, contact: Contact, *,
                links: LinkSettings, number: str | None = None) -> mail.Email:
    """One contact's invitation to answer: sending queues it, and the preview shows it."""
    return mail.render_email(
        "information_request", to=contact.email,
        subject=f"{request.signatory} asks {agency.name}: {request.title}",
        contact=contact.name, agency=agency.name, title=request.title,
        introduction=request.introduction, signatory=request.signatory,
        questions=len(request.questions), deadline=long_date(request.deadline),
        link=request_link(links, request, number=number), partnership=links.partnership,
        help_email=links.help_email,
    )


def request_link(links: LinkSettings, request: InformationRequest, *,
                 number: str | None = None) -> str:
    return f"{links.base_url.rstrip('/')}/agency/requests/{number or request.id}"


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"
