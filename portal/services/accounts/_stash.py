"""Input posted after the session expired, kept server-side until the user signs in again."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models import FormStash

KEEP_FOR = timedelta(days=1)


def stash_form(session: Session, *, path: str, data: dict[str, str], now: datetime) -> str:
    """Keep a form's fields for the page at `path`; returns the token that gets them back."""
    session.execute(delete(FormStash).where(FormStash.created_at < now - KEEP_FOR))
    token = secrets.token_urlsafe(32)
    session.add(FormStash(token=token, path=path[:500], data=data, created_at=now))
    session.flush()
    return token


def take_stash(session: Session, token: str, *, path: str, now: datetime) -> dict[str, str] | None:
    """The fields kept under `token` for this page (once: they are then forgotten), or None."""
    row = session.scalar(select(FormStash).where(FormStash.token == token))
    if row is None or row.path != path or row.created_at < now - KEEP_FOR:
        return None
    data = {str(k): str(v) for k, v in row.data.items()}
    session.delete(row)
    session.flush()
    return data
