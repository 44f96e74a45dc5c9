"""Moderation findings: a moderated grade and note per standard beside the agency's self grade.

The self grade of a standard is the agency's *modal* grade among its graded answers to that
standard's questions (not applicable and not answered are left out); when two grades are equally
common, the lower one is taken. The mode says what the agency claims for most of the standard;
taking the lower grade on a tie never credits the agency with a claim it made for only half of
it. A standard with no graded answers has no self grade, and its finding is not compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from portal.models import (
    Action,
    Answer,
    Evidence,
    Finding,
    Grade,
    Question,
    Return,
    Standard,
    Visit,
    VisitStatus,
)
from portal.services import audit, mail
from portal.services.accounts import LinkSettings
from portal.services.common import NotFound, Problem, Refused, check_texts, text_problems
from portal.services.mail import render_email
from portal.services.tools import get_tool
from portal.vocabulary import QUALITY_GRADES

from ._overdue import visit_day
from ._visits import utc_to_uk

QUALITY = {g.value for g in QUALITY_GRADES}
# A standard the member did not look at on the visit: stored as its "grade", with the reason as
# the note. It is not a grade: calibration and the comparisons leave it out.
NOT_LOOKED_AT = "not_looked_at"
SELF_GRADE_RULE = (
    "The self grade for a standard is the grade the agency gave most often to that standard's "
    "questions, leaving out not applicable and unanswered questions; when two grades are equally "
    "common, the lower one is used."
)


@dataclass(frozen=True)
class StandardReview:
    standard: Standard
    self_grade: str | None
    finding: Finding | None


@dataclass(frozen=True)
class AnswerLine:
    question: Question
    answer: Answer | None
    action: Action | None = None  # the agency's plan for an answer needing improvement


def modal_grade(counts: Mapping[str, int]) -> str | None:
    """The most common quality grade; on a tie the lower grade; None when nothing was graded."""
    graded = {g: n for g, n in counts.items() if g in QUALITY and n > 0}
    if not graded:
        return None
    return max(graded, key=lambda g: (graded[g], -Grade(g).rank))


def self_grades(session: Session, return_id: int) -> dict[int, str | None]:
    """Each standard's self grade in a return, by standard id (standards with answers only)."""
    rows = session.execute(
        select(Question.standard_id, Answer.grade, func.count(Answer.id))
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.return_id == return_id, Answer.grade.is_not(None))
        .group_by(Question.standard_id, Answer.grade)
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for standard_id, grade, count in rows:
        counts[standard_id][grade or ""] = count
    return {standard_id: modal_grade(by_grade) for standard_id, by_grade in counts.items()}


def review(session: Session, visit: Visit) -> list[StandardReview]:
    """The return's standards (those in its variant) with self grade and finding, in order."""
    return_ = visit.return_
    grades = self_grades(session, return_.id)
    found = {f.standard_id: f for f in visit.findings if f.question_id is None}
    tool = get_tool(session, return_.cycle.tool_version.version)  # standards and questions eagerly
    return [
        StandardReview(s, grades.get(s.id), found.get(s.id))
        for s in tool.standards
        if any(q.in_variant(return_.variant) for q in s.questions)
    ]


def standard_of_visit(visit: Visit, standard_id: int) -> Standard:
    for standard in visit.return_.cycle.tool_version.standards:
        if standard.id == standard_id:
            return standard
    raise NotFound("No such standard in this return")


def answers_for(session: Session, visit: Visit, standard: Standard) -> list[AnswerLine]:
    """The agency's answers to a standard's questions (in its variant) with its action plans,
    read-only."""
    return_ = visit.return_
    questions = [q for q in standard.questions if q.in_variant(return_.variant)]
    ids = [q.id for q in questions]
    answers = {a.question_id: a for a in session.scalars(
        select(Answer).where(Answer.return_id == return_.id, Answer.question_id.in_(ids)))}
    actions = {a.question_id: a for a in session.scalars(
        select(Action).where(Action.return_id == return_.id, Action.question_id.in_(ids)))}
    return [AnswerLine(q, answers.get(q.id), actions.get(q.id)) for q in questions]


def evidence_for(session: Session, visit: Visit, standard: Standard) -> str:
    text = session.scalar(select(Evidence.text).where(
        Evidence.return_id == visit.return_id, Evidence.standard_id == standard.id))
    return text or ""


def record_finding(
    session: Session, visit: Visit, *, standard_id: int, moderated_grade: str, note: str,
    now: datetime, user_id: int | None,
) -> Finding:
    """Record (or change) the moderated grade and note for one standard of a visit; or mark it
    not looked at (NOT_LOOKED_AT), with the reason as the note."""
    lock_open(session, visit)
    standard = standard_of_visit(visit, standard_id)
    check_texts(finding_problems(standard, moderated_grade, note))
    return save_finding(session, visit, standard, moderated_grade=moderated_grade, note=note,
                        now=now, user_id=user_id)


def finding_problems(
    standard: Standard, grade: str, note: str, *, suffix: str = "",
) -> list[Problem]:
    """What is wrong with a finding for `standard` (form fields grade and note, plus `suffix`)."""
    problems = text_problems(f"note{suffix}", note, label=f"The note for standard {standard.code}")
    if grade == NOT_LOOKED_AT:
        if not note.strip():
            problems.append(Problem(f"note{suffix}", f"Enter why you did not look at standard "
                                                     f"{standard.code}"))
    elif grade not in QUALITY:
        problems.append(Problem(f"grade{suffix}", "Select the moderated grade"))
    return problems


def save_finding(
    session: Session, visit: Visit, standard: Standard, *, moderated_grade: str, note: str,
    now: datetime, user_id: int | None,
) -> Finding:
    """Store a checked finding (the visit locked and open), with an audit event."""
    finding = next((f for f in visit.findings
                    if f.standard_id == standard.id and f.question_id is None), None)
    self_grade = self_grades(session, visit.return_id).get(standard.id)
    if finding is None:
        finding = Finding(visit=visit, standard_id=standard.id, question_id=None,
                          moderated_grade=moderated_grade)
        session.add(finding)
    finding.self_grade, finding.moderated_grade = self_grade, moderated_grade
    finding.note = note.strip() or None
    finding.recorded_at, finding.recorded_by_id = now, user_id
    session.flush()
    audit.record(session, action="finding.recorded", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, standard=standard.code, self_grade=finding.self_grade,
                 moderated_grade=moderated_grade)
    return finding


def unrecorded_problems(session: Session, visit: Visit) -> list[Problem]:
    """One problem per standard of the return with no finding (field grade_<standard id>)."""
    return [Problem(f"grade_{r.standard.id}",
                    f"Record standard {r.standard.code}, {r.standard.title}: select a grade, "
                    'or select "Not looked at" and say why')
            for r in review(session, visit) if r.finding is None]


def complete_visit(
    session: Session, visit: Visit, *, outcome: str, now: datetime, user_id: int | None,
    links: LinkSettings | None = None,
) -> Visit:
    """Record the visit's outcome and mark it completed; the agency is emailed a link to it.

    Every standard of the return needs a finding first: a grade, or not looked at and why."""
    lock_open(session, visit)
    check_texts(text_problems("outcome", outcome, label="The outcome", limit=10_000))
    day = visit_day(visit)
    if day is None:
        raise Refused("Schedule the visit before recording its outcome")
    if utc_to_uk(now).date() < day:
        raise Refused(f"You can record the outcome from the day of the visit, "
                      f"{day.day} {day:%B %Y}")
    problems = unrecorded_problems(session, visit)
    if not outcome.strip():
        problems.append(Problem("outcome", "Enter the outcome of the visit"))
    check_texts(problems)
    visit.outcome = outcome.strip()
    visit.status = VisitStatus.COMPLETED.value
    visit.completed_at = now
    session.flush()
    if links is not None:
        _email_outcome(session, visit, links=links, now=now)
    audit.record(session, action="visit.completed", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, findings=len(visit.findings))
    return visit


def lock_open(session: Session, visit: Visit) -> None:
    """Hold the visit row to the end of the transaction, then check it is open as it is now.

    Completing a visit and recording a finding queue here, so a finding posted at the moment
    of completion is either in the outcome sent or refused, never added after it. PostgreSQL:
    SELECT ... FOR UPDATE, then a fresh read (READ COMMITTED) sees the other's commit. SQLite
    has no row locks but one writer at a time: a no-op write takes the write lock first (as
    _rules.lock_diaries does), and what is read after it is what the other committed."""
    if session.connection().dialect.name == "sqlite":
        session.execute(update(Visit).where(Visit.id == visit.id)
                        .values(status=Visit.status)
                        .execution_options(synchronize_session=False))
    else:
        session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())
    session.refresh(visit)  # status and findings as committed by whoever held the row before
    _ensure_open(visit)


def _ensure_open(visit: Visit) -> None:
    reason = closed_reason(visit)
    if reason:
        raise Refused(reason)


def closed_reason(visit: Visit) -> str:
    """Why the visit's findings and outcome cannot change ("" while it is open).

    A completed visit's findings and outcome are what the agency was told: they stay as sent. A
    correction would need a new, separately recorded outcome (not built yet), never a silent
    change to the one the agency already has."""
    if visit.status == VisitStatus.CANCELLED.value:
        return "This visit was cancelled"
    if visit.status == VisitStatus.COMPLETED.value:
        return ("This visit is complete and its outcome has been sent to the agency, "
                "so its findings and outcome cannot change")
    return ""


def _email_outcome(session: Session, visit: Visit, *, links: LinkSettings, now: datetime) -> None:
    agency = visit.return_.agency
    for contact in agency.contacts:
        if contact.bounced_at is not None:
            continue
        email = render_email(
            "moderation_outcome", to=contact.email,
            subject=f"The outcome of {agency.name}'s moderation visit",
            person=contact.name, agency=agency.name, cycle=visit.return_.cycle.label,
            link=f"{links.base_url.rstrip('/')}/moderation/outcome/{visit.id}",
            partnership=links.partnership, help_email=links.help_email,
        )
        mail.queue_email(session, email, kind="visit_outcome", now=now, contact_id=contact.id,
                           return_id=visit.return_id)


def completed_visits_of_agency(session: Session, agency_id: int) -> list[Visit]:
    """An agency's completed visits, newest first (for its outcome pages)."""
    return list(session.scalars(
        select(Visit).join(Return, Return.id == Visit.return_id)
        .options(joinedload(Visit.return_).joinedload(Return.cycle))
        .where(Return.agency_id == agency_id, Visit.status == VisitStatus.COMPLETED.value)
        .order_by(Visit.completed_at.desc())
    ))


def scheduled_visits_of_agency(session: Session, agency_id: int) -> list[Visit]:
    """An agency's visits with a date and no outcome yet, soonest first (until they are held and
    written up, the agency sees when and where)."""
    return list(session.scalars(
        select(Visit).join(Return, Return.id == Visit.return_id)
        .options(joinedload(Visit.return_).joinedload(Return.cycle))
        .where(Return.agency_id == agency_id, Visit.status == VisitStatus.SCHEDULED.value)
        .order_by(Visit.starts_at, Visit.id)
    ))


def outcome_for_agency(session: Session, visit_id: int, agency_id: int) -> Visit:
    """A completed visit to this agency, or NotFound (never another agency's)."""
    visit = session.get(Visit, visit_id)
    if (visit is None or visit.return_.agency_id != agency_id
            or visit.status != VisitStatus.COMPLETED.value):
        raise NotFound("No such visit")
    return visit
