"""Second factors: a user's TOTP authenticator and their single-use recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class TotpFactor(Base):
    """One authenticator app per user. `confirmed_at` is None while it is being set up.

    The shared secret must be readable to check codes, so it is stored as it is (base32), like
    the rest of the database protected by who may reach the database and its backups; it is
    shown only while setting up and never logged. `last_step` is the time step of the last code
    accepted: a code for that step or an earlier one is refused (no replays)."""

    __tablename__ = "mfa_totp_factors"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_step: Mapped[int | None] = mapped_column(BigInteger, default=None)


class RecoveryCode(Base):
    """A single-use code for when the authenticator is lost: only its SHA-256 is stored (each
    code is 80 random bits, so a plain hash cannot be reversed by guessing)."""

    __tablename__ = "mfa_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
