"""Sign-in, set password, forgotten password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import Email, InputRequired, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address", widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"),
                    Email(message="Enter an email address in the correct format, like name@example.com")],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter your password"),
                    Length(max=200, message="Enter a correct email address and password")],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", widget=GovPasswordInput(),
        description="Must be 12 characters or more. A few unrelated words make a strong password.",
        validators=[InputRequired(message="Enter a new password"),
                    Length(min=12, message="Password must be 12 characters or more"),
                    Length(max=200, message="Password must be 200 characters or fewer")],
    )
    confirm = PasswordField(
        "Confirm new password", widget=GovPasswordInput(),
        validators=[InputRequired(message="Confirm your new password")],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())

    def validate_confirm(self, field: PasswordField) -> None:
        from wtforms.validators import ValidationError

        if self.password.data and field.data != self.password.data:
            raise ValidationError("Passwords do not match")


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email address", widget=GovTextInput(),
        validators=[InputRequired(message="Enter your email address"),
                    Email(message="Enter an email address in the correct format, like name@example.com")],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class SignOutForm(FlaskForm):
    """A button: signing out (or ending a session) is a POST with the form token."""

    submit = SubmitField("Sign out", widget=GovSubmitInput())
