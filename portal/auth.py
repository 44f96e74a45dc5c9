"""Flask-Login wiring: the session cookie carries the random id of a server-side session row.

The second factor: a signed-in session of a user who needs one (`accounts.must_enrol`, or who
chose one) reaches only the second-factor and set-up pages, sign-out and public pages until it
has passed it (the gate in portal.access). Sensitive actions also need it to be recent (`reauthenticated`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import generate_csrf

from portal.db import db_session
from portal.models import User, utcnow
from portal.scoping import current_scope
from portal.services import accounts

login_manager = LoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
login_manager.session_protection = None  # the server-side session row is the protection


def _idle() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_TIMEOUT_MINUTES"])


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The session's user, placed in the request's partnership (`current_scope()`): their role
    there, or none (`access.membership_gate` then refuses every page but their own)."""
    return accounts.session_user(db_session(), token, now=utcnow(), idle=_idle(),
                                 scope=current_scope())


F = TypeVar("F", bound=Callable[..., Any])


def sign_in_user(user: User, *, second_factor: str | None = None) -> None:
    """Start a new session row and a new cookie session: a new id and a new CSRF token.

    `second_factor` names a factor already proved in the same step ("passkey", "sso"); None
    means the password only, so a user who needs a second factor is asked for it next."""
    session.clear()
    # The CSRF token now, not on the first page with a form: a request running alongside that
    # page (the favicon) would send the cookie back without it and undo it (a passkey's
    # options post then failed with "The CSRF session token is missing").
    generate_csrf()
    token = accounts.start_session(
        db_session(), user, now=utcnow(),
        lifetime=timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
        ip_address=request.remote_addr, user_agent=request.headers.get("User-Agent", ""))
    session["_user_id"] = token
    session["_fresh"] = True
    session.permanent = True
    session["mfa_needed"] = must_enrol(user) or accounts.has_factor(db_session(), user.id)
    if second_factor:
        complete_second_factor(second_factor)
    elif not session["mfa_needed"]:
        session["authenticated_at"] = _stamp(utcnow())  # the password is all they have


def must_enrol(user: User) -> bool:
    """A second factor is required of the person (one sign-in serves all their partnerships)
    who has a staff role in any partnership, and of the operator."""
    return user.is_operator or any(accounts.must_enrol(m.role) for m in user.memberships)


def complete_second_factor(method: str) -> None:
    """This session has passed a second factor ("totp", "recovery", "passkey", "sso") now."""
    session["second_factor"] = method
    session["authenticated_at"] = _stamp(utcnow())


def second_factor_passed() -> bool:
    return bool(session.get("second_factor"))


def owes_second_factor() -> bool:
    """Signed in with the password, and a second factor is still to come."""
    if not current_user.is_authenticated or second_factor_passed():
        return False
    if session.get("mfa_needed") is None:  # a session from before second factors existed
        session["mfa_needed"] = must_enrol(current_user) or accounts.has_factor(
            db_session(), current_user.id)
    return bool(session["mfa_needed"])


def confirm_password_again() -> None:
    """A user without a second factor re-entered their password (the re-authenticate page)."""
    session["authenticated_at"] = _stamp(utcnow())


def recently_authenticated(*, now: datetime) -> bool:
    """A second factor (or, for users without one, the password) within REAUTHENTICATE_MINUTES."""
    stamp = session.get("authenticated_at")
    if not stamp:
        return False
    window = timedelta(minutes=current_app.config["REAUTHENTICATE_MINUTES"])
    return now - datetime.fromisoformat(stamp) <= window


def _stamp(moment: datetime) -> str:
    return moment.isoformat()


def reauthenticated(view: F) -> F:
    """Sensitive actions (publishing, reopening, changing users, exporting every return): without
    a recent second factor, to the re-authenticate page, which comes back here (for a POST, to
    the page the form was on, since a form cannot be sent again by a redirect)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated and not recently_authenticated(now=utcnow()):
            back = request.full_path if request.method == "GET" else _form_page()
            return redirect(url_for("security.reauthenticate", next=back.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _form_page() -> str:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("auth.index")


def current_session_token() -> str:
    return str(session.get("_user_id") or "")


def sign_out_user() -> None:
    """Revoke this session's row and forget the cookie's contents."""
    token = current_session_token()
    if token:
        accounts.end_session(db_session(), token, now=utcnow())
    logout_user()
    session.clear()


def register_login(app: Flask) -> None:
    login_manager.init_app(app)
