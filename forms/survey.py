"""The agency's survey form: the staff headcount its link is capped at."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange

from forms.common import GovIntegerField, GovLength


class HeadcountForm(FlaskForm):
    headcount = GovIntegerField(
        "How many people work or volunteer at your agency?", widget=GovTextInput(),
        invalid_message="Enter the number of staff and volunteers as a whole number, like 40",
        description="Your survey link takes up to this many answers. Only the partnership can "
                    "raise it later.",
        validators=[InputRequired(message="Enter the number of staff and volunteers, like 40"),
                    NumberRange(min=1, max=100_000,
                                message="Number of staff and volunteers must be between 1 and "
                                        "100,000")],
    )
    submit = SubmitField("Save and get the poster", widget=GovSubmitInput())


class SetAsideForm(FlaskForm):
    reason = TextAreaField(
        "Why are you setting these answers aside?", widget=GovTextArea(),
        description="For example: 40 identical answers in 3 minutes. The reason is kept with "
                    "the answers.",
        validators=[InputRequired(message="Enter why you are setting these answers aside"),
                    GovLength(max=500)],
    )
    submit = SubmitField("Set the answers aside", widget=GovSubmitInput())


class RaiseHeadcountForm(FlaskForm):
    headcount = GovIntegerField(
        "How many answers should this link take?", widget=GovTextInput(),
        invalid_message="Enter the number of answers as a whole number, like 60",
        description="Check the number with the agency: staff and volunteers who may answer.",
        validators=[InputRequired(message="Enter the number of answers the link should take, "
                                          "like 60"),
                    NumberRange(min=1, max=100_000,
                                message="Number of answers must be between 1 and 100,000")],
    )
    submit = SubmitField("Raise the limit", widget=GovSubmitInput())
