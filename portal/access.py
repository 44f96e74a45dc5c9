"""Every route declares who may use it: @public or @roles(...)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.auth import login_manager, owes_second_factor
from portal.db import db_session
from portal.models import Role
from portal.services import accounts

F = TypeVar("F", bound=Callable[..., Any])
ACCESS_ATTRIBUTE = "_portal_access"
# Endpoints a session that has not passed its second factor may still reach (besides public
# ones): proving the factor, with a code or a passkey, and signing out.
BEFORE_SECOND_FACTOR = frozenset({
    "auth.second_factor", "auth.sign_out", "passkeys.second_factor",
    "passkeys.second_factor_options", "passkeys.verify_second_factor"})
# Setting up a first factor (an authenticator app or a passkey): only while the account has
# none, or a stolen password could add the thief's own factor and skip the real one.
ENROLMENT = frozenset({"security.set_up", "passkeys.index", "passkeys.registration_options",
                       "passkeys.add"})


def public(view: F) -> F:
    """Anyone, signed in or not, may use this view (sign-in pages, assets, health check)."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def roles(*allowed: Role, operator: bool = False) -> Callable[[F], F]:
    """Only signed-in users with one of these roles in the request's partnership (and, with
    `operator`, the service's operator); others get 403 (or the sign-in page)."""
    names = {r.value for r in allowed}

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in names and not (operator and current_user.is_operator):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, f"roles:{','.join(sorted(names))}")
        return wrapper  # type: ignore[return-value]

    return decorate


def signed_in(view: F) -> F:
    """Any signed-in person with a role in the request's partnership, and the operator (their
    own pages: security, passkeys)."""
    return roles(*Role, operator=True)(view)


def access_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def second_factor_gate() -> Response | None:
    """Before every request: a session that still owes its second factor goes to it (or to
    setting one up) from every page but those it needs to get there."""
    # public pages first: they are open to anyone, so the user need not be loaded for them
    if _public_endpoint() or not owes_second_factor() or _open_before_second_factor():
        return None
    nxt = request.full_path.rstrip("?") if request.method == "GET" else None
    if accounts.has_factor(db_session(), current_user.id):
        return redirect(url_for("auth.second_factor", next=nxt))
    return redirect(url_for("security.set_up", next=nxt))


def membership_gate() -> None:
    """Before every request, after the second-factor gate: a signed-in person with no role in
    the request's partnership (no membership there) and who is not the operator reaches only
    public pages and signing out; anything else is 403. (`roles` refuses them too, as their
    role reads as none: this makes the rule one place, as routing by partnership arrives.)"""
    if _public_endpoint() or request.endpoint == "auth.sign_out":
        return
    if not current_user.is_authenticated or owes_second_factor():
        return
    if current_user.membership is None and not current_user.is_operator:
        abort(403)


def _public_endpoint() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return view is not None and access_of(view) == "public"


def _open_before_second_factor() -> bool:
    endpoint = request.endpoint or ""
    if endpoint in BEFORE_SECOND_FACTOR:
        return True
    if endpoint in ENROLMENT:
        return not accounts.has_factor(db_session(), current_user.id)
    view = current_app.view_functions.get(endpoint)
    return view is None or access_of(view) == "public"


def register_second_factor_gate(app: Flask) -> None:
    app.before_request(second_factor_gate)
    app.before_request(membership_gate)
