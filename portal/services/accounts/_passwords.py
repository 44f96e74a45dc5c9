"""Password hashing (argon2id) and time-limited set-password links."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 12


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, confirm: str | None = None) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if confirm is not None and password != confirm:
        return "Passwords do not match"
    return None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="set-password")


def make_password_token(secret_key: str, *, user_id: int, generation: int) -> str:
    return _serializer(secret_key).dumps({"u": user_id, "g": generation})


def read_password_token(
    secret_key: str, token: str, *, max_age_hours: int
) -> tuple[int, int] | None:
    """(user id, session generation) from a valid, unexpired token, else None."""
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_hours * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict) or "u" not in data or "g" not in data:
        return None
    return int(data["u"]), int(data["g"])
