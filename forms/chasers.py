"""The manager's chaser forms (the placeholders in a stage's wording are the chasers service's rule)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from forms.common import GovIntegerField, GovLength


class StageForm(FlaskForm):
    name = StringField(
        "Name of the stage", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the name of the stage"), GovLength(max=100)],
    )
    offset = GovIntegerField(
        "Working days from the deadline", widget=GovTextInput(),
        invalid_message="Enter the number of working days as a whole number, like -10 or 5",
        description="Use a negative number for days before it, like -10, and 0 for the day itself",
        validators=[InputRequired(message="Enter the number of working days, like -10 or 5"),
                    NumberRange(min=-60, max=60,
                                message="Working days must be between -60 and 60")],
    )
    anchor = RadioField(
        "Counted from", widget=GovRadioInput(),
        choices=[("deadline", "The deadline"), ("final_deadline", "The final deadline")],
        validators=[InputRequired(message="Select the deadline or the final deadline")],
    )
    subject = StringField(
        "Subject", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the subject"), GovLength(max=300)],
    )
    body = TextAreaField(
        "Email text", widget=GovTextArea(),
        validators=[InputRequired(message="Enter the email text")],
    )
    preview = SubmitField("Preview", widget=GovSubmitInput())
    save = SubmitField("Save stage", widget=GovSubmitInput())
