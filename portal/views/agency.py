"""An agency's safeguarding lead: their returns, one page per standard, check, submit, files."""

from __future__ import annotations

from functools import partial

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.returns import (
    DeclarationForm,
    FieldError,
    PageShape,
    StandardForm,
    StartFromPreviousForm,
    UploadForm,
    read_standard,
)
from portal.access import roles
from portal.db import db_session
from portal.models import Agency, PublishedReport, Return, Role
from portal.problems import show_problems, text_checked
from portal.services import overview, reporting, returns
from portal.services.common import ImportRejected, Invalid, ServiceError
from portal.services.returns import (
    Conflict,
    ReadMark,
    ReturnLocked,
    SubmitProblem,
    SubmitRefused,
    confirmation_recipients,
    return_filename,
    save_standard,
    submit_problems,
    submit_return,
)
from portal.views import return_pages
from portal.views.helpers import link_settings, now, survey_settings

bp = Blueprint("agency", __name__, url_prefix="/agency")
agency_only = roles(Role.AGENCY)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONFIRM_COPIES = "confirm-copies"  # the page's "I have checked these copied answers" box
def _own_return(return_id: int) -> Return:
    return returns.get_return(db_session(), return_id, agency_id=current_user.agency_id)


@bp.route("/")
@agency_only
def home() -> str:
    s = db_session()
    return render_template("agency/home.html", agency=s.get(Agency, current_user.agency_id),
                           home=overview.agency_home(s, current_user.agency_id, now=now()))


@bp.route("/session")
@agency_only
def keep_alive() -> tuple[str, int]:
    """Called by the timeout warning's "stay signed in": the request itself renews the session."""
    return "", 204


@bp.route("/returns/<int:return_id>")
@agency_only
def return_page(return_id: int) -> str:
    return_ = _own_return(return_id)
    s = db_session()
    previous = returns.previous_return(s, return_)
    tasks = returns.task_list(s, return_)
    return render_template(
        "agency/return.html", return_=return_, tasks=tasks,
        progress=returns.tasks_progress(tasks), previous=previous,
        previous_form=StartFromPreviousForm(),
    )


@bp.route("/returns/<int:return_id>/previous", methods=["POST"])
@agency_only
def start_from_previous(return_id: int) -> Response:
    return_ = _own_return(return_id)
    if StartFromPreviousForm().validate_on_submit():
        try:
            copied = returns.start_from_previous(db_session(), return_,
                                                 user_id=current_user.id, now=now())
        except ServiceError as exc:
            flash(str(exc), "info")
        else:
            flash(_copied_message(return_, copied), "success")
    return redirect(url_for("agency.return_page", return_id=return_id))


def _copied_message(return_: Return, copied: returns.Copied) -> str:
    """What was copied, by the numbers the agency sees, and which actions need a new date."""
    pages = returns.return_pages(db_session(), return_)
    number = pages[0].number if pages else str
    if not copied.codes:
        return f"Nothing to copy: every question your {copied.cycle} return answered is " \
               "already answered here."
    listed = ", ".join(number(code) for code in copied.codes)
    text = (f"{len(copied.codes)} {'answer' if len(copied.codes) == 1 else 'answers'} copied "
            f"from your {copied.cycle} return: {'question' if len(copied.codes) == 1 else 'questions'} "
            f"{listed}. Each is marked \u201ccopied from {copied.cycle}, check it\u201d until you "
            "confirm it or change it on its page. You cannot submit before then.")
    if copied.undated:
        text += (" The date has passed for the action on "
                 f"{', '.join('question ' + number(code) for code in copied.undated)}: "
                 "enter a new date.")
    return text


@bp.route("/returns/<int:return_id>/standards/<code>", methods=["GET", "POST"])
@text_checked
@agency_only
def standard(return_id: int, code: str) -> Response | str | tuple[str, int]:
    return_ = _own_return(return_id)
    if return_.is_submitted:
        flash("This return has been submitted, so its answers cannot change.", "info")
        return redirect(url_for("agency.return_page", return_id=return_id))
    parts = returns.return_pages(db_session(), return_)
    part = returns.find_part(parts, code)
    page = return_pages.StandardPage(return_, parts, part)
    form = StandardForm()
    if form.validate_on_submit():
        return _save(page, form)
    return page.render(StandardForm(formdata=None, data=page.mark_data()), fresh=True)


def _save(page: return_pages.StandardPage, form: StandardForm) -> Response | tuple[str, int]:
    part = page.part
    shape = PageShape(tuple(part.codes()), part.overall_evidence) if part.grouped else None
    data, errors = read_standard([q.code for q in part.questions], request.form,
                                 numbers=part.numbers, shape=shape)
    try:
        if errors:  # a date that is not a date: shown with what else the rules say is wrong
            raise Invalid(returns.standard_problems(part, data))
        save_standard(db_session(), page.return_, part, data,
                      read=ReadMark(form.version.data or 0, form.digest.data or ""),
                      user_id=current_user.id, now=now(),
                      confirm_copies=request.form.get(CONFIRM_COPIES) == "yes")
    except Invalid as exc:
        return page.render(form, values=request.form, errors=_merged(errors, exc)), 400
    except Conflict as conflict:
        form = StandardForm(formdata=None, data={"version": conflict.mark.version,
                                                 "digest": conflict.mark.digest})
        return page.render(form, values=request.form, conflict=conflict), 409
    except ReturnLocked as exc:
        flash(str(exc), "info")
        return redirect(url_for("agency.return_page", return_id=page.return_.id))
    if request.form.get("action") == "continue":
        return redirect(page.next_url())
    name = part.title or f"Standard {part.standard.code}: {part.standard.title}"
    flash(f"{name} is saved. You can come back to it at any time before you submit.", "success")
    return redirect(url_for("agency.return_page", return_id=page.return_.id))


def _merged(errors: list[FieldError], exc: Invalid) -> list[FieldError]:
    """The form's own errors (dates) and the service's problems on the other fields, in the
    order of the page's fields."""
    taken = {e.field_id for e in errors}
    merged = errors + [FieldError(p.field or "", p.message) for p in exc.problems
                       if p.field not in taken]
    order = {name: index for index, name in enumerate(request.form)}  # the page's order
    return sorted(merged, key=lambda e: order.get(e.field_id, len(order)))


@bp.route("/returns/<int:return_id>/check", methods=["GET", "POST"])
@text_checked
@agency_only
def check(return_id: int) -> Response | str | tuple[str, int]:
    return_ = _own_return(return_id)
    s = db_session()
    if return_.is_submitted:
        return _check_page(return_, None, [], fresh=False)
    form = DeclarationForm()
    problems: list[SubmitProblem] = []
    if form.validate_on_submit():
        try:
            from portal.reports.return_pdf import (
                render_return_pdf,  # lazily: reportlab loads on the first PDF, not at start-up
            )

            links = link_settings()
            submit_return(s, return_, user=current_user, declaration_name=form.name.data or "",
                          declaration_role=form.role.data or "",
                          read_version=form.version.data or 0, links=links,
                          render_copy=partial(render_return_pdf, partnership=links.partnership),
                          now=now(), republish=partial(_republish, return_))
        except SubmitRefused as exc:
            problems = exc.problems
        except Invalid as exc:
            show_problems(form, exc)
        except ServiceError as exc:
            flash(str(exc), "info")
            return redirect(url_for("agency.check", return_id=return_id))
        else:
            return redirect(url_for("agency.submitted", return_id=return_id))
    elif request.method == "POST":  # list what is unfinished now, not after the name is fixed
        problems = submit_problems(s, return_)
    if request.method == "GET":
        form.version.data = return_.version
        form.name.data = form.name.data or current_user.name
    return (_check_page(return_, form, problems, fresh=request.method == "GET"),
            400 if problems or form.errors else 200)


def _republish(return_: Return, reason: str) -> PublishedReport | None:
    """Publish the return's closed cycle's figures again, if they changed (reporting sits above
    returns, so the edge hands the returns service this step)."""
    session = db_session()
    if not reporting.unpublished_changes(session, return_.cycle):
        return None
    return reporting.republish(session, return_.cycle, reason=reason, now=now(),
                               survey_settings=survey_settings())


def _check_page(return_: Return, form: DeclarationForm | None,
                problems: list[SubmitProblem], *, fresh: bool) -> str:
    s = db_session()
    return render_template(
        "agency/check.html", return_=return_, document=returns.return_document(s, return_),
        declaration=form, problems=problems, fresh=fresh,
        unconfirmed=[] if return_.is_submitted else returns.unconfirmed_copies(s, return_),
        progress=returns.progress(s, [return_.id])[return_.id],
    )


@bp.route("/returns/<int:return_id>/submitted")
@agency_only
def submitted(return_id: int) -> str:
    return_ = returns.submitted_return(db_session(), return_id, agency_id=current_user.agency_id)
    recipients = sorted(confirmation_recipients(return_, current_user))
    return render_template("agency/submitted.html", return_=return_, recipients=recipients)


@bp.route("/returns/<int:return_id>/pdf")
@agency_only
def pdf(return_id: int) -> Response:
    from portal.reports.return_pdf import (
        render_return_pdf,  # lazily: reportlab loads on the first PDF, not at start-up
    )

    return_ = _own_return(return_id)
    content = render_return_pdf(returns.return_document(db_session(), return_),
                                partnership=link_settings().partnership)
    return return_pages.download(content, return_filename(return_), "application/pdf")


@bp.route("/returns/<int:return_id>/spreadsheet")
@agency_only
def spreadsheet(return_id: int) -> Response:
    return_ = _own_return(return_id)
    content = returns.return_workbook(db_session(), return_)
    name = return_filename(return_, "xlsx")
    return return_pages.download(content, name, XLSX)


@bp.route("/returns/<int:return_id>/spreadsheet/upload", methods=["GET", "POST"])
@agency_only
def upload(return_id: int) -> Response | str | tuple[str, int]:
    return_ = returns.editable_return(db_session(), return_id, agency_id=current_user.agency_id)
    form = UploadForm()
    errors = []
    if form.validate_on_submit():
        try:
            answered = returns.read_workbook(db_session(), return_, form.file.data.read(),
                                                 user_id=current_user.id, now=now())
        except ImportRejected as exc:
            errors = exc.errors
        except ServiceError as exc:
            form.file.errors = [str(exc)]
        else:
            flash(f"Your spreadsheet is uploaded: {answered} questions answered.", "success")
            return redirect(url_for("agency.return_page", return_id=return_id))
    status = 400 if errors or form.errors else 200
    return render_template("agency/upload.html", return_=return_, form=form,
                           errors=errors), status

