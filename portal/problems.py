"""The edge between services' problems and forms: one place puts them on the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_wtf import FlaskForm

from portal.services.common import Invalid, ServiceError

F = TypeVar("F", bound=Callable[..., Any])
TEXT_CHECKED = "_portal_text_checked"


def text_checked(view: F) -> F:
    """The service this view calls applies the text policy (services.common) to every text of
    its form, so a NUL or control character there is put on its field: the app-wide guard
    (portal/web.py `register_input_guard`) lets this view's form values through to it."""
    setattr(view, TEXT_CHECKED, True)
    return view


def is_text_checked(view: Callable[..., Any] | None) -> bool:
    return bool(getattr(view, TEXT_CHECKED, False))


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
