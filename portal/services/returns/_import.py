"""`flask returns import`: answers and evidence from a CSV into a cycle's returns, all or nothing.

The CSV has a header row and these columns (see docs/returns-import.md):

    type,agency,code,grade,comment,na_reason,evidence

- `answer` rows: `code` is a question code (6.2); `grade` is outstanding, good,
  requires_improvement, inadequate or not_applicable (or its label, in any case); a blank grade
  means not answered and is stored as such, never as a grade; `comment` and `na_reason` optional.
- `evidence` rows: `code` is a standard code (6); `evidence` is the description.

Texts keep the limits of every other way of saving answers (_rules: a comment or reason 5,000
characters, evidence 20,000).

Answers copied from an earlier cycle ("start from my last answers") and not yet confirmed: an
answer the file gives for such a question counts as confirmed, since the file states it
explicitly and whoever runs the import vouches for the file. An import of a whole return is not
a confirmation of answers it does not give: they keep their marks, and `--submit` refuses the
file while any return in it holds one (the rule every submission keeps, `unconfirmed_copies`).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Agency, Question, Return, ReturnStatus
from portal.services import audit
from portal.services.common import ImportRejected, LineError, clean_text, csv_rows
from portal.services.cycles import get_cycle, mark_submitted

from ._reading import saved_answers, standard_input, standard_parts
from ._rules import AnswerInput, StandardInput, evidence_problems, limit_problems, parse_grade
from ._saving import bump_version, write_standard
from ._submission import unconfirmed_copies

COLUMNS = ["type", "agency", "code", "grade", "comment", "na_reason", "evidence"]
MAX_ROWS = 200_000


@dataclass
class _Pending:
    """What the file says about one return, and the first line that named it."""

    return_: Return
    line: int
    read_version: int  # as a web form does: a save since then is a conflict, not overwritten
    answers: dict[str, AnswerInput] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    returns: int
    answers: int
    evidence: int
    submitted: int


class _Context:
    def __init__(self, session: Session, cycle_label: str) -> None:
        self.cycle = get_cycle(session, cycle_label)
        self.agencies = {a.name.lower(): a for a in session.scalars(select(Agency))}
        self.returns = {r.agency_id: r for r in session.scalars(
            select(Return).where(Return.cycle_id == self.cycle.id))}
        self.questions = {q.code: q for q in session.scalars(
            select(Question).where(Question.tool_version_id == self.cycle.tool_version_id))}
        self.standards = {q.standard.code for q in self.questions.values()}
        self.pending: dict[int, _Pending] = {}
        self.errors: list[LineError] = []

    def fail(self, line: int, message: str) -> None:
        self.errors.append(LineError(f"Line {line}", message))


def import_returns(session: Session, text: str, *, cycle_label: str, submit: bool,
                   user_id: int | None, now: datetime) -> ImportResult:
    """Store every row's answer or evidence; any problem rejects the whole file."""
    context = _Context(session, cycle_label)
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportRejected([LineError("Line 1", "this is not a CSV file")]) from exc
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        raise ImportRejected([LineError("Line 1", f"the header must be {','.join(COLUMNS)} "
                                                  f"(missing {', '.join(missing)})")])
    for row in csv_rows(reader, lambda: reader.line_num):
        if reader.line_num > MAX_ROWS:
            context.fail(reader.line_num, "the file is too long")
            break
        _read_row(context, row, reader.line_num)
    for pending in context.pending.values():
        if pending.return_.status == ReturnStatus.SUBMITTED.value:
            context.fail(pending.line, f"{pending.return_.agency.name}'s {cycle_label} return is "
                                       "already submitted: reopen it first")
        elif submit:
            _check_copies(session, context, pending)
    if context.errors:
        raise ImportRejected(context.errors)
    return _store(session, context, submit=submit, user_id=user_id, now=now)


def _check_copies(session: Session, context: _Context, pending: _Pending) -> None:
    """Submitting keeps the rule of every submission: no copied answer left unconfirmed (the
    file's own answers confirm theirs)."""
    left = [p.question_code for p in unconfirmed_copies(session, pending.return_)
            if p.question_code not in pending.answers]
    if left:
        context.fail(pending.line, f"{pending.return_.agency.name}'s return cannot be submitted: "
                                   f"{len(left)} copied {'answer is' if len(left) == 1 else 'answers are'}"
                                   f" not confirmed (questions {', '.join(map(str, left))}). "
                                   "Give them in the file, or have the agency confirm them")


def _read_row(context: _Context, row: dict[str, str | None], line: int) -> None:
    values = {key: clean_text(row.get(key)).strip() for key in COLUMNS}
    if not any(values.values()):
        return
    pending = _pending_for(context, values["agency"], line)
    kind = values["type"].lower()
    if kind == "answer":
        _read_answer(context, pending, values, line)
    elif kind == "evidence":
        _read_evidence(context, pending, values, line)
    else:
        context.fail(line, f"type must be answer or evidence, not '{values['type']}'")


def _pending_for(context: _Context, name: str, line: int) -> _Pending | None:
    agency = context.agencies.get(name.lower())
    if agency is None:
        context.fail(line, f"no agency called '{name}' in the register" if name
                     else "enter the agency's name")
        return None
    return_ = context.returns.get(agency.id)
    if return_ is None:
        context.fail(line, f"{agency.name} was not issued the {context.cycle.label} audit")
        return None
    return context.pending.setdefault(agency.id, _Pending(return_, line, return_.version))


def _read_answer(context: _Context, pending: _Pending | None, values: dict[str, str],
                 line: int) -> None:
    code = values["code"]
    question = context.questions.get(code)
    if question is None:
        context.fail(line, f"there is no question {code or '(blank)'} in this cycle's tool")
        return
    try:
        grade = parse_grade(values["grade"])
    except ValueError:
        context.fail(line, f"'{values['grade']}' is not a grade: use outstanding, good, "
                           "requires_improvement, inadequate, not_applicable or leave it blank")
        return
    if pending is None:
        return
    if not question.in_variant(pending.return_.variant):
        context.fail(line, f"question {code} is not in the {pending.return_.variant} tool that "
                           f"{pending.return_.agency.name} completes")
    elif code in pending.answers:
        context.fail(line, f"question {code} for {pending.return_.agency.name} appears twice")
    else:
        answer = AnswerInput(code, grade.value if grade else None, values["na_reason"],
                             values["comment"])
        for problem in limit_problems(answer):  # the limits every way of saving answers keeps
            context.fail(line, problem.message)
        pending.answers[code] = answer


def _read_evidence(context: _Context, pending: _Pending | None, values: dict[str, str],
                   line: int) -> None:
    code = values["code"]
    if code not in context.standards:
        context.fail(line, f"there is no standard {code or '(blank)'} in this cycle's tool")
    elif pending is not None and code in pending.evidence:
        context.fail(line, f"evidence for standard {code} for {pending.return_.agency.name} "
                           "appears twice")
    elif pending is not None:
        for message in evidence_problems(code, values["evidence"]):
            context.fail(line, message)
        pending.evidence[code] = values["evidence"]


def _store(session: Session, context: _Context, *, submit: bool, user_id: int | None,
           now: datetime) -> ImportResult:
    answers = evidence = submitted = 0
    conflicts = [LineError(f"Line {p.line}", f"{p.return_.agency.name}'s return was saved by "
                           "someone else after the import read it: nothing was imported. "
                           "Check it, then import the file again")
                 for p in context.pending.values()
                 if not bump_version(session, p.return_, p.read_version, now=now,
                                     editable_only=False)]
    if conflicts:
        raise ImportRejected(conflicts)
    for pending in context.pending.values():
        return_ = pending.return_
        saved, saved_evidence = saved_answers(session, return_)
        for part in standard_parts(session, return_):
            current = standard_input(part, saved, saved_evidence)
            merged = StandardInput(
                [pending.answers.get(a.code, a) for a in current.answers],
                pending.evidence.get(part.standard.code, current.evidence),
            )
            if merged != current or pending.answers.keys() & {a.code for a in merged.answers}:
                write_standard(session, return_, part, merged, user_id=user_id, now=now,
                               record_blanks=frozenset(pending.answers),
                               confirmed=pending.answers.keys())
        answers += len(pending.answers)
        evidence += len(pending.evidence)
        if submit:
            mark_submitted(session, return_, now=now, user_id=user_id)  # clears its escalation
            return_.declaration_name = return_.declaration_name or "Imported by the partnership"
            submitted += 1
        audit.record(session, action="return.imported", entity_type="return",
                     entity_id=return_.id, user_id=user_id, cycle=context.cycle.label,
                     answers=len(pending.answers), submitted=submit)
    session.flush()
    return ImportResult(len(context.pending), answers, evidence, submitted)


