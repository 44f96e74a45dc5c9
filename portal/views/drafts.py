"""Typed rows kept in the user's session while they visit a side page, then put back.

The many-visit scheduling page sends its side links (offer a choice of dates, set one date
directly) as buttons of its own form: the typed rows are posted, kept here under the page's key,
and the user is sent on. When they come back, the page is filled from the draft until the rows
are saved. Only what the user typed is kept (never the CSRF token or the buttons), and only in
their own signed session cookie, so nothing lands in the database before they confirm.
"""

from __future__ import annotations

from flask import session
from werkzeug.datastructures import MultiDict

CONTROLS = {"csrf_token", "go", "submit"}


def keep_draft(key: str, form: MultiDict[str, str], defaults: dict[str, str]) -> None:
    """Keep the posted fields (each with all its values: a date has three) that hold any text,
    when the user typed anything: a field still at its `defaults` value (a preselected member)
    is kept but is not, alone, a draft."""
    fields = {name: form.getlist(name) for name in form if name not in CONTROLS}
    kept = {name: values for name, values in fields.items() if any(v.strip() for v in values)}
    if any(values != [defaults.get(name)] for name, values in kept.items()):
        session[f"draft:{key}"] = kept
    else:
        drop_draft(key)


def draft(key: str) -> MultiDict[str, str] | None:
    """The kept fields as form data, or None when nothing is kept."""
    kept = session.get(f"draft:{key}")
    if not kept:
        return None
    return MultiDict([(name, value) for name, values in kept.items() for value in values])


def drop_draft(key: str) -> None:
    session.pop(f"draft:{key}", None)
