"""The partnerships manager's pages: home, agency register, users."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.agencies import AgencyForm, CohortForm, ImportForm
from forms.common import ConfirmForm
from forms.users import RoleForm, UserForm
from portal.access import roles
from portal.auth import reauthenticated
from portal.db import db_session
from portal.models import Agency, Role, User
from portal.problems import show_problems, text_checked
from portal.scoping import current_scope
from portal.services import accounts, cycles, mail, overview, register
from portal.services.common import ImportRejected, ServiceError
from portal.services.register import import_agencies
from portal.views.helpers import db_int, link_settings, now, outcome_working_days

bp = Blueprint("manager", __name__, url_prefix="/manager")
manager_only = roles(Role.MANAGER)


@bp.route("/")
@manager_only
def home() -> str:
    session = db_session()
    return render_template("manager/home.html", cohort_sizes=register.cohort_sizes(session),
                           year=overview.year_at_a_glance(
                               session, now=now(), outcome_working_days=outcome_working_days()),
                           mail_pause=mail.current_pause(session),
                           outbox=mail.outbox_health(session), retry_form=ConfirmForm())


@bp.route("/mail/retry", methods=["POST"])
@manager_only
def mail_retry() -> Response:
    """Queue undelivered emails again; the mail worker or the next cron run sends them."""
    if ConfirmForm().validate_on_submit():
        count = mail.retry_undelivered(db_session(), now=now())
        flash(f"{count} {'email' if count == 1 else 'emails'} queued to be sent again", "success")
    return redirect(url_for("manager.home"))


@bp.route("/mail/retry-failed", methods=["POST"])
@manager_only
def mail_retry_failed() -> Response:
    """Queue failed emails again (the mail server refused them wrongly) and clear the bounces."""
    if ConfirmForm().validate_on_submit():
        count = mail.retry_failed(db_session(), now=now())
        flash(f"{count} {'email' if count == 1 else 'emails'} queued to be sent again", "success")
    return redirect(url_for("manager.home"))


@bp.route("/agencies", endpoint="agencies")
@manager_only
def agencies_list() -> str:
    session = db_session()
    filters = _filters_from_request()
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows, total = register.search_agencies(session, filters, page=page)
    return render_template(
        "manager/agencies.html", agencies=rows, total=total, filters=filters, page=page,
        page_size=register.PAGE_SIZE, sectors=register.sectors(session),
        cohort_sizes=register.cohort_sizes(session),
    )



def _filters_from_request() -> register.AgencyFilter:
    active = request.args.get("active", "yes")
    return register.AgencyFilter(
        query=request.args.get("q", "").strip()[:200],
        sector_id=request.args.get("sector", type=db_int),
        cohort=request.args.get("cohort") if request.args.get("cohort") in ("A", "B") else None,
        active={"yes": True, "no": False}.get(active),
    )


@bp.route("/agencies/new", methods=["GET", "POST"])
@text_checked
@manager_only
def agency_new() -> Response | str:
    session = db_session()
    form = AgencyForm()
    form.sector.choices = [(0, "Select a sector")] + [(s.id, s.name) for s in register.sectors(session)]
    if form.validate_on_submit():
        try:
            agency = register.add_agency(session, _details(form), user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="name")
        else:
            flash(f"{agency.name} added to cohort {agency.cohort}", "success")
            return redirect(url_for("manager.agency_detail", agency_id=agency.id))
    return render_template("manager/agency_form.html", form=form, agency=None,
                           smaller=register.smaller_cohort(session),
                           sectors=register.sectors(session))


def _details(form: AgencyForm) -> register.AgencyDetails:
    return register.AgencyDetails(
        name=form.name.data or "", sector_id=form.sector.data or 0,
        contact_name=form.contact_name.data or "", email=form.email.data or "",
        cohort=form.cohort.data or None, variant=form.variant.data or None,
        clear_bounce=bool(form.address_works.data),
    )


@bp.route("/agencies/<int:agency_id>")
@manager_only
def agency_detail(agency_id: int) -> str:
    agency = _agency_or_404(agency_id)
    return render_template("manager/agency_detail.html", agency=agency, form=ConfirmForm(),
                           history=cycles.agency_history(db_session(), agency.id))


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@text_checked
@manager_only
def agency_edit(agency_id: int) -> Response | str:
    session = db_session()
    agency = _agency_or_404(agency_id)
    contact = agency.primary_contact
    form = AgencyForm(data={
        "name": agency.name, "sector": agency.sector_id, "cohort": agency.cohort,
        "variant": agency.variant, "contact_name": contact.name if contact else "",
        "email": contact.email if contact else "",
    } if request.method == "GET" else None)
    form.sector.choices = [(s.id, s.name) for s in register.sectors(session)]
    form.cohort.choices = [c for c in form.cohort.choices if c[0]]
    if form.validate_on_submit():
        try:
            register.update_agency(session, agency, _details(form), user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="name")
        else:
            flash(f"{agency.name} updated", "success")
            return redirect(url_for("manager.agency_detail", agency_id=agency.id))
    return render_template("manager/agency_form.html", form=form, agency=agency, smaller=None)


@bp.route("/agencies/<int:agency_id>/cohort", methods=["GET", "POST"])
@manager_only
def agency_cohort(agency_id: int) -> Response | str:
    session = db_session()
    agency = _agency_or_404(agency_id)
    form = CohortForm(data={"cohort": agency.cohort} if request.method == "GET" else None)
    if form.validate_on_submit():
        register.move_cohort(session, agency, form.cohort.data or "", user_id=current_user.id)
        flash(f"{agency.name} is now in cohort {agency.cohort}", "success")
        return redirect(url_for("manager.agency_detail", agency_id=agency.id))
    return render_template("manager/agency_cohort.html", form=form, agency=agency,
                           cohort_sizes=register.cohort_sizes(session))


@bp.route("/agencies/<int:agency_id>/active", methods=["POST"])
@manager_only
def agency_active(agency_id: int) -> Response:
    agency = _agency_or_404(agency_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        register.set_active(db_session(), agency, not agency.active, user_id=current_user.id)
        flash(f"{agency.name} {'reactivated' if agency.active else 'deactivated'}", "success")
    return redirect(url_for("manager.agency_detail", agency_id=agency.id))


@bp.route("/agencies/import", methods=["GET", "POST"])
@manager_only
def agency_import() -> str | Response:
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        text = _read_upload(form)
        if text is None:
            form.file.errors = ["The selected file must be a CSV saved as UTF-8"]
        else:
            try:
                result = import_agencies(db_session(), text, user_id=current_user.id)
            except ImportRejected as exc:
                errors = exc.errors
            else:
                flash(f"{result.added} agencies imported", "success")
                return redirect(url_for("manager.agencies"))
    return render_template("manager/agency_import.html", form=form, errors=errors,
                           sectors=register.sectors(db_session()))


def _read_upload(form: ImportForm) -> str | None:
    try:
        return str(form.file.data.read().decode("utf-8-sig"))
    except UnicodeDecodeError:
        return None


def _agency_or_404(agency_id: int) -> Agency:
    return register.get_agency(db_session(), agency_id)


@bp.route("/users", endpoint="users")
@manager_only
def users_list() -> str:
    return render_template("manager/users.html",
                           users=accounts.list_users(db_session(), scope=current_scope()))


@bp.route("/users/<int:user_id>")
@manager_only
def user_detail(user_id: int) -> str:
    return render_template("manager/user_detail.html", user=_user_or_404(user_id),
                           form=ConfirmForm(),
                           factors=accounts.factors_of(db_session(), user_id))


@bp.route("/users/<int:user_id>/second-factor/reset", methods=["POST"])
@manager_only
@reauthenticated
def user_reset_factors(user_id: int) -> Response:
    """A lost phone: the user sets up a new second factor at their next sign-in."""
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            accounts.reset_factors(db_session(), user, by_user=current_user, now=now(),
                                   links=link_settings())
        except ServiceError as exc:
            flash(str(exc), "info")
        else:
            flash(f"{user.email}'s second factor is reset and they have been emailed. They will "
                  "set up a new one when they next sign in.", "success")
    return redirect(url_for("manager.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@manager_only
@reauthenticated
def user_active(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            accounts.set_active(db_session(), user, not user.active, by_user_id=current_user.id,
                                now=now())
        except ServiceError as exc:
            flash(str(exc), "info")
        else:
            flash(f"{user.email} {'reactivated' if user.active else 'deactivated'}", "success")
    return redirect(url_for("manager.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/link", methods=["POST"])
@manager_only
def user_link(user_id: int) -> Response:
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit() and user.active:
        accounts.send_password_link(db_session(), user, links=link_settings(), now=now(),
                                 new_account=user.password_hash is None)
        flash(f"We have emailed {user.email} a link to set a password", "success")
    return redirect(url_for("manager.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/role", methods=["GET", "POST"])
@text_checked
@manager_only
@reauthenticated
def user_role(user_id: int) -> Response | str:
    user = _user_or_404(user_id)
    form = RoleForm(data={"role": user.role, "agency": user.agency.name if user.agency else ""})
    if form.validate_on_submit():
        try:
            accounts.change_role(db_session(), user, role=form.role.data or "",
                                 agency_name=form.agency.data, by_user_id=current_user.id)
        except ServiceError as exc:
            show_problems(form, exc, default="role")
        else:
            flash(f"{user.email} is now: {user.role_enum.label}", "success")
            return redirect(url_for("manager.user_detail", user_id=user.id))
    return render_template("manager/user_role.html", user=user, form=form)


@bp.route("/users/unused")
@manager_only
def users_unused() -> str:
    return render_template("manager/users_unused.html", since=accounts.UNUSED_AFTER,
                           users=accounts.unused_accounts(db_session(), now=now(),
                                                                  scope=current_scope()))


def _user_or_404(user_id: int) -> User:
    return accounts.get_user(db_session(), user_id, scope=current_scope())


@bp.route("/users/new", methods=["GET", "POST"])
@text_checked
@manager_only
@reauthenticated
def user_new() -> Response | str:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                db_session(), email=form.email.data or "", role=form.role.data or "",
                name=form.name.data or "", agency_name=form.agency.data or None,
                links=link_settings(), now=now(), created_by_id=current_user.id,
                scope=current_scope(),
            )
        except ServiceError as exc:
            show_problems(form, exc, default="email")
        else:
            flash(f"User {user.email} created. We have emailed them a link to set a password.",
                  "success")
            return redirect(url_for("manager.users"))
    return render_template("manager/user_form.html", form=form)
