"""Recording a visit on one page: every standard's finding and the outcome in one save, then a
check of what is recorded before the visit is completed (`complete_visit`).

A save keeps whatever the member has decided so far (a standard left blank stays unrecorded),
so a long visit can be written up in more than one sitting; completing needs every standard.
The draft outcome is kept on the visit; the agency sees it only once the visit is completed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Action, Answer, Evidence, Standard, Visit
from portal.services import audit
from portal.services.common import Problem, check_texts, text_problems

from ._findings import (
    AnswerLine,
    StandardReview,
    finding_problems,
    lock_open,
    review,
    save_finding,
    standard_of_visit,
)


@dataclass(frozen=True)
class FindingEntry:
    """What the member chose for one standard: a grade, NOT_LOOKED_AT or "" (not yet), and the
    note (the reason, when not looked at)."""

    standard_id: int
    grade: str
    note: str


@dataclass(frozen=True)
class StandardSheet:
    """A standard as the member records it: self grade, finding, answers with action plans,
    evidence."""

    review: StandardReview
    lines: list[AnswerLine]
    evidence: str


def record_sheet(session: Session, visit: Visit) -> list[StandardSheet]:
    """Every standard of the visit's return with what the member needs beside it, in three
    queries whatever the number of standards."""
    reviews = review(session, visit)
    return_ = visit.return_
    questions = [q for r in reviews for q in r.standard.questions if q.in_variant(return_.variant)]
    ids = [q.id for q in questions]
    answers = {a.question_id: a for a in session.scalars(
        select(Answer).where(Answer.return_id == return_.id, Answer.question_id.in_(ids)))}
    actions = {a.question_id: a for a in session.scalars(
        select(Action).where(Action.return_id == return_.id, Action.question_id.in_(ids)))}
    evidence = {standard_id: text for standard_id, text in session.execute(
        select(Evidence.standard_id, Evidence.text).where(Evidence.return_id == return_.id))}
    lines: dict[int, list[AnswerLine]] = defaultdict(list)
    for q in questions:
        lines[q.standard_id].append(AnswerLine(q, answers.get(q.id), actions.get(q.id)))
    return [StandardSheet(r, lines[r.standard.id], evidence.get(r.standard.id) or "")
            for r in reviews]


def record_findings(
    session: Session, visit: Visit, entries: Sequence[FindingEntry], *, outcome: str,
    now: datetime, user_id: int | None,
) -> int:
    """Save the member's findings and draft outcome from the one-page form, all or nothing;
    standards with nothing chosen stay unrecorded. Returns how many findings were saved.

    Problems name the form's fields: grade_<standard id>, note_<standard id>, outcome."""
    lock_open(session, visit)
    chosen = [(standard_of_visit(visit, e.standard_id), e) for e in entries]
    problems = [p for standard, e in chosen for p in _entry_problems(standard, e)]
    check_texts(problems, text_problems("outcome", outcome, label="The outcome", limit=10_000))
    saved = 0
    for standard, entry in chosen:
        if entry.grade:
            save_finding(session, visit, standard, moderated_grade=entry.grade, note=entry.note,
                         now=now, user_id=user_id)
            saved += 1
    visit.outcome = outcome.strip() or None
    session.flush()
    audit.record(session, action="findings.saved", entity_type="visit", entity_id=visit.id,
                 user_id=user_id, findings=saved)
    return saved


def _entry_problems(standard: Standard, entry: FindingEntry) -> list[Problem]:
    suffix = f"_{entry.standard_id}"
    if not entry.grade:  # nothing decided yet: only a typed note needs a decision with it
        if entry.note.strip():
            return [Problem(f"grade{suffix}", f"Select a grade for standard "
                            f"{standard.code}, or \"Not looked at\", "
                            "to keep its note")]
        return []
    return finding_problems(standard, entry.grade, entry.note, suffix=suffix)
