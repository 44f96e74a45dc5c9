"""MESC members: dashboards and reports, read-only."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal.access import roles
from portal.db import db_session
from portal.models import Role
from portal.reports.wording import pct
from portal.services.reporting import report_cycles

bp = Blueprint("committee", __name__, url_prefix="/committee")


@bp.route("/")
@roles(Role.COMMITTEE, Role.MANAGER)
def home() -> str:
    return render_template("committee/home.html", cycles=report_cycles(db_session()), pct=pct)
