"""Single sign-on: which organisation's account (found by email address)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import EmailField, SubmitField
from wtforms.validators import Email, InputRequired, Length


class OrganisationEmailForm(FlaskForm):
    email = EmailField(
        "Your work email address", widget=GovTextInput(),
        validators=[InputRequired(message="Enter your work email address"),
                    Length(max=254, message="Enter an email address of 254 characters or fewer"),
                    Email(message="Enter an email address in the correct format, like name@example.com")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
