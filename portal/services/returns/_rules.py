"""What a consistent answer is: the rules every way of entering answers shares."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from portal.services.common import clean_text, text_message
from portal.vocabulary import GRADE_LABELS, Grade

GRADE_BY_TEXT = {
    **{g.value: g for g in Grade},
    **{label.lower(): g for g, label in GRADE_LABELS.items()},
    "n/a": Grade.NOT_APPLICABLE,
}
TEXT_LIMIT = 5000  # a comment, a reason for N/A, an action
WHO_LIMIT = 200
EVIDENCE_LIMIT = 20_000  # a standard's evidence, a short-tool note, the whole return's evidence
EARLIEST_ACTION_YEAR, LATEST_ACTION_YEAR = 2000, 2100


@dataclass(frozen=True)
class ActionInput:
    what: str = ""
    who: str = ""
    by_when: date | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.what or self.who or self.by_when)


@dataclass(frozen=True)
class AnswerInput:
    """One question's answer as entered; grade None means not answered."""

    code: str
    grade: str | None = None
    na_reason: str = ""
    comment: str = ""
    action: ActionInput = field(default_factory=ActionInput)

    @property
    def is_weak(self) -> bool:
        return self.grade is not None and Grade(self.grade).is_weak


@dataclass(frozen=True)
class StandardInput:
    """A standard's answers and evidence as entered."""

    answers: list[AnswerInput]
    evidence: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # short tool: optional, by standard code
    overall: str | None = None  # short tool: the whole return's evidence, on the page showing it


@dataclass(frozen=True)
class Problem:
    """A rule an answer breaks; `part` names what to fix (grade, reason, what, who, by, comment)."""

    code: str
    part: str
    message: str


def cleaned(data: StandardInput) -> StandardInput:
    """A standard's texts as stored: CRLF and CR made new lines (browsers send CRLF)."""
    answers = [replace(a, na_reason=clean_text(a.na_reason), comment=clean_text(a.comment),
                       action=replace(a.action, what=clean_text(a.action.what)))
               for a in data.answers]
    return replace(data, answers=answers, evidence=clean_text(data.evidence),
                   notes={code: clean_text(text) for code, text in data.notes.items()},
                   overall=None if data.overall is None else clean_text(data.overall))


def parse_grade(text: str | None) -> Grade | None:
    """A grade from its value or label (any case); None for blank; ValueError if unknown."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        return None
    if cleaned not in GRADE_BY_TEXT:
        raise ValueError(text)
    return GRADE_BY_TEXT[cleaned]


def answer_problems(answer: AnswerInput, number: str | None = None) -> list[Problem]:
    """Why an answer cannot be saved as it is: N/A needs a reason, a weak grade needs an action,
    and no text may be longer than its limit.

    Messages name the question by the number the agency sees (its code unless given)."""
    code = number or answer.code
    problems = []
    if answer.grade == Grade.NOT_APPLICABLE.value and not answer.na_reason.strip():
        problems.append(Problem(code, "reason", f"Enter why question {code} is not applicable"))
    if answer.is_weak:
        problems += action_problems(code, answer.action)
    problems = [Problem(answer.code, p.part, p.message) for p in problems]
    return problems + limit_problems(answer, number)


def limit_problems(answer: AnswerInput, number: str | None = None) -> list[Problem]:
    """An answer's texts longer than their limits or holding control characters (the text
    policy, services.common): every way of entering answers refuses them."""
    code = number or answer.code
    found = [(part, text_message(f"{label} for question {code}", value, kind=kind, limit=limit))
             for part, label, value, kind, limit in (
                 ("reason", "The reason", answer.na_reason, "text", TEXT_LIMIT),
                 ("comment", "The comment", answer.comment, "text", TEXT_LIMIT),
                 ("what", "The action", answer.action.what, "text", TEXT_LIMIT),
                 ("who", "Who will do it", answer.action.who, "line", WHO_LIMIT))]
    return [Problem(answer.code, part, message) for part, message in found if message]


def action_problems(code: str, action: ActionInput) -> list[Problem]:
    problems = []
    if not action.what.strip():
        problems.append(Problem(code, "what", f"Enter what will be done about question {code}"))
    if not action.who.strip():
        problems.append(Problem(code, "who", f"Enter who will do the action for question {code}"))
    if action.by_when is None:
        problems.append(Problem(code, "by", f"Enter the date the action for question {code} "
                                            "will be done by"))
    elif not EARLIEST_ACTION_YEAR <= action.by_when.year <= LATEST_ACTION_YEAR:
        problems.append(Problem(code, "by", f"The date for the action on question {code} must "
                                            f"be between {EARLIEST_ACTION_YEAR} and "
                                            f"{LATEST_ACTION_YEAR}"))
    return problems


def evidence_problems(standard_code: str, evidence: str) -> list[str]:
    """Evidence longer than its limit or holding control characters (`standard_code` may also
    be "your return")."""
    message = text_message(f"The evidence for standard {standard_code}", evidence,
                           limit=EVIDENCE_LIMIT)
    return [message] if message else []


def field_name(part: str, code: str) -> str:
    """The name of the field a question's part is entered in, which a problem is shown on:
    grade-6-2, reason-6-2, by-6-2-day (a date's first box)..."""
    return f"{part}-{code.replace('.', '-')}" + ("-day" if part == "by" else "")
