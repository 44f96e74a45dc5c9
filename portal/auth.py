"""Flask-Login wiring: the session cookie carries the random id of a server-side session row."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, request, session
from flask_login import LoginManager, logout_user
from flask_wtf.csrf import generate_csrf

from portal.db import db_session
from portal.models import User, utcnow
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
    return accounts.session_user(db_session(), token, now=utcnow(), idle=_idle())


def sign_in_user(user: User, *, second_factor: str | None = None) -> None:
    """Start a new session row and a new cookie session: a new id and a new CSRF token.

    `second_factor` names a factor proved in the same step ("passkey"). A minimal version of
    issue 29's contract for the passkeys branch: mfa29's MFA gate replaces it at the merge."""
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
    if second_factor:
        complete_second_factor(second_factor)


def complete_second_factor(method: str) -> None:
    """Mark the current session as having passed a second factor ("totp", "passkey", ...)."""
    session["second_factor"] = method


def second_factor_passed() -> bool:
    return bool(session.get("second_factor"))


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
