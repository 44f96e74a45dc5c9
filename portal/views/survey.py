"""The practitioner survey: one public page per agency link, no sign-in, nothing personal kept.

Stuffing is made costly without any cookie or session: each served form carries a signed token
good for one response within SURVEY_FORM_MINUTES, posts are limited per address and per link in
the sign-in limits' store, a link takes at most its declared headcount, and a fast run of
responses to one link is flagged as a burst for the manager to review (docs/survey.md).
"""

from __future__ import annotations

import logging
import secrets
from functools import lru_cache

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from werkzeug.wrappers import Response

from portal.access import public
from portal.db import db_session
from portal.services import survey
from portal.views.helpers import now
from portal.vocabulary import SURVEY_ANSWER_LABELS, SURVEY_ROLE_BANDS, SURVEY_SERVICE_BANDS
from portal.web import csrf, limiter

bp = Blueprint("survey", __name__, url_prefix="/survey")
log = logging.getLogger(__name__)
HONEYPOT = "website"  # a field people never see; a bot that fills it is thanked and ignored
FORM_TOKEN = "form_token"  # nosec B105: the name of a form field, not a secret
COOKIE_DAYS = 400


def _cookie(token: str) -> str:
    return f"survey_{token[:12]}"


def _signer(secret_key: str | None = None) -> URLSafeTimedSerializer:
    return _signer_for(secret_key or current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _signer_for(secret_key: str) -> URLSafeTimedSerializer:
    """Built once per key: every survey page and post signs or checks a token."""
    return URLSafeTimedSerializer(secret_key, salt="survey-form")


def form_token(token: str, *, secret_key: str | None = None) -> str:
    """A served form's signed token for link `token`: good for one response, for a while."""
    return _signer(secret_key).dumps([token, secrets.token_urlsafe(12)])


def _valid_form_token(token: str, offered: str, minutes: int) -> bool:
    """The form's token was served for this link, is fresh, and was not used before."""
    try:
        link, nonce = _signer().loads(offered, max_age=minutes * 60)
    except (BadSignature, ValueError, TypeError):
        return False
    # a token lives for hours, so one use a day is one use
    return bool(link == token and _first("1 per day", "survey-form", str(nonce)))


@lru_cache(maxsize=32)
def _rate(rate: str) -> RateLimitItem:
    return parse(rate)


def _first(rate: str, *key: str) -> bool:
    """Count a hit in the limits' store; False once `rate` is exceeded (True when limits are off)."""
    return not limiter.enabled or limiter.limiter.hit(_rate(rate), *key)


def _burst(token: str, rate: str) -> str | None:
    """A flag for a response that comes faster than `rate` (SURVEY_BURST) on its link."""
    if _first(rate, "survey-burst", token):
        return None
    return f"burst {now().date().isoformat()}"


def _page(token: str, *, errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    found = survey.open_survey(db_session(), token)
    return render_template(
        "survey/form.html", survey=found, statements=found.statements, errors=errors or {},
        values=request.form, answers=SURVEY_ANSWER_LABELS, role_bands=SURVEY_ROLE_BANDS,
        service_bands=SURVEY_SERVICE_BANDS, honeypot=HONEYPOT, form_token=form_token(token),
        min_responses=current_app.config["SURVEY_MIN_RESPONSES"],
        already=request.cookies.get(_cookie(token)) == "1" and request.method == "GET",
    ), status


@bp.route("/<token>", methods=["GET"])
@public
def form(token: str) -> tuple[str, int]:
    try:
        return _page(token)
    except survey.SurveyClosed:
        return render_template("survey/closed.html"), 410


# Flask-WTF's CSRF token would need a session cookie; the form's own signed token does its job.
# The busiest write: the limits are hit directly in the shared store (Flask-Limiter's decorator
# did the same per-address count at several times the cost), and the request's proxies are read
# once.
@bp.route("/<token>", methods=["POST"])
@public
@csrf.exempt
def answer(token: str) -> Response | tuple[str, int]:
    config, form = current_app.config, request.form
    if not _first(config["SURVEY_RATE_LIMIT"], "survey-address", get_remote_address()):
        log.warning("Survey post refused: over %s from one address", config["SURVEY_RATE_LIMIT"])
        abort(429)
    s = db_session()
    try:
        found = survey.open_survey(s, token)
    except survey.SurveyClosed:
        return render_template("survey/closed.html"), 410
    if form.get(HONEYPOT):
        return redirect(url_for("survey.thanks"))  # a bot: nothing stored
    if not _valid_form_token(token, form.get(FORM_TOKEN, ""), config["SURVEY_FORM_MINUTES"]):
        return render_template("survey/expired.html", url=url_for("survey.form", token=token)), 400
    # counted only for posts with a good token, so a flood of bad posts cannot shut the link
    if not _first(config["SURVEY_LINK_RATE_LIMIT"], "survey-link", token):
        abort(429)
    try:
        survey.record_response(
            s, cycle_id=found.cycle_id, agency_id=found.agency_id, statements=found.statements,
            answers={st.code: form.get(st.code, "") for st in found.statements},
            role_band=form.get("role_band") or None,
            service_band=form.get("service_band") or None, today=now().date(),
            flag=_burst(token, config["SURVEY_BURST"]), default_cap=config["SURVEY_DEFAULT_HEADCOUNT"],
            alike_run=config["SURVEY_ALIKE_RUN"],
        )
    except survey.ResponseInvalid as exc:
        return _page(token, errors=exc.errors, status=400)
    except survey.SurveyFull:
        return render_template("survey/full.html", agency=found.agency_name), 409
    return _answered(token, secure=config["SESSION_COOKIE_SECURE"])


def _answered(token: str, *, secure: bool) -> Response:
    """On to the thanks page; the cookie only tells this device's next visitor that an answer
    was sent from it."""
    response = redirect(url_for("survey.thanks"))
    response.set_cookie(_cookie(token), "1", max_age=COOKIE_DAYS * 86400, httponly=True,
                        samesite="Lax", secure=secure)
    return response


@bp.route("/thank-you")
@public
def thanks() -> str:
    return render_template("survey/thanks.html")


@bp.route("/s/<code>")
@public
@limiter.limit(lambda: current_app.config["SURVEY_RATE_LIMIT"])  # 40-bit codes: no guessing
def short(code: str) -> Response:
    """The short address typed from the poster: on to the survey's own link."""
    return redirect(url_for("survey.form", token=survey.token_of_short_code(db_session(), code)))
