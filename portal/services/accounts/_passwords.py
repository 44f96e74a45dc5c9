"""Password hashing (argon2id) and time-limited set-password links."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ._guessable import context_words, is_common, is_email_address, made_of, squashed

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_LENGTH = 12
MAX_LENGTH = 200  # zxcvbn and argon2 both slow down on very long input
ADVICE = "Choose a password that is harder to guess, like three or four unrelated words."
MIN_SCORE = 3  # zxcvbn: "safely unguessable: moderate protection from offline slow-hash attacks"


@cache
def _dummy_hash() -> str:
    return _hasher.hash("not anybody's password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; as slow when there is no hash, so timing says nothing."""
    if not password_hash:
        _check(_dummy_hash(), password)
        return False
    return _check(password_hash, password)


def _check(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, confirm: str | None = None,
                     user_inputs: Sequence[str] = (), *, partnership: str = "",
                     year: int | None = None) -> str | None:
    """Why a new password is unacceptable, or None (NCSC: length and guessability, no rules).

    Guessable: a commonly used or breached password (with or without digits and punctuation
    on the end), an email address, or few enough guesses for zxcvbn given the user's names,
    the partnership's and the portal's names, this service's words and the year."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if confirm is not None and password != confirm:
        return "Passwords do not match"
    if is_email_address(password):
        return f"{ADVICE} An email address is one of the first things tried."
    if is_common(password):
        return f"{ADVICE} This is a commonly used password."
    context = context_words(user_inputs, partnership=partnership, year=year or 0)
    if made_of(password, context):
        return (f"{ADVICE} This one is made of names and words anybody would try first here, "
                "like the partnership's name, your own or the year.")
    return _zxcvbn_problem(password, context)


def _zxcvbn_problem(password: str, context: Sequence[str]) -> str | None:
    from zxcvbn import zxcvbn  # lazily: its dictionaries load only when a password is chosen

    # Spaces cost zxcvbn's guesser nothing here: "anyshire audit" is as weak as "anyshireaudit".
    results = [zxcvbn(form, user_inputs=list(context)) for form in (password, squashed(password))
               if form]
    result = min(results, key=lambda found: found["score"])
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])]
    advice = " ".join(h.strip().rstrip(".") + "." for h in hints if h and h.strip())
    return f"{ADVICE} {advice}".strip()


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
