"""Errors services raise for their callers to show to people.

A service says what is wrong as data: `Invalid` carries `Problem`s keyed by the form's field names
(the web puts each on its field, the CLI prints them), `Refused` says the state of things does not
allow the action, `NotFound` that there is no such record (or not one this user may see). Callers
never read an error's text to decide what it means."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ServiceError(Exception):
    """A rule refused the request; the message is fit to show to the user."""


class NotFound(ServiceError):
    """No such record, or not one this user may see."""


class Refused(ServiceError):
    """The action is not allowed as things stand (a closed cycle, a submitted return, a clash)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with what was entered: `field` is the form field's name (None: the whole
    form, shown in the error summary only)."""

    field: str | None
    message: str


class Invalid(ServiceError):
    """What was entered breaks a rule; each problem names the field it belongs to."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(p.message for p in self.problems))

    @classmethod
    def at(cls, field: str | None, message: str) -> Invalid:
        """One problem, on one field."""
        return cls([Problem(field, message)])


@dataclass(frozen=True)
class LineError:
    """One problem in an imported file, at a line (or a cell)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRejected(ServiceError):
    """An all-or-nothing import found problems; nothing was saved."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) found; nothing was saved")
