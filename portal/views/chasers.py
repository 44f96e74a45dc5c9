"""The manager's chaser pages: stages and wording, history, previews, sending now."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.chasers import StageForm
from forms.common import ConfirmForm
from portal.access import roles
from portal.db import db_session
from portal.models import ChaserStage, Cycle, CycleStatus, Return, Role
from portal.problems import show_problems, text_checked
from portal.services import chasers, cycles, returns
from portal.services.common import ServiceError
from portal.views.helpers import db_int, link_settings, min_gap, now, shown_message

bp = Blueprint("chasers", __name__, url_prefix="/chasers")
manager_only = roles(Role.MANAGER)


@bp.route("/")
@manager_only
def index() -> str:
    return render_template("chasers/index.html", cycles=cycles.opened_cycles(db_session()))


@bp.route("/cycles/<int:cycle_id>")
@manager_only
def cycle(cycle_id: int) -> str:
    session = db_session()
    found = _cycle_or_404(cycle_id)
    stages = chasers.ensure_default_stages(session, found)
    return render_template(
        "chasers/cycle.html", cycle=found, form=None, action=ConfirmForm(),
        stages=[(s, chasers.describe_timing(s), chasers.due_on(s, found))
                for s in stages],
        rows=chasers.cycle_chasing(session, found),
        past_deadline=cycles.is_past_deadline(found, now=now()),
        bounced=chasers.bounced_contacts(session, found),
        at_risk=cycles.cycle_totals(session, found).at_risk,
    )


@bp.route("/cycles/<int:cycle_id>/send-due")
@manager_only
def preview_due(cycle_id: int) -> Response | str:
    found = _cycle_or_404(cycle_id)
    return _confirm_page(found, "Send the chasers due now", "chasers.send_due",
                         chasers.preview_due_chasers)


@bp.route("/cycles/<int:cycle_id>/chase-overdue")
@manager_only
def preview_overdue(cycle_id: int) -> Response | str:
    found = _cycle_or_404(cycle_id)
    return _confirm_page(found, "Chase all overdue agencies", "chasers.chase_overdue",
                         chasers.preview_chase_overdue)


def _confirm_page(found: Cycle, title: str, action: str, plan: Any) -> Response | str:
    """A bulk send's preview (every message, built by the code that sends) and its confirm."""
    try:
        preview = plan(db_session(), found, now=now(), links=link_settings(),
                       min_gap_working_days=min_gap())
    except ServiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("chasers.cycle", cycle_id=found.id))
    return render_template("chasers/confirm_send.html", cycle=found, title=title,
                           action=url_for(action, cycle_id=found.id), preview=preview,
                           shown=shown_message(), linkable=True, form=ConfirmForm())


def _expected() -> int | None:
    """The count the manager confirmed on the preview (None when posted without one)."""
    return request.form.get("expected", None, type=db_int)


@bp.route("/cycles/<int:cycle_id>/send-due", methods=["POST"])
@manager_only
def send_due(cycle_id: int) -> Response:
    found = _cycle_or_404(cycle_id)
    if found.status != CycleStatus.OPEN.value:
        flash(f"Cycle {found.label} is {found.status}: chasers are sent only while a cycle is "
              "open", "error")
    elif ConfirmForm().validate_on_submit():
        return _sent_or_back(found, "chasers.preview_due", lambda: chasers.send_due_chasers(
            db_session(), now=now(), links=link_settings(), cycle=found,
            min_gap_working_days=min_gap(), user_id=current_user.id, expected=_expected()),
            nothing="No chasers were due: every due stage has already been sent")
    return redirect(url_for("chasers.cycle", cycle_id=found.id))


@bp.route("/cycles/<int:cycle_id>/chase-overdue", methods=["POST"])
@manager_only
def chase_overdue(cycle_id: int) -> Response:
    found = _cycle_or_404(cycle_id)
    if ConfirmForm().validate_on_submit():
        return _sent_or_back(found, "chasers.preview_overdue", lambda: chasers.chase_all_overdue(
            db_session(), found, now=now(), links=link_settings(),
            min_gap_working_days=min_gap(), user_id=current_user.id, expected=_expected()),
            nothing="No overdue agency could be chased")
    return redirect(url_for("chasers.cycle", cycle_id=found.id))


def _sent_or_back(found: Cycle, preview: str, send: Any, *, nothing: str) -> Response:
    """Send and say what went; if the list changed since the preview, back to it."""
    try:
        run = send()
    except ServiceError as exc:
        flash(str(exc), "error")
        if "has changed" in str(exc):
            return redirect(url_for(preview, cycle_id=found.id))
    else:
        _flash_run(run, nothing=nothing)
    return redirect(url_for("chasers.cycle", cycle_id=found.id))


def _flash_run(run: chasers.ChaserRun, *, nothing: str) -> None:
    if run.sent:
        sent = ", ".join(f"{s.agency} ({s.stage})" for s in run.sent)
        flash(f"{len(run.sent)} {'chaser' if len(run.sent) == 1 else 'chasers'} sent: {sent}",
              "success")
    else:
        flash(nothing, "info")
    for agency, why in run.held:
        flash(f"Not chased: {agency}, {why}", "info")


@bp.route("/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@text_checked
@manager_only
def edit_stage(stage_id: int) -> Response | str:
    stage = _stage_or_404(stage_id)
    form = StageForm(obj=None, data={
        "name": stage.name, "offset": stage.offset_working_days, "anchor": stage.anchor,
        "subject": stage.subject_template, "body": stage.body_template,
    } if request.method == "GET" else None)
    preview = None
    if form.validate_on_submit():
        try:
            if not form.preview.data:
                return _save_stage(stage, form)
            preview = chasers.preview_email(stage, None, links=link_settings(),
                                            subject=form.subject.data or "", body=form.body.data or "")
        except ServiceError as exc:
            show_problems(form, exc)
    return render_template("chasers/stage_form.html", form=form, stage=stage, preview=preview,
                           placeholders=chasers.PLACEHOLDERS)


def _save_stage(stage: ChaserStage, form: StageForm) -> Response:
    chasers.update_stage(
        db_session(), stage, name=form.name.data or "", anchor=form.anchor.data or "",
        offset=form.offset.data or 0, subject=form.subject.data or "",
        body=form.body.data or "", user_id=current_user.id,
    )
    flash(f"Stage “{stage.name}” saved", "success")
    return redirect(url_for("chasers.cycle", cycle_id=stage.cycle_id))


@bp.route("/stages/<int:stage_id>/preview")
@manager_only
def preview_stage(stage_id: int) -> str:
    stage = _stage_or_404(stage_id)
    rows = chasers.cycle_chasing(db_session(), stage.cycle)
    return_id = request.args.get("return_id", type=db_int)
    chosen = chasers.return_of_stage(db_session(), stage, return_id) if return_id else None
    addressee = chasers.addressee_for(chosen) if chosen else None
    email = chasers.preview_email(stage, addressee, links=link_settings())
    return render_template("chasers/preview.html", stage=stage, rows=rows, chosen=chosen,
                           email=email)


@bp.route("/returns/<int:return_id>")
@manager_only
def history(return_id: int) -> str:
    return_ = _return_or_404(return_id)
    return render_template(
        "chasers/history.html", return_=return_, action=ConfirmForm(),
        chasers=chasers.chaser_history(db_session(), return_),
        stage_label=chasers.stage_label,
        stages=chasers.ensure_default_stages(db_session(), return_.cycle),
    )


@bp.route("/returns/<int:return_id>/chase", methods=["POST"])
@manager_only
def chase_one(return_id: int) -> Response:
    return_ = _return_or_404(return_id)
    if ConfirmForm().validate_on_submit():
        try:
            sent = chasers.send_adhoc_chaser(db_session(), return_, now=now(),
                                             links=link_settings(), user_id=current_user.id)
        except ServiceError as exc:
            flash(str(exc), "error")
        else:
            flash(f"Chaser sent to {', '.join(sent.recipients)}", "success")
    return redirect(url_for("chasers.history", return_id=return_.id))


def _cycle_or_404(cycle_id: int) -> Cycle:
    return cycles.get_cycle_by_id(db_session(), cycle_id, opened_only=True)


def _stage_or_404(stage_id: int) -> ChaserStage:
    return chasers.get_stage(db_session(), stage_id)


def _return_or_404(return_id: int) -> Return:
    return returns.get_return(db_session(), return_id, agency_id=None)
