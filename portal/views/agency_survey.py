"""An agency's practitioner survey: its link, the poster, and its results once it has submitted."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, current_app, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as WerkzeugResponse

from forms.survey import HeadcountForm
from portal.access import roles
from portal.db import db_session
from portal.downloads import PDF, attachment
from portal.filters import govuk_date
from portal.models import Role
from portal.problems import show_problems
from portal.services import reporting, survey
from portal.services.common import ServiceError
from portal.views.helpers import now

bp = Blueprint("agency_survey", __name__, url_prefix="/agency/survey")
agency_only = roles(Role.AGENCY)


def survey_settings() -> survey.SurveySettings:
    return survey.SurveySettings(min_responses=int(current_app.config["SURVEY_MIN_RESPONSES"]),
                                 gap_share=float(current_app.config["SURVEY_GAP_SHARE"]))


def _render(name: str, *args: object, **kwargs: object) -> bytes:
    """A survey PDF; reportlab and segno load on the first one, not at start-up."""
    from portal.reports import survey_pdf

    content: bytes = getattr(survey_pdf, name)(*args, **kwargs)
    return content


def _url(token: str | None) -> str | None:
    base = current_app.config["SERVER_NAME_FOR_LINKS"].rstrip("/")
    return f"{base}/survey/{token}" if token else None


def poster_pdf(*, agency: str, cycle: str, token: str, code: str, deadline: date) -> bytes:
    """The staff-room poster: the link as a QR code, its short address to type, the date."""
    host = current_app.config["SERVER_NAME_FOR_LINKS"].rstrip("/").split("://", 1)[-1]
    return _render("render_poster", agency=agency, cycle=cycle, url=_url(token) or "",
                   partnership=current_app.config["PARTNERSHIP_NAME"],
                   short_url=f"{host}/survey/s/{code}", answer_by=govuk_date(deadline))


@bp.route("/<int:cycle_id>")
@agency_only
def page(cycle_id: int, form: HeadcountForm | None = None) -> str:
    s = db_session()
    cycle = survey.issued_cycle(s, cycle_id, current_user.agency_id)
    submitted = survey.agency_submitted(s, cycle, current_user.agency_id)
    results = (survey.survey_results(s, cycle, settings=survey_settings(),
                                     agency_id=current_user.agency_id) if submitted else None)
    return render_template(
        "agency/survey.html", cycle=cycle, submitted=submitted,
        url=_url(survey.agency_link(s, cycle, current_user.agency_id, now=now())),
        result=results.agencies[0] if results and results.agencies else None,
        settings=survey_settings(), form=form or HeadcountForm(),
        headcount=survey.link_headcount(s, cycle, current_user.agency_id),
    )


@bp.route("/<int:cycle_id>/headcount", methods=["POST"])
@agency_only
def headcount(cycle_id: int) -> WerkzeugResponse | str:
    """The agency states its headcount, the most answers its link takes, to get its poster."""
    s = db_session()
    cycle = survey.issued_cycle(s, cycle_id, current_user.agency_id)
    form = HeadcountForm()
    if form.validate_on_submit():
        try:
            survey.declare_headcount(s, cycle, agency_id=current_user.agency_id,
                                     headcount=form.headcount.data or 0, by_manager=False)
            return redirect(url_for("agency_survey.page", cycle_id=cycle_id))
        except ServiceError as exc:
            show_problems(form, exc)
    return page(cycle_id, form)


@bp.route("/<int:cycle_id>/poster.pdf")
@agency_only
def poster(cycle_id: int) -> Response:
    s = db_session()
    cycle = survey.issued_cycle(s, cycle_id, current_user.agency_id)
    token = survey.agency_link(s, cycle, current_user.agency_id, now=now()) or ""
    content = poster_pdf(agency=current_user.agency.name, cycle=cycle.label, token=token,
                         code=survey.short_code(s, token), deadline=cycle.deadline)
    return attachment(content, PDF, "survey-poster", cycle.label, extension="pdf")


@bp.route("/<int:cycle_id>/challenge-day.pdf")
@agency_only
def pack(cycle_id: int) -> Response:
    s = db_session()
    cycle = survey.issued_cycle(s, cycle_id, current_user.agency_id)
    results = reporting.own_survey_results(s, cycle, current_user.agency_id,
                                           settings=survey_settings())
    content = _render("render_challenge_pack", results.agencies[0], results)
    return attachment(content, PDF, "challenge-day", cycle.label, extension="pdf")
