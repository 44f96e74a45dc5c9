"""The manager's cycle forms: create a cycle, confirm opening or closing, record a Chair meeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Regexp, ValidationError

from .common import GovDateField, GovLength

COHORT_CHOICES = [SelectChoice("A", "Cohort A"), SelectChoice("B", "Cohort B")]


class CycleForm(FlaskForm):
    label = StringField(
        "Label", widget=GovTextInput(), description="The audit year, for example 2018-19",
        validators=[InputRequired(message="Enter a label for the cycle"), GovLength(max=20),
                    Regexp(r"^[\w .\-/]+$", message="The label can only include letters, "
                           "numbers, spaces, hyphens, full stops and slashes")],
    )
    cohort = RadioField(
        "Which cohort is issued the audit?", widget=GovRadioInput(), choices=COHORT_CHOICES,
        validators=[InputRequired(message="Select cohort A or B")],
    )
    deadline = GovDateField("Deadline", example_in_days=56,
                            required_message="Enter the deadline")
    final_deadline = GovDateField(
        "Final deadline (optional)",
        description="Returns still missing after this date are escalated. Leave it blank for "
                    "20 working days after the deadline.",
    )
    tool_version = SelectField("Version of the tool", widget=GovSelect(), coerce=int,
                               validators=[InputRequired(message="Select a version of the tool")])
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def offer_tool_versions(self, versions: Iterable[tuple[int, str]]) -> None:
        """Offer (id, label) pairs, e.g. (3, "Compact Audit (2026.1)")."""
        self.tool_version.choices = [SelectChoice(id_, label) for id_, label in versions]

    def validate_final_deadline(self, field: GovDateField) -> None:
        deadline: date | None = self.deadline.data
        if field.data and deadline and field.data < deadline:
            raise ValidationError("The final deadline must be the same as or after the deadline")


class ChairMeetingForm(FlaskForm):
    meeting_on = GovDateField("Date of the meeting", example_in_days=14,
                              required_message="Enter the date of the meeting")
    outcome = TextAreaField(
        "Outcome", widget=GovTextArea(),
        description="What the Independent Chair and the agency's senior manager agreed",
        validators=[InputRequired(message="Enter the outcome of the meeting"),
                    GovLength(max=4000)],
    )
    submit = SubmitField("Save meeting", widget=GovSubmitInput())



class RepublishForm(FlaskForm):
    reason = TextAreaField(
        "Why are you republishing the report?", widget=GovTextArea(),
        description="The committee sees this reason beside the new version. Both versions "
                    "are kept.",
        validators=[InputRequired(message="Enter why you are republishing the report"),
                    GovLength(max=2000)],
    )
    submit = SubmitField("Republish the report", widget=GovSubmitInput())
