"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._lifecycle import UNUSED_AFTER, change_role, unused_accounts
from ._passwords import hash_password, password_problem, verify_password
from ._sessions import (
    active_sessions,
    end_all_sessions,
    end_other_session,
    end_session,
    is_current,
    session_user,
    start_session,
)
from ._throttle import Policy, clear_attempts, is_blocked, record_attempt
from ._users import (
    LinkSettings,
    SignInThrottled,
    authenticate,
    create_user,
    find_user,
    get_user,
    list_users,
    password_link,
    password_link_email,
    request_password_reset,
    send_password_link,
    set_active,
    set_password,
    user_for_token,
)

__all__ = [
    "UNUSED_AFTER",
    "LinkSettings",
    "Policy",
    "SignInThrottled",
    "active_sessions",
    "authenticate",
    "change_role",
    "clear_attempts",
    "create_user",
    "end_all_sessions",
    "end_other_session",
    "end_session",
    "find_user",
    "get_user",
    "hash_password",
    "is_blocked",
    "is_current",
    "list_users",
    "password_link",
    "password_link_email",
    "password_problem",
    "record_attempt",
    "request_password_reset",
    "send_password_link",
    "session_user",
    "set_active",
    "set_password",
    "start_session",
    "unused_accounts",
    "user_for_token",
    "verify_password",
]
