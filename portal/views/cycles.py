"""Audit cycles: create, preview and open; the dashboard; close; escalations and Chair meetings.

The manager runs cycles; committee (MESC) members see the lists, dashboards and escalations only.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from forms.common import ConfirmForm
from forms.cycles import ChairMeetingForm, CycleForm
from portal.access import roles
from portal.auth import reauthenticated
from portal.db import db_session
from portal.downloads import CSV, attachment
from portal.models import Cycle, CycleStatus, Escalation, Role
from portal.problems import text_checked
from portal.services import chasers, cycles, moderation
from portal.services.common import ServiceError
from portal.services.reporting import close_and_publish
from portal.views import dashboard_markup
from portal.views.helpers import db_int, link_settings, now, shown_message, survey_settings

bp = Blueprint("cycles", __name__, url_prefix="/cycles")
manager_only = roles(Role.MANAGER)
readers = roles(Role.MANAGER, Role.COMMITTEE)


@bp.route("/")
@readers
def index() -> str:
    session = db_session()
    rates = {rate.cycle_id: rate for rate in cycles.cycle_rates(session)}
    shown = cycles.list_cycles(session) if _is_manager() else cycles.opened_cycles(session)
    return render_template("cycles/index.html", cycles=shown, rates=rates)


def _is_manager() -> bool:
    """The committee reads opened cycles only, and never a contact's email address."""
    return bool(current_user.role == Role.MANAGER.value)


@bp.route("/new", methods=["GET", "POST"])
@manager_only
def new() -> BaseResponse | str:
    session = db_session()
    form = CycleForm()
    form.offer_tool_versions((t.id, f"{t.title} ({t.version})") for t in cycles.tool_versions(session))
    if form.validate_on_submit():
        try:
            cycle = cycles.create_cycle(
                session, label=(form.label.data or "").strip(), cohort=form.cohort.data or "",
                deadline=form.deadline.required_date,
                final_deadline=form.final_deadline.data or None,
                tool_version=cycles.get_tool_version(session, form.tool_version.data), now=now(),
            )
        except ServiceError as exc:
            form.label.errors = [str(exc)]
        else:
            return redirect(url_for("cycles.preview", cycle_id=cycle.id))
    return render_template("cycles/new.html", form=form, cycle=None)


@bp.route("/<int:cycle_id>/edit", methods=["GET", "POST"])
@manager_only
def edit(cycle_id: int) -> BaseResponse | str:
    session = db_session()
    cycle = _cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT.value:
        return redirect(url_for("cycles.dashboard", cycle_id=cycle.id))
    form = CycleForm(obj=cycle)
    form.offer_tool_versions((t.id, f"{t.title} ({t.version})") for t in cycles.tool_versions(session))
    if request.method == "GET":
        form.tool_version.data = cycle.tool_version_id
    if form.validate_on_submit():
        try:
            cycles.update_draft(
                session, cycle, label=(form.label.data or "").strip(),
                cohort=form.cohort.data or "", deadline=form.deadline.required_date,
                final_deadline=form.final_deadline.data or None,
                tool_version=cycles.get_tool_version(session, form.tool_version.data),
                user_id=current_user.id)
        except ServiceError as exc:
            form.label.errors = [str(exc)]
        else:
            flash(f"Draft cycle {cycle.label} changed", "success")
            return redirect(url_for("cycles.preview", cycle_id=cycle.id))
    return render_template("cycles/new.html", form=form, cycle=cycle)


@bp.route("/<int:cycle_id>/delete", methods=["GET", "POST"])
@manager_only
def delete(cycle_id: int) -> BaseResponse | str:
    cycle = _cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT.value:
        return redirect(url_for("cycles.dashboard", cycle_id=cycle.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        label = cycle.label
        try:
            cycles.delete_draft(db_session(), cycle, user_id=current_user.id)
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Draft cycle {label} deleted", "success")
        return redirect(url_for("cycles.index"))
    return render_template("cycles/delete.html", cycle=cycle, form=form)


@bp.route("/<int:cycle_id>/preview")
@manager_only
def preview(cycle_id: int) -> BaseResponse | str:
    cycle = _cycle_or_404(cycle_id)
    if cycle.status != CycleStatus.DRAFT.value:
        return redirect(url_for("cycles.dashboard", cycle_id=cycle.id))
    session = db_session()
    return render_template("cycles/preview.html", cycle=cycle, form=ConfirmForm(),
                           items=cycles.preview_issue_list(session, cycle),
                           previous=cycles.previous_cycle(session, cycle),
                           preview=cycles.preview_invitations(session, cycle,
                                                              links=link_settings()),
                           shown=shown_message(), linkable=True)


@bp.route("/<int:cycle_id>/open", methods=["POST"], endpoint="open")
@manager_only
def open_(cycle_id: int) -> BaseResponse:
    cycle = _cycle_or_404(cycle_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = db_session()
    try:
        returns = cycles.open_cycle(session, cycle, now=now(), links=link_settings(),
                                    user_id=current_user.id,
                                    expected=request.form.get("expected", None, type=db_int))
    except ServiceError as exc:
        flash(str(exc), "error")
        if "has changed" in str(exc):
            return redirect(url_for("cycles.preview", cycle_id=cycle.id))
        return redirect(url_for("cycles.index"))
    carried = sum(1 for r in returns if r.carried_over)
    queued = session.info.get("mail_queued", 0)
    flash(f"Cycle {cycle.label} is open: {len(returns)} returns issued ({carried} carried over). "
          f"{queued} {'email is' if queued == 1 else 'emails are'} queued to be sent.", "success")
    return redirect(url_for("cycles.dashboard", cycle_id=cycle.id))


@bp.route("/<int:cycle_id>", endpoint="dashboard")
@readers
def dashboard_page(cycle_id: int) -> BaseResponse | str:
    session = db_session()
    cycle = cycles.get_cycle_by_id(session, cycle_id, opened_only=not _is_manager())
    if cycle.status == CycleStatus.DRAFT.value:
        return redirect(url_for("cycles.preview", cycle_id=cycle.id))
    moment = now()
    data = cycles.build_dashboard(session, cycle, now=moment, filters=_return_filter())
    return render_template("cycles/dashboard.html", cycle=cycle, data=data,
                           rows_html=dashboard_markup.return_rows(data.returns,
                                                                  is_manager=_is_manager()),
                           can_close=cycles.can_close(cycle, now=moment),
                           status_filters=cycles.STATUS_FILTERS,
                           moderation=moderation.moderation_progress(
                               session, cycle, submitted=data.totals.submitted),
                           bounced=chasers.bounced_contacts(session, cycle))


@bp.route("/<int:cycle_id>/returns.csv")
@readers
@reauthenticated
def returns_csv(cycle_id: int) -> Response:
    """The whole filtered list of returns (every page) as CSV."""
    cycle = cycles.get_cycle_by_id(db_session(), cycle_id, opened_only=True)
    content = cycles.return_list_csv(db_session(), cycle, _return_filter(), now=now(),
                                     with_contacts=_is_manager())
    return attachment(content, CSV, "returns", cycle.label, extension="csv")


def return_filter() -> cycles.ReturnFilter:
    """The returns list's filters from the query string (shared with bulk chasing)."""
    return _return_filter()


def _return_filter() -> cycles.ReturnFilter:
    status = request.values.get("status", "")
    carried = request.values.get("carried", "")
    return cycles.ReturnFilter(
        status=status if status in cycles.STATUS_FILTERS else None,
        sector_id=request.values.get("sector", type=db_int) or None,
        carried_over={"yes": True, "no": False}.get(carried),
        page=max(request.values.get("page", 1, type=db_int), 1),
    )


@bp.route("/<int:cycle_id>/close", methods=["GET", "POST"])
@manager_only
@reauthenticated
def close(cycle_id: int) -> BaseResponse | str:
    session = db_session()
    cycle = _cycle_or_404(cycle_id)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            result = close_and_publish(session, cycle, now=now(), user_id=current_user.id,
                                       survey_settings=survey_settings())
        except ServiceError as exc:
            error = str(exc)
        else:
            flash(f"Cycle {cycle.label} is closed: {len(result.escalations)} returns escalated, "
                  f"{result.chair_meetings} need a Chair meeting. Its report is published.", "success")
            return redirect(url_for("cycles.escalations_page", cycle=cycle.id))
    return render_template("cycles/close.html", cycle=cycle, form=form, error=error,
                           totals=cycles.cycle_totals(session, cycle),
                           can_close=cycles.can_close(cycle, now=now()))


@bp.route("/escalations")
@readers
def escalations_page() -> str:
    session = db_session()
    filters = _escalation_filter()
    opened = cycles.opened_cycles(session)
    return render_template(
        "cycles/escalations.html", escalations=cycles.list_escalations(session, filters),
        filters=filters, cycles=opened,
        at_risk=[(c, cycles.cycle_totals(session, c).at_risk) for c in opened
                 if c.status == CycleStatus.OPEN.value],
    )


@bp.route("/escalations.csv")
@readers
def escalations_csv() -> Response:
    rows = cycles.list_escalations(db_session(), _escalation_filter())
    return attachment(cycles.escalations_csv(rows, with_contacts=_is_manager()), CSV,
                      "escalations", extension="csv")


def _escalation_filter() -> cycles.EscalationFilter:
    return cycles.EscalationFilter(
        cycle_id=request.args.get("cycle", type=db_int) or None,
        open_only=request.args.get("open") == "yes",
    )


@bp.route("/escalations/<int:escalation_id>", methods=["GET", "POST"])
@text_checked
@manager_only
def chair_meeting(escalation_id: int) -> BaseResponse | str:
    session = db_session()
    escalation = _escalation_or_404(escalation_id)
    form = ChairMeetingForm(data={"meeting_on": escalation.chair_meeting_on,
                                  "outcome": escalation.chair_meeting_outcome}
                            if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            cycles.record_chair_meeting(session, escalation, on=form.meeting_on.required_date,
                                             outcome=form.outcome.data or "",
                                             user_id=current_user.id)
        except ServiceError as exc:
            form.outcome.errors = [str(exc)]
        else:
            flash(f"Chair meeting with {escalation.agency.name} recorded", "success")
            return redirect(url_for("cycles.escalations_page", cycle=escalation.cycle_id))
    return render_template("cycles/chair_meeting.html", escalation=escalation, form=form)


def _cycle_or_404(cycle_id: int) -> Cycle:
    return cycles.get_cycle_by_id(db_session(), cycle_id)


def _escalation_or_404(escalation_id: int) -> Escalation:
    return cycles.get_escalation(db_session(), escalation_id)
