"""Board and committee members: their moderation visits."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import roles
from portal.models import Role

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.route("/")
@roles(Role.MODERATOR, Role.MANAGER)
def home() -> str:
    return render_template("moderation/home.html")
