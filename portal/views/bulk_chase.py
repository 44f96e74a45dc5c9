"""Chasing a filtered list of returns in bulk: choose the wording, preview every message,
confirm the count."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.common import ConfirmForm
from portal.access import roles
from portal.db import db_session
from portal.models import ChaserStage, Cycle, Role
from portal.services import chasers, cycles
from portal.services.common import ServiceError
from portal.views.cycles import return_filter
from portal.views.helpers import db_int, link_settings, min_gap, now, shown_message

bp = Blueprint("bulk_chase", __name__, url_prefix="/chasers/cycles")
manager_only = roles(Role.MANAGER)


def _list_args() -> dict[str, Any]:
    return {k: request.values.get(k, "") for k in ("status", "sector", "carried")}


@bp.route("/<int:cycle_id>/bulk")
@manager_only
def preview(cycle_id: int) -> str:
    session = db_session()
    cycle = _cycle(cycle_id)
    stages = chasers.ensure_default_stages(session, cycle)
    stage = _stage(stages, request.args.get("stage", type=db_int)) or chasers.wording_stage(
        session, cycle, now().date())
    ids = cycles.filtered_return_ids(session, cycle, return_filter(), now=now())
    targets = chasers.chase_targets(session, cycle, ids)
    return render_template(
        "chasers/bulk.html", cycle=cycle, stages=stages, stage=stage, targets=targets,
        preview=chasers.preview_bulk(session, targets, stage, links=link_settings(), now=now(),
                                     min_gap_working_days=min_gap()),
        shown=shown_message(), linkable=True, form=ConfirmForm(), list_args=_list_args())


@bp.route("/<int:cycle_id>/bulk", methods=["POST"])
@manager_only
def send(cycle_id: int) -> Response:
    session = db_session()
    cycle = _cycle(cycle_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)  # a malformed post (no CSRF token): HTTP, not a rule
    stage = _stage(chasers.ensure_default_stages(session, cycle),
                   request.form.get("stage", type=db_int))
    if stage is None:
        abort(400)  # the form's hidden stage is not one of this cycle's: a malformed post
    ids = cycles.filtered_return_ids(session, cycle, return_filter(), now=now())
    try:
        run = chasers.chase_list(session, cycle, ids, stage=stage,
                                 expected=request.form.get("expected", -1, type=db_int), now=now(),
                                 links=link_settings(), user_id=current_user.id,
                                 min_gap_working_days=min_gap())
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("bulk_chase.preview", cycle_id=cycle.id, stage=stage.id,
                                **_list_args()))
    count = len(run.sent)
    flash(f"{count} {'chaser' if count == 1 else 'chasers'} sent, one to each agency.", "success")
    for agency, why in run.held:
        flash(f"Not chased: {agency}, {why}", "info")
    return redirect(url_for("cycles.dashboard", cycle_id=cycle.id, **_list_args()))


def _cycle(cycle_id: int) -> Cycle:
    return cycles.get_cycle_by_id(db_session(), cycle_id, opened_only=True)


def _stage(stages: list[ChaserStage], stage_id: int | None) -> ChaserStage | None:
    return next((s for s in stages if s.id == stage_id), None)
