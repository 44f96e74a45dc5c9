"""Form pieces every audience shares: a confirm button, the GOV.UK date and number fields and
messages in the Design System's words (never WTForms' defaults)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import DateField, Field, IntegerField, SubmitField
from wtforms.validators import Length, ValidationError


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF-protected)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


def example_hint(days_from_today: int) -> str:
    """"For example, 14 3 2027": the GOV.UK date hint, for a date `days_from_today` after today
    in the UK (a deadline's example is in the future, an update's in the past)."""
    day = datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=days_from_today)
    return f"For example, {day.day} {day.month} {day.year}"


class GovDateField(DateField):
    """Day, month and year boxes; a POST without the boxes reads as empty (the widget needs 3)."""

    def __init__(self, label: str, *, required_message: str | None = None,
                 invalid_message: str | None = None, example_in_days: int | None = None,
                 **kwargs: Any) -> None:
        self.required_message = required_message
        self.invalid_message = invalid_message
        if example_in_days is not None:  # a hint that makes sense today (bound per request)
            kwargs["description"] = example_hint(example_in_days)
        super().__init__(label, widget=GovDateInput(), format="%d %m %Y", **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(v).strip() for v in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        try:
            self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date()
        except ValueError as exc:
            self.data = None
            raise ValueError(self.invalid_message or f"{self.label.text} must be a real date") \
                from exc

    @property
    def required_date(self) -> date:
        """The date of a required field that has passed validation."""
        if self.data is None:
            raise ValueError(f"{self.name} has no date; validate the form first")
        return self.data

    def pre_validate(self, form: Any) -> None:
        if self.data is None and self.required_message and not self.process_errors:
            raise ValidationError(self.required_message)


class GovIntegerField(IntegerField):
    """A whole number; text that is not one gets the form's own message, in GOV.UK style."""

    def __init__(self, label: str, *, invalid_message: str, **kwargs: Any) -> None:
        self.invalid_message = invalid_message
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(self.invalid_message) from exc


class GovLength(Length):
    """At most `max` characters, said as GOV.UK says it: "<Label> must be 200 characters or fewer"."""

    def __init__(self, *, max: int) -> None:
        super().__init__(max=max)

    def __call__(self, form: Any, field: Field) -> None:
        if field.data is not None and len(field.data) > self.max:
            raise ValidationError(f"{field.label.text.removesuffix(' (optional)')} must be "
                                  f"{self.max:,} characters or fewer")
