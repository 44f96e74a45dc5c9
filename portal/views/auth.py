"""Sign in, sign out, set and reset passwords."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from forms.auth import ForgotPasswordForm, SetPasswordForm, SignInForm
from portal.access import public
from portal.db import db_session
from portal.services import accounts
from portal.services.common import ServiceError
from portal.views.helpers import client_ip, is_safe_next, link_settings, now
from portal.web import limiter

bp = Blueprint("auth", __name__)

HOME_FOR_ROLE = {
    "agency": "agency.home",
    "manager": "manager.home",
    "moderator": "moderation.home",
    "committee": "committee.home",
}


@bp.route("/")
@public
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for(HOME_FOR_ROLE[current_user.role]))
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def sign_in() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db_session(), form.email.data or "", form.password.data or "",
                                  now=now(), ip_address=client_ip())
        if user is not None:
            login_user(user)
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else url_for("auth.index"))  # type: ignore[arg-type]
        form.email.errors = ["Enter a correct email address and password"]
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out")
@public
def sign_out() -> Response:
    logout_user()
    flash("You have been signed out", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def set_password(token: str) -> Response | str:
    session = db_session()
    user = accounts.user_for_token(session, token, links=link_settings())
    if user is None:
        return render_template("auth/link_expired.html"), 410  # type: ignore[return-value]
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(session, user, form.password.data or "", form.confirm.data or "")
        except ServiceError as exc:
            form.password.errors = [str(exc)]
        else:
            logout_user()
            flash("Your password has been set. Sign in with your new password.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password() -> Response | str:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(db_session(), form.email.data or "",
                                     links=link_settings(), now=now())
        return render_template("auth/reset_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)
