"""Saving answers with optimistic locking on the return's version: no silent overwrites."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from portal.models import (
    Action,
    Answer,
    CycleStatus,
    Evidence,
    Grade,
    Return,
    ReturnStatus,
    User,
)
from portal.services import audit
from portal.services.common import Invalid, Problem, Refused, ServiceError

from ._reading import (
    StandardPart,
    get_return,
    part_answers,
    part_copies,
    saved_answers,
    standard_input,
)
from ._rules import AnswerInput, StandardInput, answer_problems, cleaned, evidence_problems, field_name

CLAIM_ATTEMPTS = 3


@dataclass(frozen=True)
class ReadMark:
    """What a form was showing: the return's version and a digest of the standard's answers."""

    version: int
    digest: str


class ReturnLocked(Refused):
    """The return is submitted: nothing can change until a manager reopens it."""


class Conflict(ServiceError):
    """Someone else saved this standard after the form was read; theirs is what is saved now."""

    def __init__(self, theirs: StandardInput, *, saved_by: str | None,
                 saved_at: datetime | None, mark: ReadMark) -> None:
        self.theirs = theirs
        self.saved_by = saved_by
        self.saved_at = saved_at
        self.mark = mark  # resubmitting with this mark saves over theirs, knowingly
        super().__init__(f"{saved_by or 'Someone else'} saved these answers while you were "
                         "editing them")


def digest(data: StandardInput) -> str:
    """A short fingerprint of a standard's answers, to tell whether they changed."""
    canonical = json.dumps(asdict(data), sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def read_mark(session: Session, return_: Return, part: StandardPart) -> ReadMark:
    answers, evidence = saved_answers(session, return_)
    return ReadMark(return_.version,
                    digest(standard_input(part, answers, evidence, return_.overall_evidence)))


def ensure_editable(return_: Return) -> None:
    """Answers change only while the return is unsubmitted and its cycle is not closed, or
    while a manager has reopened it (in a closed cycle too: only that return).

    A closed cycle's figures are published ("closed cycles stay true"): a non-returner's work
    goes into its carried-over return in the next cycle, which is what resolves the escalation."""
    if (return_.cycle.status == CycleStatus.CLOSED.value
            and return_.status != ReturnStatus.REOPENED.value):
        raise ReturnLocked(f"The {return_.cycle.label} audit is closed, so this return can no "
                           "longer change. Your current return is on your home page.")
    if return_.status == ReturnStatus.SUBMITTED.value:
        raise ReturnLocked("This return has been submitted. Ask the partnership to reopen it "
                           "if something needs to change.")


def editable_return(session: Session, return_id: int, *, agency_id: int | None) -> Return:
    """A return whose answers may change now (ReturnLocked, a refusal, otherwise)."""
    found = get_return(session, return_id, agency_id=agency_id)
    ensure_editable(found)
    return found


def standard_problems(part: StandardPart, data: StandardInput) -> list[Problem]:
    """Every rule a standard's answers break, each on the field it is entered in: the one rule
    for saving them (limits included)."""
    problems = [Problem(field_name(p.part, p.code), p.message) for answer in data.answers
                for p in answer_problems(answer, part.number(answer.code))]
    texts = ([("evidence", part.standard.code, data.evidence)] if not part.grouped else
             [(f"notes-{code}", code, text) for code, text in data.notes.items()]
             + [("overall-evidence", "your return", data.overall or "")])
    return problems + [Problem(name, message) for name, label, text in texts
                       for message in evidence_problems(label, text)]


def save_standard(session: Session, return_: Return, part: StandardPart, data: StandardInput,
                  *, read: ReadMark, user_id: int | None, now: datetime,
                  confirm_copies: bool = False) -> None:
    """Save one standard's answers, refusing with Invalid if they break a rule and with Conflict
    if another save changed them since; a save that changes something is audited.

    An answer copied from an earlier cycle stays marked until it is changed, or until the
    agency confirms the page's copied answers as they are (`confirm_copies`, also audited):
    saving a page unchanged is not a review of it."""
    ensure_editable(return_)
    data = cleaned(data)
    problems = standard_problems(part, data)
    if problems:
        raise Invalid(problems)
    _claim(session, return_, part, read, now)
    confirmed = part_copies(session, return_, part) if confirm_copies else set()
    changed = write_standard(session, return_, part, data, user_id=user_id, now=now,
                             confirmed=confirmed)
    context: dict[str, Any] = {"cycle": return_.cycle.label, "agency": return_.agency.name,
                               "standard": part.standard.code}
    if changed:
        audit.record(session, action="return.saved", entity_type="return", entity_id=return_.id,
                     user_id=user_id, changed=changed, **context)
    if confirmed - set(changed):
        audit.record(session, action="return.copies_confirmed", entity_type="return",
                     entity_id=return_.id, user_id=user_id,
                     confirmed=sorted(confirmed - set(changed)), **context)


def _claim(session: Session, return_: Return, part: StandardPart, read: ReadMark,
           now: datetime) -> None:
    """Bump the version the form read; if it moved on, go on only if this standard is unchanged."""
    if bump_version(session, return_, read.version, now=now):
        return
    for _ in range(CLAIM_ATTEMPTS):
        answers, evidence = part_answers(session, return_, part)
        version, status, overall = session.execute(
            select(Return.version, Return.status, Return.overall_evidence)
            .where(Return.id == return_.id)).one()
        current = standard_input(part, answers, evidence, overall)
        if status == ReturnStatus.SUBMITTED.value:  # submitted by someone else meanwhile
            raise ReturnLocked("This return was submitted while you were working on it. Ask the "
                               "partnership to reopen it if something needs to change.")
        if digest(current) != read.digest:
            saved_by, saved_at = _last_saved(session, return_, part)
            raise Conflict(current, saved_by=saved_by, saved_at=saved_at,
                           mark=ReadMark(version, digest(current)))
        if bump_version(session, return_, version, now=now):
            return  # another standard was saved meanwhile: this one is as the user saw it
    raise Refused("The return is being saved by someone else. Try again.")


def bump_version(session: Session, return_: Return, version: int, *, now: datetime,
                 editable_only: bool = True) -> bool:
    """Atomically move the return from `version` to the next; False if it was not at `version`
    (or, with editable_only, if it has been submitted: nothing may be written into it then)."""
    query = update(Return).where(Return.id == return_.id, Return.version == version)
    if editable_only:
        query = query.where(Return.status != ReturnStatus.SUBMITTED.value)
    result = session.execute(
        query
        .values(version=Return.version + 1, last_activity_at=now,
                status=case((Return.status == ReturnStatus.NOT_STARTED.value,
                             ReturnStatus.IN_PROGRESS.value), else_=Return.status))
        .execution_options(synchronize_session=False)
    )
    session.expire(return_, ["version", "status", "last_activity_at"])
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _last_saved(session: Session, return_: Return,
                part: StandardPart) -> tuple[str | None, datetime | None]:
    ids = [q.id for q in part.questions]
    row = session.execute(
        select(User.name, User.email, Answer.updated_at).join(User, User.id == Answer.updated_by_id)
        .where(Answer.return_id == return_.id, Answer.question_id.in_(ids))
        .order_by(Answer.updated_at.desc()).limit(1)
    ).first()
    evidence = session.execute(
        select(User.name, User.email, Evidence.updated_at)
        .join(User, User.id == Evidence.updated_by_id)
        .where(Evidence.return_id == return_.id, Evidence.standard_id == part.standard.id)
    ).first()
    latest = max((r for r in (row, evidence) if r is not None), key=lambda r: r[2], default=None)
    return (latest[0] or latest[1], latest[2]) if latest else (None, None)


def write_standard(session: Session, return_: Return, part: StandardPart, data: StandardInput,
                   *, user_id: int | None, now: datetime,
                   record_blanks: frozenset[str] = frozenset(),
                   copied: Mapping[str, str] | None = None,
                   confirmed: Collection[str] = ()) -> list[str]:
    """Store a standard's answers, actions and evidence as given (the caller holds the version);
    return what changed: question codes, "evidence", "notes-<standard>", "overall-evidence".

    A blank answer gets a row (grade NULL: not answered) only if its code is in record_blanks.
    `copied` marks answers copied from an earlier cycle (code: its label). An answer already
    marked keeps its mark while it stays as copied; changing it (grade, reason, comment or
    action) makes it the agency's own, and so does confirming it (its code in `confirmed`).
    """
    ids = {q.code: q.id for q in part.questions}
    answers = {a.question_id: a for a in session.scalars(
        select(Answer).where(Answer.return_id == return_.id, Answer.question_id.in_(ids.values())))}
    actions = {a.question_id: a for a in session.scalars(
        select(Action).where(Action.return_id == return_.id, Action.question_id.in_(ids.values())))}
    changed = []
    for given in data.answers:
        question_id = ids[given.code]
        row = answers.get(question_id)
        if row is None and given.code in record_blanks:
            row = Answer(return_id=return_.id, question_id=question_id)
            session.add(row)
        acted = _write_action(session, return_, question_id, given, actions.get(question_id))
        mark = _Mark((copied or {}).get(given.code),
                     keep=not acted and given.code not in confirmed)
        if _write_answer(session, return_, question_id, given, row, user_id, now, mark) or acted:
            changed.append(given.code)
    changed += _write_texts(session, return_, part, data, user_id=user_id, now=now)
    session.flush()
    return changed


def _write_texts(session: Session, return_: Return, part: StandardPart, data: StandardInput,
                 *, user_id: int | None, now: datetime) -> list[str]:
    """The standard's evidence, or (the short tool) its notes and maybe the return's evidence."""
    if not part.grouped:
        return (["evidence"] if write_evidence(session, return_, part.standard.id, data.evidence,
                                               user_id=user_id, now=now) else [])
    ids = {standard.code: standard.id for standard, _ in part.sections}
    changed = [f"notes-{code}" for code, text in data.notes.items()
               if write_evidence(session, return_, ids[code], text, user_id=user_id, now=now)]
    overall = None if data.overall is None else data.overall.strip() or None
    if data.overall is not None and return_.overall_evidence != overall:
        return_.overall_evidence = overall
        changed.append("overall-evidence")
    return changed


@dataclass(frozen=True)
class _Mark:
    """An answer's copied mark: set it (`copied_from`), or keep the one it has if unchanged."""

    copied_from: str | None
    keep: bool


def _write_answer(session: Session, return_: Return, question_id: int, given: AnswerInput,
                  row: Answer | None, user_id: int | None, now: datetime, mark: _Mark) -> bool:
    """Store one answer; False when it was already so (a new mark alone is not a change)."""
    if row is None:
        if given.grade is None and not given.comment.strip():
            return False  # nothing entered: no row, which counts as not answered
        row = Answer(return_id=return_.id, question_id=question_id)
        session.add(row)
    is_na = given.grade == Grade.NOT_APPLICABLE.value
    values = {"grade": given.grade,
              "na_reason": (given.na_reason.strip() or None) if is_na else None,
              "comment": given.comment.strip() or None}
    same = row.id is not None and all(getattr(row, k) == v for k, v in values.items())
    row.copied_from = mark.copied_from or (row.copied_from if same and mark.keep else None)
    if same:
        return False  # unchanged (a page saved again as it was): its last change stays the last
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = now
    row.updated_by_id = user_id
    return True


def _write_action(session: Session, return_: Return, question_id: int, given: AnswerInput,
                  row: Action | None) -> bool:
    if not given.is_weak or given.action.is_empty:
        if row is not None:
            session.delete(row)
        return row is not None
    values = {"what": given.action.what.strip(), "who": given.action.who.strip(),
              "by_when": given.action.by_when}
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        return False
    if row is None:
        row = Action(return_id=return_.id, question_id=question_id)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    return True


def write_evidence(session: Session, return_: Return, standard_id: int, text: str, *,
                   user_id: int | None, now: datetime) -> bool:
    """Store a standard's evidence; False when it was already so."""
    row = session.scalar(select(Evidence).where(Evidence.return_id == return_.id,
                                                Evidence.standard_id == standard_id))
    if row is None:
        if not text.strip():
            return False
        row = Evidence(return_id=return_.id, standard_id=standard_id)
        session.add(row)
    elif row.text == text.strip():
        return False  # unchanged: its last change stays the last
    row.text = text.strip()
    row.updated_at = now
    row.updated_by_id = user_id
    return True
