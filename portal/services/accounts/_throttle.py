"""Attempt counters in the database, so every worker and instance sees the same count."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portal.models import Throttle


@dataclass(frozen=True)
class Policy:
    """`limit` attempts in `window`, then blocked for `base`, doubling per attempt up to `cap`."""

    name: str
    limit: int
    window: timedelta
    base: timedelta
    cap: timedelta


SIGN_IN = Policy("sign-in", limit=5, window=timedelta(minutes=15), base=timedelta(minutes=1),
                 cap=timedelta(minutes=15))
FORGET_AFTER = timedelta(days=1)  # longer than every policy's window
PASSWORD_RESET = Policy("reset", limit=3, window=timedelta(hours=1), base=timedelta(hours=1),
                        cap=timedelta(hours=1))


def throttle_key(policy: Policy, subject: str) -> str:
    """A hash of the policy and the (lower-cased) subject: no email addresses are stored."""
    return hashlib.sha256(f"{policy.name}:{subject.strip().lower()}".encode()).hexdigest()


def is_blocked(session: Session, policy: Policy, subject: str, *, now: datetime) -> bool:
    blocked_until = session.scalar(select(Throttle.blocked_until).where(
        Throttle.key == throttle_key(policy, subject)))
    return blocked_until is not None and blocked_until > now


def record_attempt(session: Session, policy: Policy, subject: str, *, now: datetime) -> None:
    """Count an attempt (a failed sign-in, a reset request) and block when over the limit."""
    key = throttle_key(policy, subject)
    session.execute(delete(Throttle).where(  # counters long out of their window: forget them
        Throttle.window_started_at < now - FORGET_AFTER,
        or_(Throttle.blocked_until.is_(None), Throttle.blocked_until < now)))
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Throttle).values(key=key, failures=0, window_started_at=now)
                    .on_conflict_do_nothing(index_elements=["key"]))
    stale = Throttle.window_started_at < now - policy.window
    count = session.execute(
        update(Throttle).where(Throttle.key == key)
        .values(failures=case((stale, 1), else_=Throttle.failures + 1),
                window_started_at=case((stale, now), else_=Throttle.window_started_at))
        .returning(Throttle.failures)
    ).scalar_one()  # one atomic statement: concurrent workers each add their own attempt
    if count >= policy.limit:
        block = min(policy.base * 2 ** min(count - policy.limit, 16), policy.cap)
        session.execute(update(Throttle).where(Throttle.key == key)
                        .values(blocked_until=now + block))


def clear_attempts(session: Session, policy: Policy, subject: str) -> None:
    session.execute(update(Throttle).where(Throttle.key == throttle_key(policy, subject))
                    .values(failures=0, blocked_until=None))

