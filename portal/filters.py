"""Jinja filters for dates, grades and statuses in GOV.UK style."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from portal.vocabulary import GRADE_LABELS, Grade


def govuk_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    return f"{govuk_date(value)} at {hour}:{value:%M}{'am' if value.hour < 12 else 'pm'}"


def grade_label(value: str | None) -> str:
    if not value:
        return "Not answered"
    return GRADE_LABELS.get(Grade(value), value)


def status_label(value: str | None) -> str:
    return (value or "").replace("_", " ").capitalize()


def percent(value: float | None) -> str:
    return "\u2013" if value is None else f"{value:.0%}"


def register(app: Flask) -> None:
    app.add_template_filter(govuk_date)
    app.add_template_filter(govuk_datetime)
    app.add_template_filter(grade_label)
    app.add_template_filter(status_label)
    app.add_template_filter(percent)
