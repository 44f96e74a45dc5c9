"""The one policy for text anyone can type: what every way in (forms, spreadsheets, CSV imports,
the command line) refuses before it is stored.

- Control characters (NUL, the rest of C0, DEL and C1) are refused: PostgreSQL cannot store NUL,
  spreadsheets cannot hold most of them, and emails and calendar files break on them. Tab and new
  line are kept in multi-line text; a carriage return is not refused but made a new line
  (`clean_text`: browsers send CRLF).
- A name (a person's, an agency's, a sector's, an owner's) is one line and also refuses bidi
  overrides and isolates and zero-width characters, which can disguise it in lists and emails.
- Every text has a length limit.

`text_message` gives the message alone (for imports, which report by line or cell);
`text_problems` the same as `Problem`s on a form's field."""

from __future__ import annotations

import re

from ._errors import Invalid, Problem

Kind = str  # "text" (several lines), "line" or "name"

TEXT_LIMIT = 5000
LINE_LIMIT = 500
NAME_LIMIT = 200
LIMITS: dict[str, int] = {"text": TEXT_LIMIT, "line": LINE_LIMIT, "name": NAME_LIMIT}

_CONTROLS = {
    # multi-line text keeps tab, new line and carriage return (made a new line by clean_text)
    "text": re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"),
    "line": re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]"),
    "name": re.compile(r"[\x00-\x1f\x7f-\x9f]"),
}
_BREAKS = re.compile(r"[\r\n\u2028\u2029]")
_HIDDEN = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def text_message(label: str, value: str | None, *, kind: Kind = "text",
                 limit: int | None = None) -> str | None:
    """Why `value` cannot be stored as the `label` ("Evidence", "The agency name"), or None.

    The message starts with the label, in the GOV.UK Design System's words."""
    text = value or ""
    if kind != "text" and _BREAKS.search(text):
        return f"{label} must be on one line"
    if _CONTROLS[kind].search(text):
        return f"{label} must not contain control characters"
    if kind == "name" and _HIDDEN.search(text):
        return f"{label} must not contain invisible or text-direction characters"
    most = LIMITS[kind] if limit is None else limit
    if len(clean_text(text).strip()) > most:
        return f"{label} must be {most} characters or fewer"
    return None


def text_problems(field: str | None, value: str | None, *, label: str, kind: Kind = "text",
                  limit: int | None = None) -> list[Problem]:
    """`text_message` as a problem on the form field `field` (none when the text is fine)."""
    message = text_message(label, value, kind=kind, limit=limit)
    return [Problem(field, message)] if message else []


def check_texts(*problems: list[Problem]) -> None:
    """Raise Invalid with every problem the texts have (nothing when they are all fine)."""
    found = [p for group in problems for p in group]
    if found:
        raise Invalid(found)


def clean_text(value: str | None) -> str:
    """Text as stored: CRLF and a lone CR become a new line (browsers send CRLF)."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def has_nul(value: str) -> bool:
    """A NUL, which no database column here can hold (for guards in front of the services)."""
    return "\x00" in value
