"""Errors services raise for their callers to show to people."""

from __future__ import annotations

from dataclasses import dataclass


class ServiceError(Exception):
    """A rule refused the request; the message is fit to show to the user."""


class NotFound(ServiceError):
    """No such record, or not one this user may see."""


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
