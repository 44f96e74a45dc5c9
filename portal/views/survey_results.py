"""The partnership's view of the practitioner survey: sectors, statements, agencies by gaps, and
the challenge-day packs and posters (manager and committee)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template

from portal.access import roles
from portal.db import db_session
from portal.downloads import PDF, attachment
from portal.models import Role
from portal.services import reporting, survey
from portal.views.agency_survey import poster_pdf, survey_settings
from portal.views.helpers import now

bp = Blueprint("survey_results", __name__, url_prefix="/survey-results")
readers = roles(Role.MANAGER, Role.COMMITTEE)


def _render(name: str, *args: object, **kwargs: object) -> bytes:
    """A survey PDF; reportlab and segno load on the first one, not at start-up."""
    from portal.reports import survey_pdf

    content: bytes = getattr(survey_pdf, name)(*args, **kwargs)
    return content


def _pdf(content: bytes, *name: str | int) -> Response:
    return attachment(content, PDF, *name, extension="pdf")


def _results(label: str) -> survey.SurveyResults:
    return reporting.survey_report(db_session(), label, settings=survey_settings())


@bp.route("/")
@readers
def index() -> str:
    return render_template("survey_results/index.html", cycles=survey.survey_cycles(db_session()))


@bp.route("/<label>")
@readers
def cycle(label: str) -> str:
    results = _results(label)
    return render_template("survey_results/cycle.html", results=results, label=label,
                           hidden=sum(1 for a in results.agencies if not a.shown))


@bp.route("/<label>/challenge-day-pack.pdf")
@readers
def partnership_pack(label: str) -> Response:
    return _pdf(_render("render_partnership_pack", _results(label)), "challenge-day-pack", label)


@bp.route("/<label>/agencies/<int:agency_id>/challenge-day.pdf")
@readers
def agency_pack(label: str, agency_id: int) -> Response:
    results = _results(label)
    found = reporting.agency_result(results, agency_id)
    return _pdf(_render("render_challenge_pack", found, results), "challenge-day", label, agency_id)


@bp.route("/<label>/agencies/<int:agency_id>/poster.pdf")
@roles(Role.MANAGER)
def poster(label: str, agency_id: int) -> Response:
    link = reporting.poster_link(db_session(), label, agency_id, now=now())
    return _pdf(poster_pdf(agency=link.agency, cycle=label, token=link.token,
                           code=link.short_code, deadline=link.deadline),
                "survey-poster", label, agency_id)
