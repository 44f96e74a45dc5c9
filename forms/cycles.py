"""The manager's cycle forms: create a cycle, confirm opening or closing, record a Chair meeting."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Regexp, ValidationError

from portal.models import ToolVersion

COHORT_CHOICES = [SelectChoice("A", "Cohort A"), SelectChoice("B", "Cohort B")]


class GovDateField(DateField):
    """Day, month and year boxes; a POST without the boxes reads as empty (the widget needs 3)."""

    def __init__(self, label: str, *, required_message: str | None = None, **kwargs: Any) -> None:
        self.required_message = required_message
        super().__init__(label, widget=GovDateInput(), format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(v).strip() for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        try:
            self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date()
        except ValueError as exc:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from exc

    @property
    def required_date(self) -> date:
        """The date of a required field that has passed validation."""
        if self.data is None:
            raise ValueError(f"{self.name} has no date; validate the form first")
        return self.data

    def pre_validate(self, form: Any) -> None:
        if self.data is None and self.required_message and not self.process_errors:
            raise ValidationError(self.required_message)


class CycleForm(FlaskForm):
    label = StringField(
        "Label", widget=GovTextInput(), description="The audit year, for example 2018-19",
        validators=[InputRequired(message="Enter a label for the cycle"), Length(max=20),
                    Regexp(r"^[\w .\-/]+$", message="The label can only include letters, "
                           "numbers, spaces, hyphens, full stops and slashes")],
    )
    cohort = RadioField(
        "Which cohort is issued the audit?", widget=GovRadioInput(), choices=COHORT_CHOICES,
        validators=[InputRequired(message="Select cohort A or B")],
    )
    deadline = GovDateField("Deadline", description="For example, 29 6 2018",
                            required_message="Enter the deadline")
    final_deadline = GovDateField(
        "Final deadline (optional)",
        description="Returns still missing after this date are escalated. Leave it blank for "
                    "20 working days after the deadline.",
    )
    tool_version = SelectField("Version of the tool", widget=GovSelect(), coerce=int,
                               validators=[InputRequired(message="Select a version of the tool")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def offer_tool_versions(self, versions: list[ToolVersion]) -> None:
        self.tool_version.choices = [SelectChoice(t.id, f"{t.title} ({t.version})")
                                     for t in versions]

    def validate_final_deadline(self, field: GovDateField) -> None:
        deadline: date | None = self.deadline.data
        if field.data and deadline and field.data < deadline:
            raise ValidationError("The final deadline must be the same as or after the deadline")


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class ChairMeetingForm(FlaskForm):
    meeting_on = GovDateField("Date of the meeting", description="For example, 14 9 2019",
                              required_message="Enter the date of the meeting")
    outcome = TextAreaField(
        "Outcome", widget=GovTextArea(),
        description="What the Independent Chair and the agency's senior manager agreed",
        validators=[InputRequired(message="Enter the outcome of the meeting"),
                    Length(max=4000, message="The outcome must be 4000 characters or fewer")],
    )
    submit = SubmitField("Save meeting", widget=GovSubmitInput())

