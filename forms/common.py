"""Form pieces every audience shares: a confirm button and the GOV.UK date field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import DateField, SubmitField
from wtforms.validators import ValidationError


class ConfirmForm(FlaskForm):
    """A button that changes something (CSRF-protected)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class GovDateField(DateField):
    """Day, month and year boxes; a POST without the boxes reads as empty (the widget needs 3)."""

    def __init__(self, label: str, *, required_message: str | None = None,
                 invalid_message: str | None = None, **kwargs: Any) -> None:
        self.required_message = required_message
        self.invalid_message = invalid_message
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
