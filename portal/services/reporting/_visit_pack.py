"""The visit pack's content: what the manager and the member take to a moderation visit
(portal.reports.visit_pack renders it as a PDF).

It holds the agency and its contacts, the return's answers and evidence, and the questions
worth probing: the lowest self-grades, the biggest changes since the agency's last return, and
the N/A answers with their reasons."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.models import Visit
from portal.services import moderation, returns
from portal.services.returns import AnswerInput, ReturnDocument
from portal.vocabulary import GRADE_LABELS, GRADE_RANK, Grade

PROBES_SHOWN = 5


@dataclass(frozen=True)
class Probe:
    code: str
    text: str
    note: str


@dataclass(frozen=True)
class VisitPack:
    agency: str
    cycle: str
    when: str
    place: str
    attendees: list[str]
    contacts: list[str]  # "Name, email"
    document: ReturnDocument
    lowest: list[Probe]
    changed: list[Probe]
    not_applicable: list[Probe]
    previous_cycle: str | None


def visit_pack(session: Session, visit: Visit) -> VisitPack:
    """The pack's content for one visit."""
    return_ = visit.return_
    document = returns.return_document(session, return_)
    previous = returns.previous_answers(session, return_)
    questions = [(q.code, q.text, q.answer) for s in document.standards for q in s.questions]
    when = moderation.utc_to_uk(visit.starts_at) if visit.starts_at else None
    return VisitPack(
        agency=return_.agency.name, cycle=return_.cycle.label,
        when=f"{when.day} {when:%B %Y} at {when:%H:%M}" if when else "Not scheduled yet",
        place=visit.place or "Not set",
        attendees=[u.name or u.email for u in (visit.manager, visit.member) if u is not None],
        contacts=[f"{c.name}, {c.email}" for c in return_.agency.contacts],
        document=document, lowest=_lowest(questions),
        changed=_changed(questions, previous.answers if previous else {}),
        not_applicable=[Probe(code, text, f"Why not applicable: {a.na_reason or 'no reason'}")
                        for code, text, a in questions if a.grade == Grade.NOT_APPLICABLE],
        previous_cycle=previous.cycle if previous else None,
    )


def _rank(answer: AnswerInput) -> int | None:
    if answer.grade is None or answer.grade == Grade.NOT_APPLICABLE:
        return None
    return GRADE_RANK[Grade(answer.grade)]


def _label(grade: str | None) -> str:
    return GRADE_LABELS[Grade(grade)] if grade else "Not answered"


def _lowest(questions: list[tuple[str, str, AnswerInput]]) -> list[Probe]:
    graded = [(rank, n, code, text, a) for n, (code, text, a) in enumerate(questions)
              if (rank := _rank(a)) is not None]
    graded.sort(key=lambda item: item[:2])
    return [Probe(code, text, f"Self-grade: {_label(a.grade)}")
            for _, _, code, text, a in graded[:PROBES_SHOWN]]


def _changed(questions: list[tuple[str, str, AnswerInput]],
             before: dict[str, AnswerInput]) -> list[Probe]:
    moves = []
    for n, (code, text, answer) in enumerate(questions):
        now_rank, then = _rank(answer), before.get(code)
        then_rank = _rank(then) if then else None
        if now_rank is not None and then_rank is not None and now_rank != then_rank:
            moves.append((-abs(now_rank - then_rank), n, Probe(
                code, text, f"{_label(then.grade if then else None)} then, "
                            f"{_label(answer.grade)} now")))
    moves.sort(key=lambda item: item[:2])
    return [probe for _, _, probe in moves[:PROBES_SHOWN]]
