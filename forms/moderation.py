"""Moderation forms: the sample, scheduling visits, findings and the outcome."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.vocabulary import GRADE_LABELS, QUALITY_GRADES

from .common import GovDateField, GovIntegerField, GovLength

TIME_PATTERN = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*$")
VISIT_DATE_MESSAGE = "Enter the date of the visit, like 12 6 2018"


class SampleForm(FlaskForm):
    rate = GovIntegerField(
        "Percentage of submitted returns to visit", widget=GovTextInput(),
        invalid_message="Enter the percentage as a whole number, like 10", default=10,
        validators=[InputRequired(message="Enter the percentage of returns to visit"),
                    NumberRange(min=1, max=100,
                                message="The percentage must be between 1 and 100")],
    )
    seed = GovIntegerField(
        "Random seed (optional)", widget=GovTextInput(),
        invalid_message="Enter the seed as a whole number, like 1234",
        description="Leave blank to let the portal choose one. Anyone can repeat the draw "
                    "with the same seed.",
        validators=[Optional(), NumberRange(min=0, max=2**31 - 1,
                                            message="The seed must be a whole number from 0 to "
                                                    "2147483647")],
    )
    exclude_recent = GovIntegerField(
        "Leave out agencies visited in this many previous cycles", widget=GovTextInput(),
        invalid_message="Enter the number of previous cycles as a whole number, like 1",
        default=0, description="0 leaves nobody out.",
        validators=[InputRequired(message="Enter how many previous cycles to look back"),
                    NumberRange(min=0, max=10, message="Enter a number from 0 to 10")],
    )
    targeted = GovIntegerField(
        "Percentage of the sample given to the largest survey gaps", widget=GovTextInput(),
        invalid_message="Enter the percentage as a whole number, like 50", default=0,
        description="The agencies whose practitioners' survey answers most often contradict "
                    "their return are chosen first for this share of the places; the rest are "
                    "drawn at random. 0 draws every place at random.",
        validators=[Optional(), NumberRange(min=0, max=100,
                                message="The targeted percentage must be between 0 and 100")],
    )
    replacing = HiddenField()  # the sample in force when the form was shown; "0" for none
    reason = TextAreaField(
        "Reason for redrawing", widget=GovTextArea(),
        description="Needed only when a sample has already been drawn. It is recorded.",
        validators=[Optional(), GovLength(max=2000)],
    )
    submit = SubmitField("Draw the sample", widget=GovSubmitInput())


class ScheduleForm(FlaskForm):
    day = GovDateField("Date of the visit", example_in_days=21,
                       required_message=VISIT_DATE_MESSAGE, invalid_message=VISIT_DATE_MESSAGE)
    start = StringField(
        "Start time (UK time)", widget=GovTextInput(), description="For example, 10:00 or 14:30",
        validators=[InputRequired(message="Enter the start time, like 10:00 or 14:30")],
    )
    duration = GovIntegerField(  # 15 minutes to 8 hours: the scheduling rules check it
        "Length in minutes", widget=GovTextInput(),
        invalid_message="Enter the length of the visit in minutes, like 120", default=120,
        validators=[InputRequired(message="Enter how long the visit will last, in minutes")],
    )
    place = StringField(
        "Place", widget=GovTextInput(), description="Address or room where you will meet",
        validators=[InputRequired(message="Enter where the visit will take place"),
                    GovLength(max=300)],
    )
    manager = SelectField("Partnerships manager attending", widget=GovSelect(), coerce=int)
    member = SelectField("Board or committee member attending", widget=GovSelect(), coerce=int)
    submit = SubmitField("Save and send invitations", widget=GovSubmitInput())

    def validate_start(self, field: StringField) -> None:
        if self.start_time() is None:
            raise ValidationError("Enter the start time, like 10:00 or 14:30")

    def start_time(self) -> time | None:
        match = TIME_PATTERN.match(self.start.data or "")
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            return None
        return time(int(match.group(1)), int(match.group(2)))

    def local_start(self) -> datetime:
        day: date = self.day.data  # type: ignore[assignment]
        return datetime.combine(day, self.start_time() or time(0))


class CancelForm(FlaskForm):
    reason = TextAreaField("Reason (optional)", widget=GovTextArea(),
                           description="Attendees and the agency see this in the cancellation.",
                           validators=[Optional(), GovLength(max=1000)])
    submit = SubmitField("Cancel the visit and tell attendees", widget=GovSubmitInput())


NOT_LOOKED_AT = ("not_looked_at", "Not looked at")  # services: moderation.NOT_LOOKED_AT


class RecordFindingsForm(FlaskForm):
    """A visit's findings on one page: a grade (or not looked at) and a note per standard, and the
    outcome. Fields are named by standard id (`grade_7`, `note_7`); `for_standards` builds the
    class. Nothing is required here: the services decide what a save and a completion need."""

    standard_ids: list[int] = []
    outcome = TextAreaField(
        "Outcome of the visit", widget=GovTextArea(),
        description="The summary the agency will see when you complete the visit: what was "
                    "confirmed, and what to improve",
        validators=[Optional(), GovLength(max=10000)])
    save = SubmitField("Save and come back later", widget=GovSubmitInput())
    submit = SubmitField("Save and check your findings", widget=GovSubmitInput())

    @classmethod
    def for_standards(cls, standards: list[tuple[int, str]]) -> type[RecordFindingsForm]:
        """A form class for (standard id, code) pairs."""
        choices = [*((g.value, GRADE_LABELS[g]) for g in QUALITY_GRADES), NOT_LOOKED_AT]
        attrs: dict[str, object] = {"standard_ids": [s[0] for s in standards]}
        for standard_id, code in standards:
            attrs[f"grade_{standard_id}"] = RadioField(
                f"Your moderated grade for standard {code}", widget=GovRadioInput(),
                choices=choices, validators=[Optional()])
            attrs[f"note_{standard_id}"] = TextAreaField(
                f"Note on standard {code}", widget=GovTextArea(),
                description="What you saw and why you gave this grade. If you did not look at "
                            "this standard, say why.",
                validators=[Optional(), GovLength(max=5000)])
        return type("BoundRecordFindingsForm", (cls,), attrs)

    def fill(self, findings: dict[int, tuple[str, str]], outcome: str) -> None:
        """Show what is recorded: (grade, note) by standard id, and the draft outcome."""
        for standard_id, (grade, note) in findings.items():
            if standard_id in self.standard_ids:
                self[f"grade_{standard_id}"].data = grade
                self[f"note_{standard_id}"].data = note
        self.outcome.data = outcome

    def entries(self) -> list[tuple[int, str, str]]:
        """(standard id, grade or "", note) per standard, as posted."""
        return [(i, self[f"grade_{i}"].data or "", self[f"note_{i}"].data or "")
                for i in self.standard_ids]


class CompleteVisitForm(FlaskForm):
    submit = SubmitField("Complete the visit and send the outcome", widget=GovSubmitInput())


def parse_time(text: str | None) -> time | None:
    """10:00 or 14.30 as a time; None when it is not a real time of day."""
    match = TIME_PATTERN.match(text or "")
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


class BulkScheduleForm(FlaskForm):
    """Every planned visit of a sample on one page: date, start, place and member per visit.

    Fields are named by visit id (`day_12`, `start_12` ...); `for_visits` builds the class."""

    visit_ids: list[int] = []
    submit = SubmitField("Schedule these visits and send the invitations",
                         widget=GovSubmitInput())

    @classmethod
    def for_visits(cls, visits: list[tuple[int, str, int | None]],
                   members: list[tuple[int, str]]) -> type[BulkScheduleForm]:
        """A form class for (visit id, agency name, assigned member id) rows."""
        attrs: dict[str, object] = {"visit_ids": [v[0] for v in visits]}
        for visit_id, agency, _ in visits:
            attrs[f"day_{visit_id}"] = GovDateField(
                f"Date of the visit to {agency}",
                required_message=f"Enter the date of the visit to {agency}",
                invalid_message=f"The date of the visit to {agency} must be a real date")
            attrs[f"start_{visit_id}"] = StringField(
                f"Start time (UK time) at {agency}", widget=GovTextInput(),
                validators=[_time_required(agency)])
            attrs[f"place_{visit_id}"] = StringField(
                f"Place of the visit to {agency}", widget=GovTextInput(),
                validators=[InputRequired(message=f"Enter where the visit to {agency} will "
                                                  "take place"), GovLength(max=300)])
            attrs[f"member_{visit_id}"] = SelectField(
                f"Board or committee member visiting {agency}", widget=GovSelect(),
                coerce=int, choices=members)
        return type("BoundBulkScheduleForm", (cls,), attrs)

    def defaults(self, visits: list[tuple[int, str, int | None]]) -> None:
        for visit_id, _, member_id in visits:
            if member_id is not None and not self[f"member_{visit_id}"].raw_data:
                self[f"member_{visit_id}"].data = member_id

    def plans(self) -> list[tuple[int, datetime, str, int]]:
        """(visit id, UK start, place, member id) per visit, once the form is valid."""
        return [(visit_id, datetime.combine(self[f"day_{visit_id}"].data,
                                            parse_time(self[f"start_{visit_id}"].data) or time()),
                 (self[f"place_{visit_id}"].data or "").strip(), self[f"member_{visit_id}"].data)
                for visit_id in self.visit_ids]


def _time_required(agency: str) -> object:
    def check(form: FlaskForm, field: StringField) -> None:
        if parse_time(field.data) is None:
            raise ValidationError(f"Enter the start time of the visit to {agency}, like 10:00")
    return check


SLOT_CHOICES = 3  # the dates a manager may offer an agency (services: moderation.MAX_SLOTS)


class OfferSlotsForm(FlaskForm):
    """Up to three dates and start times offered to the agency, and the place."""

    day_1 = GovDateField("Date", required_message="Enter the date of the first choice",
                         invalid_message="The date of the first choice must be a real date")
    start_1 = StringField("Start time (UK time)", widget=GovTextInput())
    day_2 = GovDateField("Date", invalid_message="The date of the second choice must be a real date")
    start_2 = StringField("Start time (UK time)", widget=GovTextInput())
    day_3 = GovDateField("Date", invalid_message="The date of the third choice must be a real date")
    start_3 = StringField("Start time (UK time)", widget=GovTextInput())
    place = StringField(
        "Place", widget=GovTextInput(), description="Address or room where you will meet",
        validators=[InputRequired(message="Enter where the visit will take place"),
                    GovLength(max=300)],
    )
    submit = SubmitField("Offer these dates to the agency", widget=GovSubmitInput())

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        for n, word in ((1, "first"), (2, "second"), (3, "third")):
            day, start = self[f"day_{n}"], self[f"start_{n}"]
            if day.errors:
                continue
            if (day.data or n == 1) and parse_time(start.data) is None:
                start.errors = [*start.errors,
                                f"Enter the start time of the {word} choice, like 10:00"]
                valid = False
            elif day.data is None and (start.data or "").strip():
                day.errors = [*day.errors, f"Enter the date of the {word} choice"]
                valid = False
        return valid

    def local_choices(self) -> list[datetime | None]:
        """The UK start of each choice in order, None for one left blank (the service names a
        problem's field by its place: day_2 is the second choice), once the form is valid."""
        return [datetime.combine(self[f"day_{n}"].data, parse_time(self[f"start_{n}"].data)
                                 or time()) if self[f"day_{n}"].data else None
                for n in range(1, SLOT_CHOICES + 1)]


class ChooseSlotForm(FlaskForm):
    slot = RadioField(
        "Which date suits you?", widget=GovRadioInput(), coerce=int,
        validators=[InputRequired(message="Select the date that suits you")],
    )
    submit = SubmitField("Confirm this date", widget=GovSubmitInput())
