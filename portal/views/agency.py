"""An agency's safeguarding lead: their returns."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from portal.access import roles
from portal.models import Role

bp = Blueprint("agency", __name__, url_prefix="/agency")


@bp.route("/")
@roles(Role.AGENCY)
def home() -> str:
    return render_template("agency/home.html", agency=current_user.agency)
