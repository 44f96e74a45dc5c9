"""Board and committee members: their moderation visits, the return, findings and the outcome.

Also the agency's view of a completed visit's outcome (scoped to the user's own agency).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.moderation import CompleteVisitForm, RecordFindingsForm
from portal.access import roles
from portal.db import db_session
from portal.models import Role, Visit, VisitStatus
from portal.problems import show_problems, text_checked
from portal.services import moderation
from portal.services.common import Invalid, Problem, ServiceError
from portal.views.helpers import link_settings, now, outcome_working_days
from portal.views.visit_pack import pack_download

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
attendees = roles(Role.MODERATOR, Role.MANAGER)


def problems_of(error: ServiceError) -> list[Problem]:
    """A service's problems as a list (a refusal is one problem with no field)."""
    return list(error.problems) if isinstance(error, Invalid) else [Problem(None, str(error))]


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
    return render_template("moderation/visit.html", visit=visit,
                           reviews=moderation.review(db_session(), visit),
                           self_grade_rule=moderation.SELF_GRADE_RULE, **_timing(visit))


def _timing(visit: Visit) -> dict[str, object]:
    """When the outcome can be recorded (from the visit's day) and when it is due."""
    day = moderation.visit_day(visit)
    today = moderation.utc_to_uk(now()).date()
    return {"outcome_from": day if day is None or today < day else None,
            "unscheduled": day is None, "working_days": outcome_working_days(),
            "due": moderation.outcome_due(visit, working_days=outcome_working_days())}


@bp.route("/visits/<int:visit_id>/pack.pdf")
@attendees
def pack(visit_id: int) -> Response:
    """The visit pack for the member of the visit and the manager."""
    visit = _my_visit_or_404(visit_id)
    return pack_download(visit)


def _closed(visit: Visit) -> Response | None:
    """A completed or cancelled visit's pages are read-only: any post (or an edit page) goes
    back to the visit with the reason, before a form is even read."""
    if visit.status not in (VisitStatus.COMPLETED.value, VisitStatus.CANCELLED.value):
        return None
    if request.method == "POST":
        flash(moderation.closed_reason(visit), "refused")
    return redirect(url_for("moderation.visit", visit_id=visit.id), 303)


@bp.route("/visits/<int:visit_id>/standards/<int:standard_id>", methods=["GET", "POST"])
@attendees
def standard(visit_id: int, standard_id: int) -> Response | str:
    """One standard, read-only: the answers, action plans, evidence and the finding so far.
    Findings are recorded on the visit's one recording page."""
    session = db_session()
    visit = _my_visit_or_404(visit_id)
    standard = moderation.standard_of_visit(visit, standard_id)
    if request.method == "POST":
        return _closed(visit) or redirect(_record_url(visit, standard.id), 303)
    return render_template(
        "moderation/standard.html", visit=visit, standard=standard,
        finding=next((f for f in visit.findings if f.standard_id == standard.id), None),
        lines=moderation.answers_for(session, visit, standard),
        evidence=moderation.evidence_for(session, visit, standard),
        self_grade=moderation.self_grades(session, visit.return_id).get(standard.id),
        self_grade_rule=moderation.SELF_GRADE_RULE,
    )


def _record_url(visit: Visit, standard_id: int | None = None) -> str:
    anchor = f"#grade_{standard_id}" if standard_id else ""
    return url_for("moderation.record", visit_id=visit.id) + anchor


@bp.route("/visits/<int:visit_id>/record", methods=["GET", "POST"])
@text_checked
@attendees
def record(visit_id: int) -> Response | str:
    """Every standard's finding and the outcome on one page; saved all at once."""
    session = db_session()
    visit = _my_visit_or_404(visit_id)
    if closed := _closed(visit):
        return closed
    sheets = moderation.record_sheet(session, visit)
    form = RecordFindingsForm.for_standards([(s.review.standard.id, s.review.standard.code)
                                             for s in sheets])()
    if request.method == "GET":
        form.fill({f.standard_id: (f.moderated_grade, f.note or "") for f in visit.findings},
                  visit.outcome or "")
    elif form.validate_on_submit() and (saved := _save_findings(visit, form)):
        return saved
    return render_template("moderation/record.html", visit=visit, form=form, sheets=sheets,
                           self_grade_rule=moderation.SELF_GRADE_RULE, **_timing(visit))


def _save_findings(visit: Visit, form: RecordFindingsForm) -> Response | None:
    entries = [moderation.FindingEntry(i, grade, note) for i, grade, note in form.entries()]
    try:
        count = moderation.record_findings(db_session(), visit, entries,
                                           outcome=form.outcome.data or "", now=now(),
                                           user_id=current_user.id)
    except ServiceError as exc:
        show_problems(form, exc)
        return None
    if form.save.data:
        flash(f"{count} of {len(entries)} findings saved. You can come back to finish them.",
              "success")
        return redirect(url_for("moderation.visit", visit_id=visit.id))
    return redirect(url_for("moderation.check", visit_id=visit.id))


@bp.route("/visits/<int:visit_id>/check")
@attendees
def check(visit_id: int) -> Response | str:
    """Check your findings: every standard and the outcome, before completing the visit."""
    visit = _my_visit_or_404(visit_id)
    if closed := _closed(visit):
        return closed
    return _check_page(visit, CompleteVisitForm(), [])


def _check_page(visit: Visit, form: CompleteVisitForm, problems: list[Problem]) -> str:
    errors = [{"text": p.message, **({"href": _record_url(visit) + "#" + p.field}
                                     if p.field else {})} for p in problems]
    return render_template("moderation/check.html", visit=visit, form=form, errors=errors,
                           reviews=moderation.review(db_session(), visit), **_timing(visit))


@bp.route("/visits/<int:visit_id>/complete", methods=["POST"])
@attendees
def complete(visit_id: int) -> Response | str:
    """Complete the visit with its recorded findings and outcome; the agency is told."""
    visit = _my_visit_or_404(visit_id)
    if closed := _closed(visit):
        return closed
    form = CompleteVisitForm()
    if not form.validate_on_submit():
        return _check_page(visit, form, [])
    try:
        moderation.complete_visit(db_session(), visit, outcome=visit.outcome or "", now=now(),
                                  user_id=current_user.id, links=link_settings())
    except ServiceError as exc:
        return _check_page(visit, form, problems_of(exc))
    flash(f"Visit to {visit.return_.agency.name} completed. We have emailed the agency the "
          "outcome.", "success")
    return redirect(url_for("moderation.visit", visit_id=visit.id))


@bp.route("/visits/<int:visit_id>/outcome", methods=["GET", "POST"])
@attendees
def outcome(visit_id: int) -> Response:
    """The outcome is written on the recording page (this address is kept for old links)."""
    visit = _my_visit_or_404(visit_id)
    return _closed(visit) or redirect(_record_url(visit) + "#outcome", 303)


@bp.route("/outcome/<int:visit_id>")
@roles(Role.AGENCY)
def agency_outcome(visit_id: int) -> str:
    """The agency's own completed visit: the outcome and the findings per standard."""
    session = db_session()
    visit = moderation.outcome_for_agency(session, visit_id, current_user.agency_id)
    return render_template("moderation/agency_outcome.html", visit=visit,
                           reviews=[r for r in moderation.review(session, visit) if r.finding])
