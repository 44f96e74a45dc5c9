"""Information requests: the manager sends them and reads the answers; the committee reads too."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.requests import RequestForm
from portal.access import roles
from portal.db import db_session
from portal.downloads import attachment
from portal.models import Role
from portal.problems import text_checked
from portal.services import recommendations, register, requests
from portal.services.common import NotFound
from portal.services.requests import NewQuestion, NewRequest, RequestRejected
from portal.views.helpers import link_settings, now, shown_message

bp = Blueprint("requests", __name__, url_prefix="/requests")
manager_only = roles(Role.MANAGER)
readers = roles(Role.MANAGER, Role.COMMITTEE)


@bp.route("/")
@readers
def index() -> str:
    return render_template("requests/index.html", requests=requests.list_requests(db_session()),
                           answered=requests.answered_count)


@bp.route("/new", methods=["GET", "POST"])
@text_checked
@manager_only
def new() -> Response | str:
    """The form, then the preview of every email it would send, then sending (the send button
    carries the preview's digest, so what goes is what was shown)."""
    session = db_session()
    form = _form(session)
    preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("previewed"):
                return _send(_new_request(form), request.form["previewed"])
            preview = requests.preview_request(session, _new_request(form), now=now(),
                                               links=link_settings())
        except requests.PreviewOutdated as exc:
            flash(str(exc), "error")
            preview = exc.preview
        except RequestRejected as exc:
            form[exc.field or "title"].errors = [str(exc)]
    return render_template("requests/new.html", form=form, preview=preview,
                           shown=shown_message(), linkable=False)


def _form(session: Any) -> RequestForm:
    form = RequestForm()
    form.sector.choices = [("", "Choose a sector")] + [
        (str(s.id), s.name) for s in register.sectors(session)]
    form.recommendation.choices = [("", "None")] + [
        (str(r.id), f"{r.cycle.label}: {r.text[:80]}")
        for r in recommendations.list_recommendations(session)]
    if request.method == "GET" and request.args.get("recommendation"):
        form.recommendation.data = request.args["recommendation"]
    return form


def _send(new: NewRequest, previewed: str) -> Response:
    made = requests.send_request(db_session(), new, now=now(), links=link_settings(),
                                 user_id=current_user.id, previewed=previewed)
    flash(f"Request sent to {len(made.recipients)} agencies", "success")
    return redirect(url_for("requests.detail", request_id=made.id))


def _new_request(form: RequestForm) -> NewRequest:
    questions = [NewQuestion(text=text.data or "", kind=kind.data or "",
                             choices=(choices.data or "").splitlines())
                 for _, text, kind, choices in form.question_fields()]
    return NewRequest(
        title=form.title.data or "", introduction=form.introduction.data or "",
        signatory=form.signatory.data or "", deadline=form.deadline.data,
        audience=form.audience.data or "", questions=questions,
        sector_id=int(form.sector.data) if form.sector.data else None,
        agency_names=(form.agencies.data or "").splitlines(),
        recommendation_id=int(form.recommendation.data) if form.recommendation.data else None,
    )


@bp.route("/<int:request_id>")
@readers
def detail(request_id: int) -> str:
    session = db_session()
    found = requests.get_request(session, request_id)
    data = requests.responses(session, found)
    return render_template("requests/detail.html", request_=found, data=data,
                           closed=requests.is_closed(found, now=now()))


@bp.route("/<int:request_id>/responses.<fmt>")
@readers
def download(request_id: int, fmt: str) -> Response:
    from portal.reports import request_exports  # lazily: openpyxl and reportlab load on use

    session = db_session()
    found = requests.get_request(session, request_id)
    data = requests.responses(session, found)
    if fmt == "pdf":
        content = request_exports.render_pdf(data, partnership=current_app.config["PARTNERSHIP_NAME"])
        mimetype = "application/pdf"
    elif fmt in request_exports.FORMATS:
        mimetype, render = request_exports.FORMATS[fmt]
        content = render(data)
    else:
        raise NotFound(f"There is no {fmt} download of a request's responses")
    return attachment(content, mimetype, "request", found.id, "responses", extension=fmt)
