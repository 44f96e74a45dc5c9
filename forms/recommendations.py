"""Recommendations: recording one against a cycle, and a dated update."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from forms.common import GovDateField
from portal.vocabulary import OwnerKind, RecommendationStatus

OWNER_CHOICES = [(k.value, k.label) for k in OwnerKind]
STATUS_CHOICES = [(s.value, s.label) for s in RecommendationStatus]


def standard_codes(text: str | None) -> list[str]:
    """'6, 11' or '6 11' -> ['6', '11']."""
    return [c for c in (text or "").replace(",", " ").split() if c]


class RecommendationForm(FlaskForm):
    cycle = SelectField("Audit cycle", widget=GovSelect(), coerce=int,
                        validators=[InputRequired(message="Select the audit cycle")])
    text = TextAreaField("Recommendation", widget=GovTextArea(),
                         validators=[InputRequired(message="Enter the recommendation")])
    standards = StringField(
        "Standards it concerns (optional)", widget=GovTextInput(),
        description="Standard numbers separated by commas, like 6, 11",
        validators=[Optional(), Length(max=200)])
    owner_kind = RadioField("Who owns it", widget=GovRadioInput(), choices=OWNER_CHOICES,
                            validators=[InputRequired(message="Select who owns the recommendation")])
    owner_name = StringField(
        "Name of the owner", widget=GovTextInput(),
        description="For example Independent Chair, Training Committee, or the agency or sector",
        validators=[InputRequired(message="Enter the name of the owner, like Independent Chair"),
                    Length(max=200)])
    due_on = GovDateField("Due date", example_in_days=91,
                          required_message="Enter the date the recommendation is due",
                          invalid_message="The due date must be a real date")
    submit = SubmitField("Record recommendation", widget=GovSubmitInput())


class UpdateForm(FlaskForm):
    status = RadioField("Status", widget=GovRadioInput(), choices=STATUS_CHOICES,
                        validators=[InputRequired(message="Select the status")])
    note = TextAreaField("What has happened", widget=GovTextArea(),
                         validators=[InputRequired(message="Enter what has happened")])
    on = GovDateField("Date of the update", example_in_days=-7,
                      required_message="Enter the date of the update",
                      invalid_message="The date of the update must be a real date")
    dropped_reason = TextAreaField("Why it was dropped (only if you drop it)", widget=GovTextArea(),
                                   validators=[Optional()])
    submit = SubmitField("Save update", widget=GovSubmitInput())
