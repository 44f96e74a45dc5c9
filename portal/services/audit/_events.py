"""Recording who did what."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    user_id: int | None = None,
    ip_address: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session's transaction."""
    event = AuditEvent(
        action=action, entity_type=entity_type, entity_id=entity_id, user_id=user_id,
        ip_address=ip_address, detail={k: _plain(v) for k, v in detail.items()},
    )
    session.add(event)
    return event


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)
