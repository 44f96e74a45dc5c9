"""Sign-in sessions as records: a random id in the cookie, its hash and lifetimes in the database."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select, update
from sqlalchemy.orm import Session, contains_eager, joinedload

from portal.models import PartnershipMember, User, UserSession
from portal.services.common import Scope

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most once a minute
KEEP_ENDED_FOR = timedelta(days=30)  # ended sessions stay listed this long, then go (the audit
# log keeps every sign-in for as long as the partnership keeps it)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: User, *, now: datetime, lifetime: timedelta,
                  ip_address: str | None = None, user_agent: str = "") -> str:
    """A new session for `user`; returns the random id the cookie carries (never stored)."""
    session.execute(delete(UserSession).where(UserSession.expires_at < now - KEEP_ENDED_FOR))
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, created_at=now,
                            last_seen_at=now, expires_at=now + lifetime,
                            ip_address=ip_address, user_agent=user_agent[:200]))
    session.flush()
    return token


def session_user(session: Session, token: str, *, now: datetime, idle: timedelta,
                 scope: Scope) -> User | None:
    """The active user of a live session: not revoked, inside both the idle and absolute limits,
    placed in `scope` (their role there; none without a membership), all in one query."""
    if not token or len(token) > 100:
        return None
    found = session.execute(
        select(UserSession, PartnershipMember)
        .join(UserSession.user)
        .outerjoin(PartnershipMember, and_(PartnershipMember.user_id == User.id,
                                           PartnershipMember.partnership_id == scope.id))
        .options(contains_eager(UserSession.user), joinedload(PartnershipMember.agency))
        .where(UserSession.token_hash == _hash(token))).first()
    if found is None:
        return None
    row, membership = found
    if (row.revoked_at is not None or row.expires_at <= now
            or row.last_seen_at <= now - idle or not row.user.active):
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row.user.place(scope.id, membership)


def end_session(session: Session, token: str, *, now: datetime) -> None:
    """Revoke the session this cookie names (sign-out)."""
    session.execute(update(UserSession).where(UserSession.token_hash == _hash(token),
                                              UserSession.revoked_at.is_(None))
                    .values(revoked_at=now))


def end_other_session(session: Session, *, user_id: int, session_id: int, now: datetime) -> bool:
    """Revoke one of the user's own sessions; False if it is not theirs or already ended."""
    result = session.execute(update(UserSession).where(
        UserSession.id == session_id, UserSession.user_id == user_id,
        UserSession.revoked_at.is_(None)).values(revoked_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


def end_all_sessions(session: Session, *, user_id: int, now: datetime) -> None:
    """Revoke every session of a user (password changed, account deactivated)."""
    session.execute(update(UserSession).where(UserSession.user_id == user_id,
                                              UserSession.revoked_at.is_(None))
                    .values(revoked_at=now))


def active_sessions(session: Session, *, user_id: int, now: datetime,
                    idle: timedelta) -> list[UserSession]:
    """The user's live sessions, newest first."""
    rows = session.scalars(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None),
        UserSession.expires_at > now, UserSession.last_seen_at > now - idle,
    ).order_by(UserSession.created_at.desc(), UserSession.id.desc()))
    return list(rows)


def is_current(row: UserSession, token: str) -> bool:
    return secrets.compare_digest(row.token_hash, _hash(token))
