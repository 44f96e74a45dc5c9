"""Second factors (issue 29): TOTP set-up and codes (never twice), recovery codes that work once,
throttled attempts, and a manager resetting another user's factors."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, OutboxMessage, RecoveryCode, Role, TotpFactor, UserSession
from portal.services import accounts
from portal.services.common import Invalid, Refused
from tests.support import factories

NOW = datetime(2026, 12, 3, 9, 0, 0)
LINKS = accounts.LinkSettings(secret_key="k" * 40, base_url="http://portal.test", hours=24,
                              partnership="Anyshire Safeguarding Children Partnership",
                              help_email="help@anyshire.example.org")


def _at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(int((when - datetime(1970, 1, 1)).total_seconds()))


def _enrolled(db: Session, role: Role = Role.MANAGER) -> tuple[object, str, list[str]]:
    user = factories.user(db, role)
    secret = accounts.pending_secret(db, user, now=NOW)
    codes = accounts.confirm_totp(db, user, _at(secret, NOW), now=NOW)
    return user, secret, codes


@pytest.mark.no_database
@pytest.mark.parametrize(("role", "required"), [("manager", True), ("committee", True),
                                                ("moderator", True), ("operator", True),
                                                ("agency", False)])
def test_staff_roles_must_set_up_a_second_factor_and_agency_users_may(role: str,
                                                                      required: bool) -> None:
    assert accounts.must_enrol(role) is required


def test_setting_up_needs_a_right_code_and_gives_ten_recovery_codes_stored_hashed(
        db: Session) -> None:
    user = factories.user(db, Role.MANAGER)
    secret = accounts.pending_secret(db, user, now=NOW)
    assert accounts.pending_secret(db, user, now=NOW) == secret  # the same key until confirmed
    with pytest.raises(Invalid):
        accounts.confirm_totp(db, user, _at(secret, NOW + timedelta(minutes=5)), now=NOW)
    assert not accounts.has_factor(db, user.id)
    codes = accounts.confirm_totp(db, user, _at(secret, NOW), now=NOW)
    assert len(codes) == len(set(codes)) == 10
    stored = db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id))
    assert not set(stored) & set(codes)
    assert accounts.factors_of(db, user.id) == accounts.Factors(totp=True, recovery_left=10)
    with pytest.raises(Refused):
        accounts.pending_secret(db, user, now=NOW)  # one app at a time


def test_a_code_is_accepted_once_and_no_earlier_code_after_it(db: Session) -> None:
    user, secret, _ = _enrolled(db)
    later = NOW + timedelta(minutes=2)
    assert accounts.verify_totp(db, user, _at(secret, later), now=later)
    assert not accounts.verify_totp(db, user, _at(secret, later), now=later)  # replayed
    earlier = later - timedelta(seconds=30)  # still within the clock drift allowed
    assert not accounts.verify_totp(db, user, _at(secret, earlier), now=later)
    assert accounts.verify_totp(db, user, _at(secret, later + timedelta(seconds=30)), now=later)
    assert not accounts.verify_totp(db, user, "12345", now=later)


def test_the_enrolment_code_cannot_be_used_again_to_sign_in(db: Session) -> None:
    user, secret, _ = _enrolled(db)
    assert not accounts.verify_totp(db, user, _at(secret, NOW), now=NOW)


def test_a_recovery_code_works_once_and_new_codes_replace_the_old(db: Session) -> None:
    user, _, codes = _enrolled(db)
    assert accounts.use_recovery_code(db, user, codes[0].upper().replace("-", " "), now=NOW)
    assert not accounts.use_recovery_code(db, user, codes[0], now=NOW)
    assert accounts.factors_of(db, user.id).recovery_left == 9
    fresh = accounts.regenerate_recovery_codes(db, user, now=NOW)
    assert not accounts.use_recovery_code(db, user, codes[1], now=NOW)
    assert accounts.use_recovery_code(db, user, fresh[0], now=NOW)


def test_wrong_codes_are_throttled_like_passwords(db: Session) -> None:
    user, secret, _ = _enrolled(db)
    later = NOW + timedelta(minutes=1)
    for _ in range(5):
        assert not accounts.verify_totp(db, user, "000000", now=later)
    with pytest.raises(accounts.SecondFactorThrottled):
        accounts.verify_totp(db, user, _at(secret, later), now=later)
    with pytest.raises(accounts.SecondFactorThrottled):
        accounts.use_recovery_code(db, user, "abcd-efgh-jkmn-pqrs", now=later)
    after = later + timedelta(minutes=20)
    assert accounts.verify_totp(db, user, _at(secret, after), now=after)


def test_another_manager_resets_a_users_factors_audited_and_emailed(db: Session) -> None:
    user, _, _ = _enrolled(db, Role.COMMITTEE)
    manager = factories.user(db, Role.MANAGER)
    accounts.start_session(db, user, now=NOW, lifetime=timedelta(hours=12))
    accounts.reset_factors(db, user, by_user=manager, now=NOW, links=LINKS)
    db.flush()
    assert db.scalar(select(TotpFactor).where(TotpFactor.user_id == user.id)) is None
    assert db.scalar(select(RecoveryCode).where(RecoveryCode.user_id == user.id)) is None
    assert db.scalar(select(UserSession.revoked_at).where(UserSession.user_id == user.id))
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "mfa.reset"))
    assert event is not None and (event.entity_id, event.user_id) == (user.id, manager.id)
    message = db.scalar(select(OutboxMessage).where(OutboxMessage.kind == "factor_reset"))
    assert message is not None and message.to_address == user.email
    assert "reset the second factor" in message.body_text


def test_a_manager_cannot_reset_their_own_factors(db: Session) -> None:
    manager, _, _ = _enrolled(db)
    with pytest.raises(Refused):
        accounts.reset_factors(db, manager, by_user=manager, now=NOW, links=LINKS)
    assert accounts.has_factor(db, manager.id)
