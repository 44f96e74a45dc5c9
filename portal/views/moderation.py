"""Board and committee members: their moderation visits, the return, findings and the outcome.

Also the agency's view of a completed visit's outcome (scoped to the user's own agency).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.moderation import FindingForm, OutcomeForm
from portal.access import roles
from portal.db import db_session
from portal.models import Role, Visit, VisitStatus
from portal.problems import show_problems, text_checked
from portal.services import moderation
from portal.services.common import ServiceError
from portal.views.helpers import link_settings, now
from portal.views.visit_pack import pack_download

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
attendees = roles(Role.MODERATOR, Role.MANAGER)


def _my_visit_or_404(visit_id: int) -> Visit:
    """A member may open only their own visits; the manager attends them all."""
    return moderation.visit_for_attendee(db_session(), visit_id, current_user)


@bp.route("/")
@attendees
def home() -> str:
    visits = moderation.visits_for(db_session(), current_user)
    moment = now()
    return render_template(
        "moderation/home.html",
        upcoming=[v for v in visits if moderation.is_upcoming(v, now=moment)],
        completed=[v for v in visits if v.status == VisitStatus.COMPLETED.value])


@bp.route("/visits/<int:visit_id>")
@attendees
def visit(visit_id: int) -> str:
    visit = _my_visit_or_404(visit_id)
    day = moderation.visit_day(visit)
    today = moderation.utc_to_uk(now()).date()
    return render_template("moderation/visit.html", visit=visit,
                           reviews=moderation.review(db_session(), visit),
                           self_grade_rule=moderation.SELF_GRADE_RULE,
                           outcome_from=day if day is None or today < day else None,
                           unscheduled=day is None)


@bp.route("/visits/<int:visit_id>/pack.pdf")
@attendees
def pack(visit_id: int) -> Response:
    """The visit pack for the member of the visit and the manager."""
    visit = _my_visit_or_404(visit_id)
    return pack_download(visit)


@bp.route("/visits/<int:visit_id>/standards/<int:standard_id>", methods=["GET", "POST"])
@text_checked
@attendees
def standard(visit_id: int, standard_id: int) -> Response | str:
    session = db_session()
    visit = _my_visit_or_404(visit_id)
    standard = moderation.standard_of_visit(visit, standard_id)
    found = next((f for f in visit.findings if f.standard_id == standard.id), None)
    form = FindingForm(data={"grade": found.moderated_grade, "note": found.note or ""}
                       if found and request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            moderation.record_finding(session, visit, standard_id=standard.id,
                                    moderated_grade=form.grade.data or "",
                                    note=form.note.data or "", now=now(), user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="grade")
        else:
            flash(f"Finding for standard {standard.code} saved", "success")
            return redirect(url_for("moderation.visit", visit_id=visit.id))
    return render_template(
        "moderation/standard.html", visit=visit, standard=standard, form=form,
        lines=moderation.answers_for(session, visit, standard),
        evidence=moderation.evidence_for(session, visit, standard),
        self_grade=moderation.self_grades(session, visit.return_id).get(standard.id),
        self_grade_rule=moderation.SELF_GRADE_RULE,
    )


@bp.route("/visits/<int:visit_id>/outcome", methods=["GET", "POST"])
@text_checked
@attendees
def outcome(visit_id: int) -> Response | str:
    visit = _my_visit_or_404(visit_id)
    form = OutcomeForm(data={"outcome": visit.outcome or ""} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            moderation.complete_visit(db_session(), visit, outcome=form.outcome.data or "",
                                    now=now(), user_id=current_user.id, links=link_settings())
        except ServiceError as exc:
            show_problems(form, exc, default="outcome")
        else:
            flash(f"Visit to {visit.return_.agency.name} completed", "success")
            return redirect(url_for("moderation.visit", visit_id=visit.id))
    return render_template("moderation/outcome_form.html", visit=visit, form=form)


@bp.route("/outcome/<int:visit_id>")
@roles(Role.AGENCY)
def agency_outcome(visit_id: int) -> str:
    """The agency's own completed visit: the outcome and the findings per standard."""
    session = db_session()
    visit = moderation.outcome_for_agency(session, visit_id, current_user.agency_id)
    return render_template("moderation/agency_outcome.html", visit=visit,
                           reviews=[r for r in moderation.review(session, visit) if r.finding])
