"""An agency's information requests: the list and the form that answers one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.requests import answer_form_class
from portal.access import roles
from portal.db import db_session
from portal.models import Role
from portal.problems import text_checked
from portal.services import requests
from portal.services.requests import RequestRejected
from portal.views.helpers import now

bp = Blueprint("agency_requests", __name__, url_prefix="/agency/requests")
agency_only = roles(Role.AGENCY)


@bp.route("/")
@agency_only
def index() -> str:
    found = requests.requests_for_agency(db_session(), current_user.agency_id)
    return render_template("agency_requests/index.html", recipients=found,
                           is_closed=lambda r: requests.is_closed(r, now=now()))


@bp.route("/<int:request_id>", methods=["GET", "POST"])
@text_checked
@agency_only
def answer(request_id: int) -> Response | str:
    session = db_session()
    recipient = requests.recipient_for(session, request_id, agency_id=current_user.agency_id)
    found = recipient.request
    form = answer_form_class(found.questions)()
    if request.method == "GET":
        for a in recipient.answers:
            form[f"q_{a.question_id}"].data = a.value
    closed = requests.is_closed(found, now=now())
    if form.validate_on_submit():
        values = {q.id: form[f"q_{q.id}"].data or "" for q in found.questions}
        try:
            requests.answer_request(session, recipient, values, now=now(),
                                    user_id=current_user.id)
        except RequestRejected as exc:
            if exc.field is None:
                flash(str(exc), "error")
                return redirect(url_for("agency_requests.answer", request_id=request_id))
            form[exc.field].errors = [str(exc)]
        else:
            flash(f"Your answers to “{found.title}” have been sent", "success")
            return redirect(url_for("agency_requests.index"))
    return render_template("agency_requests/answer.html", form=form, request_=found,
                           recipient=recipient, closed=closed,
                           questions=[form[f"q_{q.id}"] for q in found.questions])
