"""The agency's return forms: a standard's answers (fields per question), declaration, upload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from portal.services.returns import ActionInput, AnswerInput, StandardInput, field_name
from portal.vocabulary import DB_INT_MAX, Grade


def field_id(part: str, code: str) -> str:
    """The id (and name) of a question's field: grade-6-2, reason-6-2, by-6-2-day..."""
    return f"{part}-{code.replace('.', '-')}"


def error_anchor(part: str, code: str) -> str:
    """Where a problem with a question's part is shown: the service names it (by-6-2-day...)."""
    return field_name(part, code)


@dataclass(frozen=True)
class FieldError:
    field_id: str
    message: str


class StandardForm(FlaskForm):
    """The fixed part of a standard's page (CSRF and what was read); questions are read below."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(0, DB_INT_MAX)])
    digest = HiddenField()


def values_from_input(data: StandardInput) -> dict[str, str]:
    """Saved answers as the form's field values."""
    values = {"evidence": data.evidence, "overall-evidence": data.overall or ""}
    values.update({f"notes-{code}": text for code, text in data.notes.items()})
    for answer in data.answers:
        code = answer.code
        by = answer.action.by_when
        values.update({
            field_id("grade", code): answer.grade or "", field_id("reason", code): answer.na_reason,
            field_id("comment", code): answer.comment, field_id("what", code): answer.action.what,
            field_id("who", code): answer.action.who,
            field_id("by", code) + "-day": str(by.day) if by else "",
            field_id("by", code) + "-month": str(by.month) if by else "",
            field_id("by", code) + "-year": str(by.year) if by else "",
        })
    return values


@dataclass(frozen=True)
class PageShape:
    """What a short-tool page asks beyond its questions: notes per standard, maybe the evidence."""

    notes: tuple[str, ...] = ()  # standard codes
    overall: bool = False


def read_standard(codes: list[str], form: Mapping[str, str], *,
                  numbers: Mapping[str, str] | None = None,
                  shape: PageShape | None = None) -> tuple[StandardInput, list[FieldError]]:
    """A page's answers from posted fields, and the dates that are not dates (in page order).

    Only types are checked here: every rule of what may be saved (reasons, actions, limits) is
    the service's (returns.standard_problems, applied by save_standard)."""
    errors: list[FieldError] = []
    answers = [_read_answer(code, form, errors, (numbers or {}).get(code, code))
               for code in codes]
    if shape is None:
        return StandardInput(answers, (form.get("evidence") or "").strip()), errors
    notes = {code: (form.get(f"notes-{code}") or "").strip() for code in shape.notes}
    overall = (form.get("overall-evidence") or "").strip() if shape.overall else None
    return StandardInput(answers, notes=notes, overall=overall), errors


def _read_answer(code: str, form: Mapping[str, str], errors: list[FieldError],
                 number: str) -> AnswerInput:
    def text(part: str) -> str:
        return (form.get(field_id(part, code)) or "").strip()

    grade = text("grade")
    if grade and grade not in {g.value for g in Grade}:
        grade = ""
    weak = grade in (Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value)
    by_when, date_error = _read_date(code, form, number)
    if date_error and weak:
        errors.append(FieldError(error_anchor("by", code), date_error))
    return AnswerInput(
        code, grade or None, text("reason") if grade == Grade.NOT_APPLICABLE.value else "",
        text("comment"),
        ActionInput(text("what"), text("who"), by_when) if weak else ActionInput(),
    )


def _read_date(code: str, form: Mapping[str, str],
               number: str) -> tuple[date | None, str | None]:
    base = field_id("by", code)
    parts = [(form.get(f"{base}-{p}") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None, None
    try:
        if any(len(p) > 4 or not p.isascii() or not p.isdigit() for p in parts):
            raise ValueError
        day, month, year = (int(p) for p in parts)
        if year < 1000:
            raise ValueError
        return date(year, month, day), None
    except ValueError:
        return None, f"The date for the action on question {number} must be a real date, " \
                     "like 31 3 2027"


class DeclarationForm(FlaskForm):
    name = StringField(
        "Your full name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter your full name")],
    )
    role = StringField(
        "Your role", widget=GovTextInput(), description="For example, designated safeguarding lead",
        validators=[InputRequired(message="Enter your role")],
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(0, DB_INT_MAX)])
    submit = SubmitField("Accept and submit", widget=GovSubmitInput())


class UploadForm(FlaskForm):
    file = FileField(
        "Upload your completed spreadsheet", widget=GovFileInput(),
        description="The .xlsx file you downloaded from this return, filled in.",
        validators=[FileRequired(message="Select the spreadsheet to upload")],
    )
    submit = SubmitField("Upload answers", widget=GovSubmitInput())


class StartFromPreviousForm(FlaskForm):
    submit = SubmitField("Start from my last return's answers", widget=GovSubmitInput())


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        "Why are you reopening this return?", widget=GovTextArea(),
        description="The agency will see this reason. It is also kept in the audit trail.",
        validators=[InputRequired(message="Enter why you are reopening the return")],
    )  # its limit is reopen_return's
    # Shown only for a return of a closed cycle, whose report has been published.
    understood = BooleanField(
        "I understand that the published report will keep the figures as they were until a "
        "manager republishes it", widget=GovCheckboxInput())
    # Also only for a closed cycle's return: what its resubmission does to the published figures.
    republish = RadioField(
        "When the agency submits the return again", widget=GovRadioInput(),
        choices=[("republish", "Republish the cycle's figures, with this return's new answers"),
                 ("keep", "Keep the published figures (a manager can republish them later)")],
        validate_choice=False,  # none chosen, or not a choice: the service asks for one
    )
    submit = SubmitField("Reopen return", widget=GovSubmitInput())

    def republish_choice(self) -> bool | None:
        """True to republish, False to keep the published figures, None if not chosen."""
        return {"republish": True, "keep": False}.get(self.republish.data or "")
