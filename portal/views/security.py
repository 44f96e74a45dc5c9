"""The user's own account security: second factors, recovery codes, re-authenticating."""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.common import ConfirmForm
from forms.security import CodeForm, PasswordAgainForm, RecoveryCodeForm
from portal.access import signed_in
from portal.auth import (
    complete_second_factor,
    confirm_password_again,
    must_enrol,
    reauthenticated,
)
from portal.db import db_session
from portal.problems import show_problems
from portal.services import accounts, passkeys
from portal.services.common import ServiceError
from portal.views.helpers import is_safe_next, now
from portal.web import limiter

bp = Blueprint("security", __name__, url_prefix="/account/security")
ISSUER = "Compact Audit"


def next_or_home() -> str:
    target = request.args.get("next")
    return target if target and is_safe_next(target) else url_for("auth.index")


@bp.after_request
def never_cache(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # keys and recovery codes
    return response


@bp.route("")
@signed_in
def index() -> str:
    return render_template("security/index.html", form=None, confirm=ConfirmForm(),
                           factors=accounts.factors_of(db_session(), current_user.id),
                           required=must_enrol(current_user))


@bp.route("/set-up", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute", methods=["POST"])
def set_up() -> Response | str | tuple[str, int]:
    session = db_session()
    if accounts.has_factor(session, current_user.id):
        return redirect(url_for("security.index"))
    secret = accounts.pending_secret(session, current_user, now=now())
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = accounts.confirm_totp(session, current_user, form.code.data or "", now=now())
        except ServiceError as exc:
            show_problems(form, exc, default="code")
        else:
            complete_second_factor("totp")
            return render_template("security/recovery_codes.html", codes=codes, form=None,
                                   next=next_or_home(), first_time=True)
    uri = accounts.provisioning_uri(secret, email=current_user.email, issuer=ISSUER)
    return (render_template("security/set_up.html", form=form, key=accounts.grouped(secret),
                            qr=segno.make(uri, error="m").svg_data_uri(scale=4, border=2),
                            required=must_enrol(current_user)),
            400 if form.errors else 200)


@bp.route("/recovery-codes", methods=["POST"])
@signed_in
@reauthenticated
def recovery_codes() -> Response | str:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("security.index"))
    codes = accounts.regenerate_recovery_codes(db_session(), current_user, now=now())
    return render_template("security/recovery_codes.html", codes=codes, form=None,
                           next=url_for("security.index"), first_time=False)


@bp.route("/confirm", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute", methods=["POST"])
def reauthenticate() -> Response | str | tuple[str, int]:
    """Before a sensitive action: the second factor again (or the password, without one). An
    account whose only factor is a passkey confirms with the passkey: its password alone would
    be less than it signed in with."""
    session = db_session()
    has_totp = accounts.has_totp(session, current_user.id)
    has_passkey = passkeys.has_passkey(session, current_user.id)
    if has_passkey and not has_totp:
        return redirect(url_for("passkeys.second_factor", next=request.args.get("next")))
    recovery = has_totp and request.args.get("method") == "recovery"
    form = (RecoveryCodeForm() if recovery else CodeForm()) if has_totp else PasswordAgainForm()
    if form.validate_on_submit():
        try:
            passed = _passes(form, recovery=recovery)
        except ServiceError as exc:
            show_problems(form, exc, default=next(iter(form._fields)))
            return render_template("security/reauthenticate.html", form=form,
                                   recovery=recovery, has_totp=has_totp,
                                   has_passkey=has_passkey), 429
        if passed:
            return redirect(next_or_home())
    return (render_template("security/reauthenticate.html", form=form, recovery=recovery,
                            has_totp=has_totp, has_passkey=has_passkey),
            400 if form.errors else 200)


def _passes(form: CodeForm | RecoveryCodeForm | PasswordAgainForm, *, recovery: bool) -> bool:
    """Check what was entered; on success the session is freshly authenticated."""
    if isinstance(form, PasswordAgainForm):
        if accounts.verify_password(current_user.password_hash, form.password.data or ""):
            confirm_password_again()
            return True
        form.password.errors = ["Enter your correct password"]
        return False
    return check_code(form, recovery=recovery)


def check_code(form: CodeForm | RecoveryCodeForm, *, recovery: bool) -> bool:
    """A TOTP or recovery code for the signed-in user; marks the session on success."""
    code, session = form.code.data or "", db_session()
    use = accounts.use_recovery_code if recovery else accounts.verify_totp
    if use(session, current_user, code, now=now()):
        complete_second_factor("recovery" if recovery else "totp")
        if recovery:
            left = accounts.factors_of(session, current_user.id).recovery_left
            flash(f"You have {left} recovery code{'s' if left != 1 else ''} left. You can make "
                  "new ones on your account security page.", "info")
        return True
    form.code.errors = ["That recovery code is not right or has been used" if recovery else
                        "Enter the code your authenticator app shows now (each code works once)"]
    return False

