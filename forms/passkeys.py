"""Passkeys: naming one, removing one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


class PasskeyNameForm(FlaskForm):
    name = StringField(
        "Name this passkey", widget=GovTextInput(),
        description="So you can tell your passkeys apart, for example 'Work laptop' or 'Phone'.",
        validators=[InputRequired(message="Enter a name for the passkey"),
                    Length(max=100, message="The passkey's name must be 100 characters or fewer")],
    )
    submit = SubmitField("Add a passkey", widget=GovSubmitInput())


class RenamePasskeyForm(PasskeyNameForm):
    submit = SubmitField("Save name", widget=GovSubmitInput())


class RemovePasskeyForm(FlaskForm):
    submit = SubmitField("Remove passkey", widget=GovSubmitInput())


class UsePasskeyForm(FlaskForm):
    """The button that starts a passkey sign-in (the script sends its CSRF token)."""

    submit = SubmitField("Use my passkey", widget=GovSubmitInput())
