"""Second factors: TOTP authenticators (RFC 6238, with pyotp) and single-use recovery codes.

Managers, committee members, moderators (and operators) must have one; agency users may choose
to. A code's time step is remembered so it cannot be used twice, and wrong codes are throttled
like passwords (stored counts, per account)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from portal.models import (
    PartnershipMember,
    Passkey,
    PasskeyChallenge,
    RecoveryCode,
    TotpFactor,
    User,
)
from portal.services import audit, mail
from portal.services.common import Invalid, Refused
from portal.services.mail import Email, render_email

from ._sessions import end_all_sessions
from ._throttle import Policy, clear_attempts, is_blocked, record_attempt
from ._users import LinkSettings

REQUIRED_ROLES = frozenset({"manager", "committee", "moderator", "operator"})
RECOVERY_CODES = 10
STEP_SECONDS = 30
SECOND_FACTOR = Policy("second-factor", limit=5, window=timedelta(minutes=15),
                       base=timedelta(minutes=1), cap=timedelta(minutes=15))
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class SecondFactorThrottled(Refused):
    """Too many wrong codes for this account lately."""


@dataclass(frozen=True)
class Factors:
    """What second factors a user has, for their security page and the manager's user page."""

    totp: bool
    recovery_left: int
    passkeys: int = 0


def must_enrol(role: str) -> bool:
    """The rule by role: these accounts reach every agency's return, so a password is not enough."""
    return role in REQUIRED_ROLES


def _confirmed(session: Session, user_id: int) -> TotpFactor | None:
    return session.scalar(select(TotpFactor).where(TotpFactor.user_id == user_id,
                                                   TotpFactor.confirmed_at.is_not(None)))


def has_factor(session: Session, user_id: int) -> bool:
    """An authenticator app set up, or a passkey added: either is a second factor."""
    return _confirmed(session, user_id) is not None or _passkeys(session, user_id) > 0


def has_totp(session: Session, user_id: int) -> bool:
    return _confirmed(session, user_id) is not None


def _passkeys(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Passkey)
                          .where(Passkey.user_id == user_id)) or 0


def factors_of(session: Session, user_id: int) -> Factors:
    left = session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0
    return Factors(totp=has_totp(session, user_id), recovery_left=left,
                   passkeys=_passkeys(session, user_id))


def pending_secret(session: Session, user: User, *, now: datetime) -> str:
    """The secret being set up (a new one the first time): kept server-side until confirmed."""
    factor = session.scalar(select(TotpFactor).where(TotpFactor.user_id == user.id))
    if factor is not None and factor.confirmed_at is not None:
        raise Refused("You already have an authenticator app set up")
    if factor is None:
        factor = TotpFactor(user_id=user.id, secret=pyotp.random_base32(), created_at=now)
        session.add(factor)
        session.flush()
    return factor.secret


def provisioning_uri(secret: str, *, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The key in groups of four, as people type it from the screen."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def confirm_totp(session: Session, user: User, code: str, *, now: datetime) -> list[str]:
    """Finish setting up with a code from the app: returns the recovery codes (shown once)."""
    factor = session.scalar(select(TotpFactor).where(TotpFactor.user_id == user.id,
                                                     TotpFactor.confirmed_at.is_(None)))
    if factor is None:
        raise Refused("Start setting up your authenticator app again")
    _check_throttle(session, user, now=now)
    step = _matching_step(factor, code, now=now)
    if step is None:
        record_attempt(session, SECOND_FACTOR, str(user.id), now=now)
        raise Invalid.at("code", "Enter the 6-digit code your authenticator app shows now")
    factor.confirmed_at, factor.last_step = now, step
    clear_attempts(session, SECOND_FACTOR, str(user.id))
    audit.record(session, action="mfa.totp_added", entity_type="user", entity_id=user.id,
                 user_id=user.id)
    return _new_recovery_codes(session, user, now=now)


def verify_totp(session: Session, user: User, code: str, *, now: datetime) -> bool:
    """Whether `code` is the user's current code and newer than the last one accepted."""
    factor = _confirmed(session, user.id)
    _check_throttle(session, user, now=now)
    step = _matching_step(factor, code, now=now) if factor else None
    if factor is None or step is None or (factor.last_step is not None
                                          and step <= factor.last_step):
        return _failed(session, user, "mfa.totp_failed", now=now)
    # one statement that only moves forward: two workers given the same code cannot both pass
    moved = session.execute(update(TotpFactor).where(
        TotpFactor.id == factor.id,
        (TotpFactor.last_step.is_(None)) | (TotpFactor.last_step < step)).values(last_step=step))
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return _failed(session, user, "mfa.totp_failed", now=now)
    return _passed(session, user, "mfa.totp_used")


def use_recovery_code(session: Session, user: User, code: str, *, now: datetime) -> bool:
    """Spend one of the user's unused recovery codes, if `code` is one."""
    _check_throttle(session, user, now=now)
    spent = session.execute(update(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
        RecoveryCode.used_at.is_(None)).values(used_at=now))
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        return _failed(session, user, "mfa.recovery_failed", now=now)
    return _passed(session, user, "mfa.recovery_used")


def regenerate_recovery_codes(session: Session, user: User, *, now: datetime) -> list[str]:
    """Ten new codes; every earlier one stops working."""
    if not has_factor(session, user.id):
        raise Refused("Set up an authenticator app first")
    audit.record(session, action="mfa.recovery_regenerated", entity_type="user",
                 entity_id=user.id, user_id=user.id)
    return _new_recovery_codes(session, user, now=now)


def reset_factors(session: Session, user: User, *, by_user: User, now: datetime,
                  links: LinkSettings) -> None:
    """Another manager removes a user's second factors (a lost phone: the authenticator app,
    recovery codes and passkeys): the user sets up a new
    one at their next sign-in. Their sessions end, and they are emailed (through the outbox)."""
    if user.id == by_user.id:
        raise Refused("You cannot reset your own second factor: ask another manager")
    for factor in (TotpFactor, RecoveryCode, Passkey, PasskeyChallenge):
        session.execute(delete(factor).where(factor.user_id == user.id))
    end_all_sessions(session, user_id=user.id, now=now)
    audit.record(session, action="mfa.reset", entity_type="user", entity_id=user.id,
                 user_id=by_user.id)
    mail.queue_email(session, factor_reset_email(user, by_user=by_user,
                                                 partnership=links.partnership,
                                                 help_email=links.help_email),
                     kind="factor_reset", now=now)


def _check_throttle(session: Session, user: User, *, now: datetime) -> None:
    if is_blocked(session, SECOND_FACTOR, str(user.id), now=now):
        raise SecondFactorThrottled("You have entered too many wrong codes. Wait 15 minutes and "
                                    "try again.")


def _matching_step(factor: TotpFactor, code: str, *, now: datetime) -> int | None:
    """The time step (this one or either neighbour, for clocks a little out) `code` is for."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, current = pyotp.TOTP(factor.secret), int(_epoch(now)) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _epoch(now: datetime) -> float:
    """Naive datetimes are UTC throughout the portal."""
    return (now - datetime(1970, 1, 1)).total_seconds()


def _failed(session: Session, user: User, action: str, *, now: datetime) -> bool:
    record_attempt(session, SECOND_FACTOR, str(user.id), now=now)
    audit.record(session, action=action, entity_type="user", entity_id=user.id)
    return False


def _passed(session: Session, user: User, action: str) -> bool:
    clear_attempts(session, SECOND_FACTOR, str(user.id))
    audit.record(session, action=action, entity_type="user", entity_id=user.id, user_id=user.id)
    return True


def _new_recovery_codes(session: Session, user: User, *, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c), created_at=now)
                    for c in codes)
    session.flush()
    return codes


def _recovery_code() -> str:
    """16 characters from a 31-letter alphabet (79 bits), in groups of four."""
    return grouped("".join(secrets.choice(_ALPHABET) for _ in range(16))).replace(" ", "-")


def _hash(code: str) -> str:
    """Case, spaces and hyphens do not matter when typing a recovery code back."""
    plain = "".join(c for c in code.lower() if c.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


def factor_reset_email(user: User, *, by_user: User, partnership: str, help_email: str) -> Email:
    return render_email("factor_reset", to=user.email,
                        subject="Your Compact Audit second factor has been reset",
                        name=user.name, by_name=by_user.name or by_user.email,
                        partnership=partnership, help_email=help_email)


def set_up_known_key(session: Session, secret: str, *, now: datetime) -> int:
    """The demo's staff (every user with a password whose role needs a second factor) get an
    authenticator with a published key: a demo, never production. Returns how many."""
    staff = select(PartnershipMember.user_id).where(PartnershipMember.role.in_(REQUIRED_ROLES))
    users = session.scalars(select(User).where(User.id.in_(staff),
                                               User.password_hash.is_not(None))).all()
    session.add_all(TotpFactor(user_id=u.id, secret=secret, created_at=now, confirmed_at=now)
                    for u in users)
    session.flush()
    return len(users)
