"""The manager's agency register forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Optional, ValidationError

from forms.common import GovLength

COHORT_CHOICES = [("A", "Cohort A"), ("B", "Cohort B")]
VARIANT_CHOICES = [
    ("full", "Full tool (statutory, health and most agencies)"),
    ("schools", "Schools tool (adds section 175/157 questions)"),
    ("short", "Short tool (small voluntary and community groups)"),
]


class AgencyForm(FlaskForm):
    name = StringField(
        "Agency name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the agency name"), GovLength(max=200)],
    )
    sector = SelectField(
        "Sector", widget=GovSelect(), coerce=int, validate_choice=False,  # checked below
        validators=[InputRequired(message="Select a sector")],
    )
    contact_name = StringField(
        "Safeguarding lead's name", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the safeguarding lead's name"),
                    GovLength(max=200)],
    )
    email = EmailField(
        "Safeguarding lead's email address", widget=GovTextInput(),
        validators=[InputRequired(message="Enter the safeguarding lead's email address"),
                    Email(message="Enter an email address in the correct format, like name@example.com")],
    )
    address_works = BooleanField(
        "This address works again: clear the bounce", widget=GovCheckboxInput(),
        description="Tick this if the mail server refused this address by mistake, or it has "
                    "been fixed. Chasers will be sent to it again.",
    )
    cohort = RadioField(
        "Cohort", widget=GovRadioInput(), choices=[("", "The smaller cohort"), *COHORT_CHOICES],
        default="", validators=[Optional()],
    )
    variant = RadioField(
        "Version of the tool", widget=GovRadioInput(),
        choices=[("", "The sector's usual tool"), *VARIANT_CHOICES], default="",
        validators=[Optional()],
    )
    submit = SubmitField("Save agency", widget=GovSubmitInput())

    def validate_sector(self, field: SelectField) -> None:
        # "Select a sector" (0) is the prompt, not a sector; WTForms' own check says "Not a
        # valid choice", so the choices are checked here in GOV.UK words.
        offered = {value for value, _ in field.choices or [] if value}
        if not field.data or field.data not in offered:
            raise ValidationError("Select a sector")


class CohortForm(FlaskForm):
    cohort = RadioField(
        "Which cohort should this agency be in?", widget=GovRadioInput(), choices=COHORT_CHOICES,
        validators=[InputRequired(message="Select cohort A or B")],
    )
    submit = SubmitField("Move agency", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    file = FileField(
        "Upload a CSV file", widget=GovFileInput(),
        description="Columns: name, sector, email, contact_name, cohort and optionally variant.",
        validators=[FileRequired(message="Select a CSV file")],
    )
    submit = SubmitField("Import agencies", widget=GovSubmitInput())
