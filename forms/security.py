"""Second factors: a code from an authenticator app, a recovery code, the password again."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length


class CodeForm(FlaskForm):
    code = StringField(
        "Code from your authenticator app", widget=GovTextInput(),
        description="The 6-digit code the app shows for the Compact Audit.",
        validators=[InputRequired(message="Enter the 6-digit code from your authenticator app"),
                    Length(max=20, message="Enter the 6-digit code from your authenticator app")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class RecoveryCodeForm(FlaskForm):
    code = StringField(
        "Recovery code", widget=GovTextInput(),
        description="One of the recovery codes you saved when you set up your authenticator "
                    "app, like abcd-efgh-jkmn-pqrs. Each code works once.",
        validators=[InputRequired(message="Enter one of your recovery codes"),
                    Length(max=40, message="Enter a recovery code, like abcd-efgh-jkmn-pqrs")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class PasswordAgainForm(FlaskForm):
    password = PasswordField(
        "Password", widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"),
                    Length(max=200, message="Enter your correct password")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
