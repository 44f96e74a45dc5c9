"""Submitting a return (checked, locked, confirmed by email with a PDF copy) and reopening it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from portal.models import CycleStatus, PublishedReport, Return, ReturnStatus, User
from portal.services import audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import (
    Invalid,
    Problem,
    Refused,
    ServiceError,
    check_texts,
    file_name,
    text_problems,
    to_uk,
)
from portal.services.cycles import mark_submitted
from portal.services.mail import Attachment, render_email

from ._reading import (
    ReturnDocument,
    copied_marks,
    return_document,
    return_pages,
    saved_answers,
    standard_parts,
    uses_overall_evidence,
)
from ._rules import AnswerInput, answer_problems
from ._saving import bump_version, ensure_editable

REOPEN_REASON_LIMIT = 2000  # the agency is emailed it
DECLARATION_LIMIT = 200  # the declaration's name and role, each


@dataclass(frozen=True)
class SubmitProblem:
    """Something to fix before submitting; `part` is grade, reason, what, who, by, evidence,
    overall or copied (an answer copied from an earlier cycle that nobody has confirmed)."""

    standard_code: str
    question_code: str | None
    part: str
    message: str


class SubmitRefused(ServiceError):
    def __init__(self, problems: list[SubmitProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} thing(s) to finish before you can submit")


def submit_problems(session: Session, return_: Return) -> list[SubmitProblem]:
    """Every unanswered question, missing reason, missing action, unconfirmed copied answer and
    missing evidence, in order."""
    answers, evidence = saved_answers(session, return_)
    copies = copied_marks(session, return_)
    overall = uses_overall_evidence(return_)
    problems = []
    for part in standard_parts(session, return_):
        code = part.standard.code
        for question in part.questions:
            answer = answers.get(question.code, AnswerInput(question.code))
            number = part.number(question.code)
            if answer.grade is None:
                problems.append(SubmitProblem(code, question.code, "grade",
                                              f"Select a grade for question {number}"))
                continue
            problems += [SubmitProblem(code, question.code, p.part, p.message)
                         for p in answer_problems(answer, number)]
            if question.code in copies:
                problems.append(_unconfirmed(code, question.code, number, copies[question.code]))
        if not overall and not evidence.get(code, "").strip():
            problems.append(SubmitProblem(code, None, "evidence",
                                          f"Describe your evidence for standard {code}: "
                                          f"{part.standard.title}"))
    if overall and not (return_.overall_evidence or "").strip():
        last = return_pages(session, return_)[-1]
        problems.append(SubmitProblem(last.standard.code, None, "overall",
                                      "Describe the evidence for your return"))
    return problems


def unconfirmed_copies(session: Session, return_: Return) -> list[SubmitProblem]:
    """The answers still as copied from an earlier cycle, in the return's order: each must be
    confirmed or changed on its page before the return can be submitted (by any way in)."""
    copies = copied_marks(session, return_)
    if not copies:
        return []
    return [_unconfirmed(part.standard.code, question.code, part.number(question.code),
                         copies[question.code])
            for part in standard_parts(session, return_) for question in part.questions
            if question.code in copies]


def _unconfirmed(standard_code: str, question_code: str, number: str,
                 label: str) -> SubmitProblem:
    return SubmitProblem(standard_code, question_code, "copied",
                         f"Check your answer to question {number}, copied from {label}, "
                         "and confirm it or change it")


def submit_return(session: Session, return_: Return, *, user: User, declaration_name: str,
                  declaration_role: str, read_version: int, links: LinkSettings,
                  render_copy: Callable[[ReturnDocument], bytes], now: datetime,
                  republish: Callable[[str], PublishedReport | None] | None = None) -> None:
    """Lock a complete return and email its PDF copy to the submitter and the agency's contacts.

    Complete means `submit_problems` finds nothing, answers copied from an earlier cycle
    included: each must have been confirmed or changed on its page (`unconfirmed_copies`, the
    rule `flask returns import --submit` keeps too).

    `render_copy` turns the return into its PDF, and `republish` (given a reason) publishes a
    closed cycle's figures again if they changed: the caller (the edge) picks the renderers. It
    is called when a closed cycle's reopened return is submitted again and the manager who
    reopened it chose to republish."""
    ensure_editable(return_)
    if return_.version != read_version:
        raise Refused("These answers were changed while you were checking them. "
                           "Check them again before you submit.")
    _check_declaration(declaration_name, declaration_role)
    if return_.republish_on_resubmit and republish is None:
        raise Refused("This return cannot be submitted here: its cycle's report is to be "
                           "republished when it is")
    problems = submit_problems(session, return_)
    if problems:
        raise SubmitRefused(problems)
    if not bump_version(session, return_, read_version, now=now):
        raise Refused("These answers were changed while you were checking them. "
                           "Check them again before you submit.")
    mark_submitted(session, return_, now=now, user_id=user.id)  # also clears its escalation
    return_.declaration_name = declaration_name.strip()
    return_.declaration_role = declaration_role.strip()
    session.flush()
    session.refresh(return_)
    republished = _act_on_republish_choice(return_, republish, now)
    audit.record(session, action="return.submitted", entity_type="return", entity_id=return_.id,
                 user_id=user.id, cycle=return_.cycle.label, agency=return_.agency.name,
                 republished_version=republished.version if republished else None)
    _confirm(session, return_, user, links=links, render_copy=render_copy, now=now)


def _check_declaration(name: str, role: str) -> None:
    problems = [*text_problems("name", name, label="Your full name", kind="name",
                               limit=DECLARATION_LIMIT),
                *text_problems("role", role, label="Your role", kind="line", limit=DECLARATION_LIMIT)]
    problems += [Problem(field, message)
                 for field, message, value in (("name", "Enter your full name", name),
                                               ("role", "Enter your role", role))
                 if not value.strip()]
    if problems:
        raise Invalid(problems)


def _act_on_republish_choice(return_: Return,
                             republish: Callable[[str], PublishedReport | None] | None,
                             now: datetime) -> PublishedReport | None:
    """A closed cycle's reopened return, submitted again: republish its figures if the manager
    chose to when reopening it (otherwise the published figures stay as they are)."""
    chosen = return_.republish_on_resubmit
    return_.republish_on_resubmit = None
    if not chosen or republish is None or return_.cycle.status != CycleStatus.CLOSED.value:
        return None
    reopened = f" on {_day(return_.reopened_at)}" if return_.reopened_at else ""
    return republish(f"{return_.agency.name}'s return was reopened{reopened} "
                     f"({return_.reopen_reason or 'no reason given'}) and submitted again on "
                     f"{_day(now)}")


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _confirm(session: Session, return_: Return, user: User, *, links: LinkSettings,
             render_copy: Callable[[ReturnDocument], bytes], now: datetime) -> None:
    pdf = Attachment(return_filename(return_), "application/pdf",
                     render_copy(return_document(session, return_)))
    names = _names_by_address(return_, user)
    for address, contact_id in confirmation_recipients(return_, user).items():
        email = render_email(
            "return_submitted", to=address, attachments=[pdf],
            subject=f"Compact Audit {return_.cycle.label}: {return_.agency.name}'s return "
                    "has been submitted",
            person=names.get(address) or "colleague",
            agency=return_.agency.name, cycle=return_.cycle.label, submitted_by=user.name or
            user.email, submitted_at=to_uk(now), declaration_name=return_.declaration_name,
            declaration_role=return_.declaration_role,
            link=f"{links.base_url.rstrip('/')}/agency/", partnership=links.partnership,
            help_email=links.help_email,
        )
        mail.queue_email(session, email, kind="return_submitted", now=now,
                           contact_id=contact_id, return_id=return_.id)


def confirmation_recipients(return_: Return, user: User) -> dict[str, int | None]:
    """Who is sent the submitted copy: the submitter and the agency's working contacts
    (address -> contact id, None for the submitter)."""
    recipients: dict[str, int | None] = {user.email.lower(): None}
    for contact in return_.agency.working_contacts:
        recipients.setdefault(contact.email.lower(), contact.id)
    return recipients


def _names_by_address(return_: Return, user: User) -> dict[str, str]:
    """The name to greet each recipient by, where the portal knows it."""
    names = {c.email.lower(): c.name for c in return_.agency.working_contacts if c.name}
    if user.name:
        names[user.email.lower()] = user.name
    return names


def return_filename(return_: Return, extension: str = "pdf") -> str:
    """The download name of a return's copy, e.g. compact-audit-2018-19-riverside-youth-club.pdf."""
    return file_name("compact-audit", return_.cycle.label, return_.agency.name, extension=extension)


def reopen_return(session: Session, return_: Return, *, reason: str, user_id: int | None,
                  now: datetime, links: LinkSettings | None = None,
                  effect_confirmed: bool = False, republish: bool | None = None) -> None:
    """A manager reopens a submitted return so the agency can change and resubmit it; the
    agency's working contacts are told why (when links are given).

    In a closed cycle the report has been published from this return: the manager must confirm
    they know the published figures stay as they were meanwhile, and choose whether submitting
    it again republishes the cycle's figures (`republish`) or keeps those published. Only this
    return of the closed cycle can then change."""
    if return_.status != ReturnStatus.SUBMITTED.value:
        raise Refused("Only a submitted return can be reopened")
    if not reason.strip():
        raise Invalid.at("reason", "Enter why the return is being reopened")
    check_texts(text_problems("reason", reason, label="The reason", limit=REOPEN_REASON_LIMIT))
    closed = return_.cycle.status == CycleStatus.CLOSED.value
    if closed:
        _check_closed_reopen(return_, effect_confirmed, republish)
    if not bump_version(session, return_, return_.version, now=now, editable_only=False):
        raise Refused("The return changed just now. Try again.")
    return_.status = ReturnStatus.REOPENED.value
    return_.reopened_at = now
    return_.reopen_reason = reason.strip()
    return_.republish_on_resubmit = republish if closed else None
    session.flush()
    audit.record(session, action="return.reopened", entity_type="return", entity_id=return_.id,
                 user_id=user_id, reason=reason.strip(), cycle=return_.cycle.label,
                 agency=return_.agency.name, closed_cycle=closed,
                 republish_on_resubmit=return_.republish_on_resubmit)
    if links is not None:
        _tell_reopened(session, return_, links=links, now=now)


def _check_closed_reopen(return_: Return, effect_confirmed: bool,
                         republish: bool | None) -> None:
    problems = []
    if not effect_confirmed:
        problems.append(Problem("understood", f"Confirm that you understand the published "
                                f"{return_.cycle.label} report keeps its figures until it is "
                                "republished"))
    if republish is None:
        problems.append(Problem("republish", "Choose what happens to the published figures "
                                "when the agency submits the return again"))
    if problems:
        raise Invalid(problems)


def _tell_reopened(session: Session, return_: Return, *, links: LinkSettings,
                   now: datetime) -> None:
    for contact in return_.agency.working_contacts:
        email = render_email(
            "return_reopened", to=contact.email,
            subject=f"Compact Audit {return_.cycle.label}: {return_.agency.name}'s return has "
                    "been reopened",
            name=contact.name, agency=return_.agency.name, cycle=return_.cycle.label,
            reason=return_.reopen_reason, link=f"{links.base_url.rstrip('/')}/agency/",
            partnership=links.partnership, help_email=links.help_email,
        )
        mail.queue_email(session, email, kind="return_reopened", now=now,
                           contact_id=contact.id, return_id=return_.id)
