"""A user's passkeys: list, rename, remove."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Passkey
from portal.services import audit
from portal.services.common import Invalid, NotFound, Problem

NAME_LIMIT = 100


def name_problem(name: str) -> str | None:
    if not name.strip():
        return "Enter a name for the passkey"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):  # sent as JSON: no form guard saw it
        return "The passkey's name must not contain control characters"
    if len(name.strip()) > NAME_LIMIT:
        return f"The passkey's name must be {NAME_LIMIT} characters or fewer"
    return None


def list_passkeys(session: Session, user_id: int) -> list[Passkey]:
    """The user's passkeys, oldest first."""
    return list(session.scalars(select(Passkey).where(Passkey.user_id == user_id)
                                .order_by(Passkey.created_at, Passkey.id)))


def has_passkey(session: Session, user_id: int) -> bool:
    return session.scalar(select(Passkey.id).where(Passkey.user_id == user_id).limit(1)) is not None


def get_passkey(session: Session, *, user_id: int, passkey_id: int) -> Passkey:
    """One of the user's own passkeys (another's is NotFound, as if it did not exist)."""
    passkey = session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user_id:
        raise NotFound("There is no such passkey on your account")
    return passkey


def rename_passkey(session: Session, *, user_id: int, passkey_id: int, name: str) -> Passkey:
    passkey = get_passkey(session, user_id=user_id, passkey_id=passkey_id)
    problem = name_problem(name)
    if problem:
        raise Invalid([Problem("name", problem)])
    passkey.name = name.strip()
    return passkey


def remove_passkey(session: Session, *, user_id: int, passkey_id: int, now: datetime,
                   ip_address: str | None = None) -> str:
    """Delete one of the user's passkeys (audited); its name, to say what was removed."""
    passkey = get_passkey(session, user_id=user_id, passkey_id=passkey_id)
    name = passkey.name
    session.delete(passkey)
    session.flush()
    audit.record(session, action="passkey.removed", entity_type="passkey", entity_id=passkey_id,
                 user_id=user_id, ip_address=ip_address, name=name, removed_at=now)
    return name

