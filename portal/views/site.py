"""The pages the law asks for, public and linked from every page's footer: accessibility
statement, privacy notice, cookies."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from portal import legal
from portal.access import public
from portal.views.survey import COOKIE_DAYS

bp = Blueprint("site", __name__)


@bp.route("/accessibility")
@public
def accessibility() -> str:
    return render_template("site/accessibility.html", legal=legal)


@bp.route("/privacy")
@public
def privacy() -> str:
    config = current_app.config
    return render_template("site/privacy.html",
                           dpo_email=config["PARTNERSHIP_DPO_EMAIL"] or config["HELP_EMAIL"])


@bp.route("/cookies")
@public
def cookies() -> str:
    return render_template("site/cookies.html",
                           cookies=legal.cookies(current_app.config, survey_days=COOKIE_DAYS))
