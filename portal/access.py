"""Every route declares who may use it: @public or @roles(...)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from portal.models import Role

F = TypeVar("F", bound=Callable[..., Any])
ACCESS_ATTRIBUTE = "_portal_access"


def public(view: F) -> F:
    """Anyone, signed in or not, may use this view (sign-in pages, assets, health check)."""
    setattr(view, ACCESS_ATTRIBUTE, "public")
    return view


def roles(*allowed: Role) -> Callable[[F], F]:
    """Only signed-in users with one of these roles; others get 403 (or the sign-in page)."""
    names = {r.value for r in allowed}

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from portal.auth import login_manager

                return login_manager.unauthorized()
            if current_user.role not in names:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, f"roles:{','.join(sorted(names))}")
        return wrapper  # type: ignore[return-value]

    return decorate


def signed_in(view: F) -> F:
    """Any signed-in user."""
    return roles(*Role)(view)


def access_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)
