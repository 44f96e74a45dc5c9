"""What the return's views share: rendering a standard's page, sending a file."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from flask import render_template, url_for
from werkzeug.wrappers import Response

from forms.returns import FieldError, StandardForm, values_from_input
from portal.db import db_session
from portal.downloads import attachment
from portal.models import Return
from portal.services import returns
from portal.services.returns import Conflict, StandardPart, digest
from portal.views import question_markup


class StandardPage:
    """One standard's page of a return."""

    def __init__(self, return_: Return, parts: list[StandardPart], part: StandardPart) -> None:
        self.return_ = return_
        self.parts = parts
        self.part = part
        self.index = parts.index(part)

    @cached_property
    def reading(self) -> tuple[returns.SavedReturn, returns.PreviousAnswers | None]:
        """The return as saved (answers, evidence, copied marks, progress) and last edition's
        answers: read when the page is shown, not for a save."""
        return returns.page_reading(db_session(), self.return_)

    @property
    def stored(self) -> returns.SavedReturn:
        return self.reading[0]

    @cached_property
    def saved(self) -> returns.StandardInput:
        """The page's answers as saved."""
        return returns.standard_input(self.part, self.stored.answers, self.stored.evidence,
                                      self.return_.overall_evidence)

    def mark_data(self) -> dict[str, Any]:
        """The hidden fields saying what the page showed: version and digest of the answers."""
        return {"version": self.return_.version, "digest": digest(self.saved)}

    def next_url(self) -> str:
        if self.index + 1 < len(self.parts):
            return url_for("agency.standard", return_id=self.return_.id,
                           code=self.parts[self.index + 1].standard.code)
        return url_for("agency.check", return_id=self.return_.id)

    def render(self, form: StandardForm, *, values: Mapping[str, str] | None = None,
               errors: list[FieldError] | None = None, conflict: Conflict | None = None,
               fresh: bool = False) -> str:
        shown = values if values is not None else values_from_input(self.saved)
        error_for = {e.field_id: e.message for e in errors or []}
        previous = self.reading[1]
        copied = self.stored.copied
        questions = question_markup.QuestionContext(
            bool(self.part.grouped), self.return_.variant, shown, error_for, copied, previous)
        return render_template(
            "agency/standard.html", return_=self.return_, part=self.part, index=self.index,
            variant=self.return_.variant,
            count=len(self.parts), form=None, page_form=form, values=shown,
            errors=errors or [], error_for=error_for, conflict=conflict, fresh=fresh,
            previous=previous, copied=copied,
            question_html=question_markup.renderer(questions),
            progress=self.stored.progress,
        )


def download(content: bytes, filename: str, mimetype: str) -> Response:
    """A return's copy, under the name the returns service gives it (stem and extension)."""
    stem, _, extension = filename.rpartition(".")
    return attachment(content, mimetype, stem, extension=extension)
