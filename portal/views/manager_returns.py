"""The manager's view of submitted returns: find one, download its copy, reopen it with a reason."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.returns import ReopenForm
from portal.access import roles
from portal.auth import reauthenticated
from portal.db import db_session
from portal.models import CycleStatus, Return, ReturnStatus, Role
from portal.problems import show_problems, text_checked
from portal.services import returns
from portal.services.common import ServiceError
from portal.services.returns import reopen_return, return_filename
from portal.views.helpers import db_int, link_settings, now
from portal.views.return_pages import download

bp = Blueprint("manager_returns", __name__, url_prefix="/manager/returns")
manager_only = roles(Role.MANAGER)
PAGE_SIZE = 100


def _return_or_404(return_id: int) -> Return:
    return returns.get_return(db_session(), return_id, agency_id=None)


@bp.route("/")
@manager_only
def index() -> str:
    text = request.args.get("q", "").strip()[:200]
    page = max(request.args.get("page", 1, type=db_int), 1)
    found, total = returns.find_returns(db_session(), text=text, page=page, limit=PAGE_SIZE,
                                        status=ReturnStatus.SUBMITTED.value)
    return render_template("manager_returns/index.html", returns=found, q=text, page=page,
                           total=total, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


@bp.route("/<int:return_id>/reopen", methods=["GET", "POST"])
@text_checked
@manager_only
@reauthenticated
def reopen(return_id: int) -> Response | str:
    return_ = _return_or_404(return_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen_return(db_session(), return_, reason=form.reason.data or "",
                          user_id=current_user.id, now=now(), links=link_settings(),
                          effect_confirmed=bool(form.understood.data),
                          republish=form.republish_choice())
        except ServiceError as exc:
            show_problems(form, exc, default="reason")
        else:
            flash(f"{return_.agency.name}'s {return_.cycle.label} return is reopened. "
                  "The agency can change it and submit it again.", "success")
            return redirect(url_for("manager_returns.index"))
    return render_template("manager_returns/reopen.html", return_=return_, form=form,
                           closed=return_.cycle.status == CycleStatus.CLOSED.value)


@bp.route("/<int:return_id>/pdf")
@manager_only
def pdf(return_id: int) -> Response:
    from portal.reports.return_pdf import (
        render_return_pdf,  # lazily: reportlab loads on the first PDF, not at start-up
    )

    return_ = _return_or_404(return_id)
    content = render_return_pdf(returns.return_document(db_session(), return_),
                                partnership=link_settings().partnership)
    return download(content, return_filename(return_), "application/pdf")
