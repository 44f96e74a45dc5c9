"""The manager's user forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, RadioField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Optional

from forms.common import GovLength
from portal.vocabulary import ROLE_LABELS


class UserForm(FlaskForm):
    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired(message="Enter the person's full name"),
                                   GovLength(max=200)])
    email = EmailField(
        "Email address", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the email address"),
                    Email(message="Enter an email address in the correct format, like name@example.com")],
    )
    role = RadioField("Role", widget=GovRadioInput(),
                      choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
                      validators=[InputRequired(message="Select a role")])
    agency = StringField("Agency (for agency users)", widget=GovTextInput(),
                         description="The agency's name exactly as in the register",
                         validators=[Optional(), GovLength(max=200)])
    submit = SubmitField("Create user and send link", widget=GovSubmitInput())


class RoleForm(FlaskForm):
    """A manager changes an account's role (an agency user's agency too)."""

    role = RadioField("Role", widget=GovRadioInput(),
                      choices=[(r.value, label) for r, label in ROLE_LABELS.items()],
                      validators=[InputRequired(message="Select a role")])
    agency = StringField("Agency (for agency users)", widget=GovTextInput(),
                         description="The agency's name exactly as in the register",
                         validators=[Optional(), GovLength(max=200)])
    submit = SubmitField("Change role", widget=GovSubmitInput())
