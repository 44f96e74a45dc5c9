"""Recording who did what."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent
from portal.services.common import bulk_insert


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    user_id: int | None = None,
    ip_address: str | None = None,
    partnership_id: int | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the session's transaction, to the log of `partnership_id` (the
    first partnership's until the callers are scoped: issue 28, step 2)."""
    event = AuditEvent(
        action=action, entity_type=entity_type, entity_id=entity_id, user_id=user_id,
        ip_address=ip_address, detail={k: _plain(v) for k, v in detail.items()},
    )
    if partnership_id is not None:
        event.partnership_id = partnership_id
    session.add(event)
    return event


def record_many(session: Session, events: list[dict[str, Any]], *, action: str, entity_type: str,
                user_id: int | None = None) -> None:
    """Many audit events of one kind in one INSERT; each dict holds entity_id and the detail."""
    bulk_insert(session, AuditEvent, (
        {"action": action, "entity_type": entity_type, "entity_id": e.pop("entity_id"),
         "user_id": user_id, "ip_address": None, "detail": {k: _plain(v) for k, v in e.items()}}
        for e in events))


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)
