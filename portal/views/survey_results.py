"""The partnership's view of the practitioner survey: sectors, statements, agencies by gaps, and
the challenge-day packs and posters (manager and committee)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.survey import RaiseHeadcountForm, SetAsideForm
from portal.access import roles
from portal.db import db_session
from portal.downloads import PDF, attachment
from portal.models import Role
from portal.problems import show_problems
from portal.services import reporting, survey
from portal.services.common import NotFound, ServiceError
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
    s = db_session()
    manager = current_user.role == Role.MANAGER.value
    found = reporting.report_cycle(s, label)
    return render_template(
        "survey_results/cycle.html", results=results, label=label,
        hidden=sum(1 for a in results.agencies if not a.shown),
        flagged=survey.flagged_batches(s, found) if manager else [],
        nearly_full=survey.links_nearly_full(s, found, default_cap=_default_cap())
        if manager and not results.released else [],
    )


def _default_cap() -> int:
    return int(current_app.config["SURVEY_DEFAULT_HEADCOUNT"])


@bp.route("/<label>/links/<int:agency_id>/headcount", methods=["GET", "POST"])
@roles(Role.MANAGER)
def headcount(label: str, agency_id: int) -> WerkzeugResponse | str:
    """Raise the most answers an agency's survey link takes, once its staff are turned away."""
    s = db_session()
    found = reporting.report_cycle(s, label)
    fill = survey.link_fill(s, found, agency_id, default_cap=_default_cap())
    form = RaiseHeadcountForm()
    if form.validate_on_submit():
        try:
            survey.declare_headcount(s, found, agency_id=agency_id, by_manager=True,
                                     headcount=form.headcount.data or 0, user_id=current_user.id)
            flash(f"{fill.agency}'s survey link now takes up to {form.headcount.data:,} answers", "success")
            return redirect(url_for("survey_results.cycle", label=label))
        except ServiceError as exc:
            show_problems(form, exc)
    return render_template("survey_results/headcount.html", fill=fill, form=form, label=label)


@bp.route("/<label>/flagged/<int:agency_id>/<flag>", methods=["GET", "POST"])
@roles(Role.MANAGER)
def set_aside(label: str, agency_id: int, flag: str) -> WerkzeugResponse | str:
    """Set a batch of answers flagged as a burst aside, with a reason."""
    s = db_session()
    found = reporting.report_cycle(s, label)
    batch = next((b for b in survey.flagged_batches(s, found)
                  if b.agency_id == agency_id and b.flag == flag), None)
    if batch is None:
        raise NotFound("No such flagged batch")
    form = SetAsideForm()
    if form.validate_on_submit():
        try:
            survey.set_aside_batch(s, found, agency_id=agency_id, flag=flag,
                                   reason=form.reason.data or "", user_id=current_user.id)
            return redirect(url_for("survey_results.cycle", label=label))
        except ServiceError as exc:
            show_problems(form, exc)
    return render_template("survey_results/set_aside.html", batch=batch, form=form, label=label)


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
