"""The practitioner survey: one public page per agency link, no sign-in, nothing personal kept."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.access import public
from portal.db import db_session
from portal.services import survey
from portal.vocabulary import SURVEY_ANSWER_LABELS, SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS
from portal.web import csrf, limiter

bp = Blueprint("survey", __name__, url_prefix="/survey")
HONEYPOT = "website"  # a field people never see; a bot that fills it is thanked and ignored
COOKIE_DAYS = 400


def _cookie(token: str) -> str:
    return f"survey_{token[:12]}"


def _page(token: str, *, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    found = survey.open_survey(db_session(), token)
    return render_template(
        "survey/form.html", survey=found, statements=found.statements, errors=errors or {},
        values=request.form, answers=SURVEY_ANSWER_LABELS, role_bands=SURVEY_ROLE_BANDS,
        service_bands=SURVEY_SERVICE_BANDS, honeypot=HONEYPOT,
        already=request.cookies.get(_cookie(token)) == "1" and request.method == "GET",
    ), status


@bp.route("/<token>", methods=["GET"])
@public
def form(token: str) -> tuple[str, int]:
    try:
        return _page(token)
    except survey.SurveyClosed:
        return render_template("survey/closed.html"), 410


# No CSRF token: the page has no session or signed-in user to protect, and leaving it out means
# the survey sets no session cookie at all. Bots meet the honeypot and the rate limit instead.
@bp.route("/<token>", methods=["POST"])
@public
@csrf.exempt
@limiter.limit(lambda: current_app.config.get("SURVEY_RATE_LIMIT", "60 per minute"))
def answer(token: str) -> Response | tuple[str, int]:
    s = db_session()
    try:
        found = survey.open_survey(s, token)
    except survey.SurveyClosed:
        return render_template("survey/closed.html"), 410
    if request.form.get(HONEYPOT) or request.cookies.get(_cookie(token)) == "1":
        return redirect(url_for("survey.thanks"))  # a bot or a second answer: nothing stored
    try:
        survey.record_response(
            s, cycle_id=found.cycle_id, agency_id=found.agency_id, statements=found.statements,
            answers={st.code: request.form.get(st.code, "") for st in found.statements},
            role_band=request.form.get("role_band") or None,
            service_band=request.form.get("service_band") or None,
        )
    except survey.ResponseInvalid as exc:
        return _page(token, errors=exc.errors, status=400)
    response = make_response(redirect(url_for("survey.thanks")))
    response.set_cookie(_cookie(token), "1", max_age=COOKIE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/thank-you")
@public
def thanks() -> str:
    return render_template("survey/thanks.html")
