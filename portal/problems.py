"""The edge between services' problems and forms: one place puts them on the fields."""

from __future__ import annotations

from flask_wtf import FlaskForm

from portal.services.common import Invalid, ServiceError


def show_problems(form: FlaskForm, error: ServiceError, *, default: str | None = None) -> None:
    """Put a service's problems onto the form's fields, for the GOV.UK error summary.

    An `Invalid` problem goes to the field it names; a problem with no field, a field the form
    does not have, or any other `ServiceError` goes to `default` (a field name) when given, and
    otherwise to the form's own errors (shown in the summary only)."""
    problems = error.problems if isinstance(error, Invalid) else [None]
    for problem in problems:
        message = str(error) if problem is None else problem.message
        name = default if problem is None or problem.field is None else problem.field
        field = form._fields.get(name) if name else None
        if field is None and problem is not None and default:
            field = form._fields.get(default)
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
