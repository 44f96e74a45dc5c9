"""Small things views share."""

from __future__ import annotations

from flask import current_app, request

from portal.models import utcnow
from portal.services.accounts import LinkSettings

now = utcnow


def link_settings() -> LinkSettings:
    return LinkSettings.from_config(current_app.config)


def client_ip() -> str | None:
    return request.remote_addr


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths are followed after sign-in."""
    return bool(target) and target.startswith("/") and not target.startswith("//")  # type: ignore[union-attr]
