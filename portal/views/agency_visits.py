"""An agency's safeguarding lead chooses the date of its moderation visit from those offered."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.moderation import ChooseSlotForm
from portal.access import roles
from portal.db import db_session
from portal.models import Role, Visit
from portal.problems import show_problems
from portal.services import moderation
from portal.services.common import ServiceError
from portal.views.helpers import link_settings, now
from portal.views.moderation_admin import uk_datetime
from portal.views.visit_pack import pack_renderer

bp = Blueprint("agency_visits", __name__, url_prefix="/agency/visits")
agency_only = roles(Role.AGENCY)


def _own_visit(visit_id: int) -> Visit:
    visit = moderation.get_visit(db_session(), visit_id)
    if visit.return_.agency_id != current_user.agency_id:
        abort(404)
    return visit


@bp.route("/<int:visit_id>/choose", methods=["GET", "POST"])
@agency_only
def choose(visit_id: int) -> Response | str:
    """The dates offered for the visit, as radios; choosing one schedules it."""
    session = db_session()
    visit = _own_visit(visit_id)
    if not moderation.awaiting_choice(visit):
        flash("This moderation visit already has a date, or no dates are offered.")
        return redirect(url_for("agency.home"))
    form = ChooseSlotForm()
    form.slot.choices = [(s.id, uk_datetime(s.starts_at)) for s in visit.slots]
    if form.validate_on_submit():
        try:
            moderation.choose_slot(session, visit, form.slot.data, now=now(),
                                   links=link_settings(), user_id=current_user.id,
                                   pack=pack_renderer(session))
        except ServiceError as exc:
            show_problems(form, exc, default="slot")
        else:
            flash(f"Your moderation visit is on {uk_datetime(visit.starts_at)}. We have emailed "
                  "everyone a calendar invitation.", "success")
            return redirect(url_for("agency.home"))
    return render_template("agency/choose_visit.html", form=form, visit=visit)
