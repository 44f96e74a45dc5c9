"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._passwords import hash_password, verify_password
from ._stash import stash_form, take_stash
from ._users import (
    LinkSettings,
    authenticate,
    create_user,
    get_user,
    list_users,
    password_link_email,
    request_password_reset,
    send_password_link,
    set_active,
    set_password,
    user_for_token,
)

__all__ = [
    "LinkSettings",
    "authenticate",
    "create_user",
    "get_user",
    "hash_password",
    "list_users",
    "password_link_email",
    "request_password_reset",
    "send_password_link",
    "set_active",
    "set_password",
    "stash_form",
    "take_stash",
    "user_for_token",
    "verify_password",
]
