"""The manager's moderation pages: the sample, visits and their scheduling, calibration."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.moderation import (
    BulkScheduleForm,
    CancelForm,
    OfferSlotsForm,
    SampleForm,
    ScheduleForm,
)
from portal.access import roles
from portal.db import db_session
from portal.models import Cycle, Role, Visit
from portal.problems import show_problems
from portal.services import moderation
from portal.services.common import ServiceError
from portal.services.cycles import get_cycle, opened_cycles
from portal.views.drafts import draft, drop_draft, keep_draft
from portal.views.helpers import link_settings, now, outcome_working_days, survey_settings
from portal.views.visit_pack import pack_renderer

bp = Blueprint("moderation_admin", __name__, url_prefix="/manager/moderation")
manager_only = roles(Role.MANAGER)


@bp.app_template_filter("uk_datetime")
def uk_datetime(value: datetime | None) -> str:
    """A naive UTC time shown as UK time with its weekday, like Tuesday 12 June 2018 at 10:00am."""
    if value is None:
        return "Not set"
    local = moderation.utc_to_uk(value)
    hour = local.hour % 12 or 12
    return (f"{local:%A} {local.day} {local:%B %Y} at {hour}:{local:%M}"
            f"{'am' if local.hour < 12 else 'pm'}")


@bp.app_template_filter("visit_status")
def visit_status(visit: Visit) -> str:
    """The visit's status, "Outcome overdue" when its day has passed with no outcome, or
    "Awaiting the agency's choice" when dates are offered and none is chosen yet."""
    if moderation.awaiting_choice(visit):
        return "Awaiting the agency's choice"
    flag = moderation.visit_flag(visit, now=now(), working_days=outcome_working_days())
    return flag or visit.status.replace("_", " ").capitalize()


def _cycle_or_404(label: str) -> Cycle:
    return get_cycle(db_session(), label)


def _visit_or_404(visit_id: int) -> Visit:
    return moderation.get_visit(db_session(), visit_id)


@bp.route("/")
@manager_only
def index() -> str:
    session = db_session()
    rows = [(c, moderation.current_sample(session, c), moderation.moderation_progress(session, c))
            for c in opened_cycles(session)]
    return render_template("moderation_admin/index.html", rows=rows)


@bp.route("/cycles/<label>")
@manager_only
def cycle(label: str) -> str:
    session = db_session()
    cycle = _cycle_or_404(label)
    sample = moderation.current_sample(session, cycle)
    return render_template(
        "moderation_admin/cycle.html", cycle=cycle, sample=sample,
        progress=moderation.moderation_progress(session, cycle),
        visits=moderation.visits_of_sample(session, sample) if sample else [],
        check=moderation.rederive(session, sample) if sample else None,
        history=[s for s in moderation.sample_history(session, cycle) if s is not sample],
        not_yet=None if sample else moderation.when_drawable(session, cycle, now=now()),
        overdue=moderation.overdue_outcomes(session, now=now(), cycle_id=cycle.id,
                                            working_days=outcome_working_days()),
        working_days=outcome_working_days(),
    )


@bp.route("/cycles/<label>/sample", methods=["GET", "POST"])
@manager_only
def draw(label: str) -> Response | str:
    session = db_session()
    cycle = _cycle_or_404(label)
    existing = moderation.current_sample(session, cycle)
    not_yet = moderation.when_drawable(session, cycle, now=now())
    form = SampleForm()
    if not_yet is None and form.validate_on_submit():
        seed = form.seed.data
        if seed is None:
            seed = secrets.randbelow(moderation.MAX_SEED)
        try:
            sample = moderation.draw_sample(
                session, cycle=cycle, rate=(form.rate.data or 10) / 100, seed=seed, now=now(),
                user_id=current_user.id, exclude_recent_cycles=form.exclude_recent.data or 0,
                reason=form.reason.data, links=link_settings(),
                replacing=int(form.replacing.data) if (form.replacing.data or "").isdigit() else None,
                targeted=(form.targeted.data or 0) / 100, survey_settings=survey_settings(),
            )
            moderation.plan_visits(session, sample=sample, manager_id=current_user.id, now=now(),
                               user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="rate")
        else:
            flash(f"Sample drawn: {len(sample.chosen)} of {len(sample.population)} submitted "
                  f"returns (seed {sample.seed})", "success")
            return redirect(url_for("moderation_admin.cycle", label=cycle.label))
    return render_template("moderation_admin/draw.html", form=form, cycle=cycle, existing=existing,
                           not_yet=not_yet)


@bp.route("/cycles/<label>/schedule", methods=["GET", "POST"])
@manager_only
def schedule_all(label: str) -> Response | str:
    """Every visit of the sample still to be dated, scheduled on one page in one confirmation.

    Its side links post the typed rows first (kept as a draft), so coming back loses nothing."""
    session = db_session()
    cycle = _cycle_or_404(label)
    sample = moderation.current_sample(session, cycle)
    unscheduled = moderation.unscheduled_visits(session, sample) if sample else []
    visits = [v for v in unscheduled if not moderation.awaiting_choice(v)]
    awaiting = [v for v in unscheduled if moderation.awaiting_choice(v)]
    if request.method == "POST" and (side := _side_page(request.form.get("go", ""), unscheduled)):
        keep_draft(f"schedule:{cycle.label}", request.form,
                   {f"member_{v.id}": str(v.member_id) for v in visits})
        return redirect(side)
    rows = [(v.id, v.return_.agency.name, v.member_id) for v in visits]
    form_class = BulkScheduleForm.for_visits(
        rows, [(u.id, u.name or u.email)
               for u in moderation.members(session, partnership_id=cycle.partnership_id)])
    kept = draft(f"schedule:{cycle.label}") if request.method == "GET" else None
    form = form_class(formdata=kept) if kept else form_class()
    if request.method == "GET":
        form.defaults(rows)
    if visits and form.validate_on_submit():
        by_id = {v.id: v for v in visits}
        plans = [moderation.VisitPlan(by_id[i], moderation.uk_to_utc(start), place, member)
                 for i, start, place, member in form.plans()]
        try:
            moderation.schedule_visits(session, plans, manager_id=current_user.id, now=now(),
                                       links=link_settings(), user_id=current_user.id,
                                       pack=pack_renderer(session))
        except ServiceError as exc:
            show_problems(form, exc, default=f"day_{visits[0].id}")
        else:
            drop_draft(f"schedule:{cycle.label}")
            flash(f"{len(plans)} visits scheduled. We have emailed the invitations.", "success")
            return redirect(url_for("moderation_admin.cycle", label=cycle.label))
    return render_template("moderation_admin/schedule_all.html", cycle=cycle, form=form,
                           visits=visits, awaiting=awaiting, kept=kept is not None)


def _side_page(go: str, visits: list[Visit]) -> str | None:
    """Where a side button of the scheduling page leads ("offer-12", "direct-12"), or None."""
    action, _, visit_id = go.partition("-")
    endpoint = {"offer": "moderation_admin.offer", "direct": "moderation_admin.schedule"}.get(action)
    if endpoint is None or not any(str(v.id) == visit_id for v in visits):
        return None
    return url_for(endpoint, visit_id=int(visit_id))


@bp.route("/visits/<int:visit_id>/offer", methods=["GET", "POST"])
@manager_only
def offer(visit_id: int) -> Response | str:
    """Offer the agency up to three dates; its safeguarding lead chooses one on the portal."""
    visit = _visit_or_404(visit_id)
    form = OfferSlotsForm(data={"place": visit.place or ""} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            moderation.offer_slots(
                db_session(), visit,
                starts=[moderation.uk_to_utc(s) if s else None for s in form.local_choices()],
                place=form.place.data or "", now=now(), links=link_settings(),
                user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="day_1")
        else:
            flash(f"Dates offered to {visit.return_.agency.name}. We have emailed its "
                  "safeguarding lead to choose one.", "success")
            return redirect(url_for("moderation_admin.schedule_all",
                                    label=visit.return_.cycle.label))
    return render_template("moderation_admin/offer.html", form=form, visit=visit,
                           max_slots=moderation.MAX_SLOTS)


@bp.route("/visits/<int:visit_id>")
@manager_only
def visit(visit_id: int) -> str:
    visit = _visit_or_404(visit_id)
    return render_template("moderation_admin/visit.html", visit=visit,
                           reviews=moderation.review(db_session(), visit))


@bp.route("/visits/<int:visit_id>/schedule", methods=["GET", "POST"])
@manager_only
def schedule(visit_id: int) -> Response | str:
    session = db_session()
    visit = _visit_or_404(visit_id)
    form = ScheduleForm(data=_schedule_defaults(visit) if request.method == "GET" else None)
    partnership_id = visit.partnership_id
    form.manager.choices = [(u.id, u.name or u.email)
                            for u in moderation.managers(session, partnership_id=partnership_id)]
    form.member.choices = [(u.id, u.name or u.email)
                           for u in moderation.members(session, partnership_id=partnership_id)]
    if form.validate_on_submit():
        try:
            moderation.schedule_visit(
                session, visit, starts_at=moderation.uk_to_utc(form.local_start()),
                place=form.place.data or "", duration_minutes=form.duration.data or 120,
                manager_id=form.manager.data, member_id=form.member.data, now=now(),
                links=link_settings(), user_id=current_user.id, pack=pack_renderer(session),
            )
        except ServiceError as exc:
            show_problems(form, exc, default="day")
        else:
            flash(f"Visit to {visit.return_.agency.name} scheduled. We have emailed the "
                  "invitations.", "success")
            return redirect(url_for("moderation_admin.visit", visit_id=visit.id))
    return render_template("moderation_admin/schedule.html", form=form, visit=visit)


def _schedule_defaults(visit: Visit) -> dict[str, object]:
    local = moderation.utc_to_uk(visit.starts_at) if visit.starts_at else None
    return {"day": local.date() if local else None,
            "start": f"{local:%H:%M}" if local else "", "duration": visit.duration_minutes,
            "place": visit.place or "", "manager": visit.manager_id or current_user.id,
            "member": visit.member_id}


@bp.route("/visits/<int:visit_id>/cancel", methods=["GET", "POST"])
@manager_only
def cancel(visit_id: int) -> Response | str:
    visit = _visit_or_404(visit_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            moderation.cancel_visit(db_session(), visit, now=now(), links=link_settings(),
                                user_id=current_user.id, reason=form.reason.data or None)
        except ServiceError as exc:
            form.reason.errors = [str(exc)]
        else:
            flash(f"Visit to {visit.return_.agency.name} cancelled", "success")
            return redirect(url_for("moderation_admin.visit", visit_id=visit.id))
    return render_template("moderation_admin/cancel.html", form=form, visit=visit)


@bp.route("/cycles/<label>/calibration")
@manager_only
def calibration_page(label: str) -> str:
    cycle = _cycle_or_404(label)
    return render_template("moderation_admin/calibration.html", cycle=cycle,
                           result=moderation.calibration(db_session(), cycle),
                           self_grade_rule=moderation.SELF_GRADE_RULE)
