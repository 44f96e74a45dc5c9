"""Recommendations: the manager and the committee record them and note their progress."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.recommendations import RecommendationForm, UpdateForm, standard_codes
from portal.access import roles
from portal.db import db_session
from portal.models import Role
from portal.problems import show_problems, text_checked
from portal.services import cycles, recommendations, requests
from portal.services.common import ServiceError, uk_today
from portal.services.recommendations import NewRecommendation
from portal.views.helpers import now

bp = Blueprint("recommendations", __name__, url_prefix="/recommendations")
recorders = roles(Role.MANAGER, Role.COMMITTEE)


@bp.route("/")
@recorders
def index() -> str:
    today = uk_today(now())
    found = recommendations.list_recommendations(db_session())
    overdue = [r for r in found if recommendations.is_overdue(r, today=today)]
    return render_template("recommendations/index.html", recommendations=found, overdue=overdue,
                           owner_of=recommendations.owner_of)


@bp.route("/new", methods=["GET", "POST"])
@text_checked
@recorders
def new() -> Response | str:
    session = db_session()
    form = RecommendationForm()
    form.cycle.choices = [(c.id, f"Compact Audit {c.label}") for c in cycles.opened_cycles(session)]
    if form.validate_on_submit():
        cycle = cycles.get_cycle_by_id(session, form.cycle.data or 0)
        try:
            made = recommendations.record_recommendation(session, cycle, NewRecommendation(
                text=form.text.data or "", standards=standard_codes(form.standards.data),
                owner_kind=form.owner_kind.data or "", owner_name=form.owner_name.data or "",
                due_on=form.due_on.data), now=now(), user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="standards")
        else:
            flash("Recommendation recorded", "success")
            return redirect(url_for("recommendations.detail", recommendation_id=made.id))
    return render_template("recommendations/new.html", form=form)


@bp.route("/<int:recommendation_id>", methods=["GET", "POST"])
@text_checked
@recorders
def detail(recommendation_id: int) -> Response | str:
    session = db_session()
    found = recommendations.get_recommendation(session, recommendation_id)
    form = UpdateForm()
    if request.method == "GET":
        form.status.data = found.status
    if form.validate_on_submit():
        try:
            recommendations.add_update(
                session, found, status=form.status.data or "", note=form.note.data or "",
                on=form.on.required_date, dropped_reason=form.dropped_reason.data,
                user_id=current_user.id, now=now())
        except ServiceError as exc:
            show_problems(form, exc, default="dropped_reason")
        else:
            flash("Update saved", "success")
            return redirect(url_for("recommendations.detail", recommendation_id=found.id))
    return render_template(
        "recommendations/detail.html", recommendation=found, form=form,
        overdue=recommendations.is_overdue(found, today=uk_today(now())),
        owner=recommendations.owner_of(found),
        requests=requests.requests_following(session, found.id))
