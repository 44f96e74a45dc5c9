"""Challenges kept server-side: each is spent on first use and expires after a few minutes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from portal.models import PasskeyChallenge

from ._errors import PasskeyRefused

CHALLENGE_LIFETIME = timedelta(minutes=5)
CHALLENGE_BYTES = 64  # as the WebAuthn library's own generate_challenge(); at least 16 (the spec)
REGISTER, AUTHENTICATE = "register", "authenticate"


def _hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


def issue_challenge(session: Session, *, purpose: str, user_id: int | None, now: datetime,
                    user_handle: str | None = None) -> bytes:
    """A new random challenge for one ceremony (and expired ones forgotten)."""
    session.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at < now))
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    session.add(PasskeyChallenge(challenge_hash=_hash(challenge), purpose=purpose,
                                 user_id=user_id, expires_at=now + CHALLENGE_LIFETIME,
                                 user_handle=user_handle))
    session.flush()
    return challenge


def spend_challenge(session: Session, challenge: bytes, *, purpose: str, user_id: int | None,
                    now: datetime) -> str | None:
    """Delete the challenge; refuse one never issued, spent, expired or issued for another use.
    The user handle a registration's challenge was issued with."""
    spent = session.execute(
        delete(PasskeyChallenge).where(
            PasskeyChallenge.challenge_hash == _hash(challenge),
            PasskeyChallenge.purpose == purpose,
            PasskeyChallenge.user_id.is_(None) if user_id is None
            else PasskeyChallenge.user_id == user_id,
            PasskeyChallenge.expires_at >= now)
        .returning(PasskeyChallenge.user_handle)).first()
    if spent is None:
        raise PasskeyRefused("That passkey request has expired. Try again.")
    return spent.user_handle
