"""The agency's survey form: the staff headcount its link is capped at."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import SubmitField
from wtforms.validators import InputRequired, NumberRange

from forms.common import GovIntegerField


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
