"""Passkeys (WebAuthn credentials) and the one-use challenges issued for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.user import User


class Passkey(Base):
    """One authenticator's key pair for one user: only its public key is held here."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)  # base64url
    # The WebAuthn user handle (base64url of random bytes) the authenticator returns on a
    # passkey sign-in: the same for every passkey of one user, and never their id or email.
    user_handle: Mapped[str] = mapped_column(String(100), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)  # COSE-encoded
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    transports: Mapped[str] = mapped_column(String(200), default="")  # comma-separated
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship()

    @property
    def transport_list(self) -> list[str]:
        return [t for t in self.transports.split(",") if t]


class PasskeyChallenge(Base):
    """A challenge handed to a browser: spent on first use, refused after it expires."""

    __tablename__ = "passkey_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256, hex
    purpose: Mapped[str] = mapped_column(String(20))  # "register" or "authenticate"
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, default=None)
    expires_at: Mapped[datetime] = mapped_column()
    # a registration's: the user handle the new passkey was given (base64url)
    user_handle: Mapped[str | None] = mapped_column(String(100), default=None)
