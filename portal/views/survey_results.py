"""The partnership's view of the practitioner survey: sectors, statements, agencies by gaps, and
the challenge-day packs and posters (manager and committee)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template

from portal.access import roles
from portal.db import db_session
from portal.downloads import PDF, attachment
from portal.models import Role
from portal.services import survey
from portal.services.cycles import get_cycle
from portal.views.agency_survey import survey_settings
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
    s = db_session()
    cycle = get_cycle(s, label)
    if not survey.has_survey(s, cycle):
        abort(404)
    return survey.survey_results(s, cycle, settings=survey_settings())


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
    found = next((a for a in results.agencies if a.agency_id == agency_id), None)
    if found is None:
        abort(404)
    return _pdf(_render("render_challenge_pack", found, results), "challenge-day", label, agency_id)


@bp.route("/<label>/agencies/<int:agency_id>/poster.pdf")
@roles(Role.MANAGER)
def poster(label: str, agency_id: int) -> Response:
    s = db_session()
    cycle = get_cycle(s, label)
    token = survey.agency_link(s, cycle, agency_id, now=now())
    name = next((a.agency for a in survey.survey_results(s, cycle, agency_id=agency_id).agencies),
                None)
    if token is None or name is None:
        abort(404)
    url = f"{current_app.config['SERVER_NAME_FOR_LINKS'].rstrip('/')}/survey/{token}"
    return _pdf(_render("render_poster", agency=name, cycle=label, url=url,
                              partnership=current_app.config["PARTNERSHIP_NAME"]),
                "survey-poster", label, agency_id)
