"""Sign in, sign out (and end other sessions), set and reset passwords."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from forms.auth import ForgotPasswordForm, SetPasswordForm, SignInForm, SignOutForm
from forms.security import CodeForm, RecoveryCodeForm
from portal.access import public, signed_in
from portal.auth import current_session_token, owes_second_factor, sign_in_user, sign_out_user
from portal.db import db_session
from portal.problems import show_problems
from portal.services import accounts, sso
from portal.services.common import ServiceError
from portal.views.helpers import client_ip, is_safe_next, link_settings, now
from portal.views.security import check_code, next_or_home
from portal.views.sso import PROVIDER_KEY as SSO_PROVIDER_KEY
from portal.views.sso import SIGNED_OUT_KEY as SSO_SIGNED_OUT_KEY
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
        home = HOME_FOR_ROLE.get(current_user.role)
        if home is None:  # no role in this partnership (access.membership_gate)
            abort(403)
        return redirect(url_for(home))
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def sign_in() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("auth.index"))
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db_session(), form.email.data or "",
                                         form.password.data or "", now=now(),
                                         ip_address=client_ip())
        except accounts.SignInThrottled as exc:
            show_problems(form, exc, default="email")
            return render_template("auth/sign_in.html", form=form), 429
        if user is not None:
            sign_in_user(user)
            target = request.args.get("next")
            return redirect(target if target and is_safe_next(target) else url_for("auth.index"))
        form.email.errors = ["Enter a correct email address and password"]
    return render_template("auth/sign_in.html", form=form,
                           organisation_accounts=bool(sso.list_providers(db_session())))


@bp.route("/sign-in/second-factor", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per minute", methods=["POST"])
def second_factor() -> Response | str | tuple[str, int]:
    """After the password: a code from the authenticator app, or a recovery code."""
    if not owes_second_factor():
        return redirect(next_or_home())
    factors = accounts.factors_of(db_session(), current_user.id)
    if not factors.totp:
        to = "passkeys.second_factor" if factors.passkeys else "security.set_up"
        return redirect(url_for(to, next=request.args.get("next")))
    recovery = request.args.get("method") == "recovery"
    form = RecoveryCodeForm() if recovery else CodeForm()
    if form.validate_on_submit():
        try:
            if check_code(form, recovery=recovery):
                return redirect(next_or_home())
        except accounts.SecondFactorThrottled as exc:
            show_problems(form, exc, default="code")
            return render_template("auth/second_factor.html", form=form, recovery=recovery,
                                   passkeys=factors.passkeys), 429
    return (render_template("auth/second_factor.html", form=form, recovery=recovery,
                            passkeys=factors.passkeys), 400 if form.errors else 200)


@bp.route("/sign-out", methods=["GET", "POST"])
@public
def sign_out() -> Response | str:
    """GET shows the button (and the user's other sessions); only a POST signs out."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    form = SignOutForm()
    if form.validate_on_submit():
        provider = session.get(SSO_PROVIDER_KEY)
        sign_out_user()
        if provider:  # signed in with an identity provider: offer to sign out of it too
            session[SSO_SIGNED_OUT_KEY] = provider
            return redirect(url_for("sso.signed_out"))
        flash("You have been signed out", "success")
        return redirect(url_for("auth.sign_in"))
    idle = timedelta(minutes=current_app.config["SESSION_TIMEOUT_MINUTES"])
    sessions = accounts.active_sessions(db_session(), user_id=current_user.id, now=now(),
                                        idle=idle)
    token = current_session_token()
    return render_template("auth/sign_out.html", form=form, sessions=sessions,
                           current=[s.id for s in sessions if accounts.is_current(s, token)])


@bp.route("/sessions/<int:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id: int) -> Response:
    if SignOutForm().validate_on_submit():
        ended = accounts.end_other_session(db_session(), user_id=current_user.id,
                                           session_id=session_id, now=now())
        if ended:
            flash("That session has been signed out", "success")
    return redirect(url_for("auth.sign_out"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def set_password(token: str) -> Response | tuple[str, int]:
    session = db_session()
    user = accounts.user_for_token(session, token, links=link_settings())
    if user is None:
        return render_template("auth/link_expired.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password(session, user, form.password.data or "",
                                  form.confirm.data or "", now=now(),
                                  partnership=link_settings().partnership)
        except ServiceError as exc:
            show_problems(form, exc, default="password")
        else:
            sign_out_user()
            sign_in_user(user)  # the new password ended every session: start a fresh one
            flash("Your password has been set and you are signed in.", "success")
            return redirect(url_for("auth.index"))
    return (render_template("auth/set_password.html", form=form, user=user),
            400 if form.errors else 200)


@bp.after_request
def never_cache_auth_pages(response: Response) -> Response:
    """Sign-in and password pages (their links are secrets) are never stored by a browser."""
    response.headers["Cache-Control"] = "no-store"
    return response


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
