"""Passkeys (issue 29): a passkey registered with a real 'none' attestation signs its user in;
challenges are spent on first use and expire; a wrong key, another site, another user's passkey,
an old signature count or a missing user verification are refused, and failures are throttled."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Passkey, Role, User
from portal.services import passkeys
from portal.services.common import Invalid, NotFound
from tests.support import factories
from tests.support.passkeys import SoftAuthenticator

NOW = datetime(2026, 12, 3, 10, 0)
RP = passkeys.RelyingParty.from_base_url("http://localhost:5000", "Anyshire")


def _authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(rp_id="localhost", origin="http://localhost:5000")


def _register(db: Session, user: User, authenticator: SoftAuthenticator,
              name: str = "My laptop") -> Passkey:
    options, challenge = passkeys.registration_options(db, user, rp=RP, now=NOW)
    return passkeys.add_passkey(db, user, credential=authenticator.create(options),
                                challenge=challenge, name=name, rp=RP, now=NOW)


def _sign_in(db: Session, authenticator: SoftAuthenticator, *, user: User | None = None,
             now: datetime = NOW, **kwargs: object) -> User:
    options, challenge = passkeys.authentication_options(db, rp=RP, now=now, user=user)
    return passkeys.verify_passkey(db, credential=authenticator.get(options, **kwargs),
                                   challenge=challenge, rp=RP, now=now, user=user,
                                   ip_address="192.0.2.1")


@pytest.fixture
def member(app: Flask, db: Session) -> User:
    return factories.user(db, Role.COMMITTEE)


def _actions(db: Session) -> list[str]:
    return list(db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_registered_passkey_signs_its_user_in_and_is_audited(db: Session, member: User) -> None:
    authenticator = _authenticator()
    passkey = _register(db, member, authenticator)
    assert (passkey.name, passkey.transport_list, passkey.sign_count) == ("My laptop",
                                                                           ["internal"], 0)
    assert _sign_in(db, authenticator, now=NOW + timedelta(minutes=1)) == member
    assert passkey.sign_count == 1 and passkey.last_used_at == NOW + timedelta(minutes=1)
    assert _actions(db) == ["passkey.added", "passkey.used"]


def test_registration_asks_for_a_discoverable_user_verifying_passkey_not_already_held(
        db: Session, member: User) -> None:
    first = _register(db, member, _authenticator())
    options, _ = passkeys.registration_options(db, member, rp=RP, now=NOW)

    parsed = json.loads(options)
    assert parsed["rp"] == {"id": "localhost", "name": "Anyshire"}
    assert parsed["authenticatorSelection"]["residentKey"] == "required"
    assert parsed["authenticatorSelection"]["userVerification"] == "required"
    assert [c["id"] for c in parsed["excludeCredentials"]] == [first.credential_id]
    assert parsed["user"]["id"] == first.user_handle  # the same handle for every passkey
    assert str(member.id) != parsed["user"]["id"]


def test_a_challenge_is_spent_on_first_use(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    options, challenge = passkeys.authentication_options(db, rp=RP, now=NOW)
    assertion = authenticator.get(options)
    passkeys.verify_passkey(db, credential=assertion, challenge=challenge, rp=RP, now=NOW)
    with pytest.raises(passkeys.PasskeyRefused, match="expired"):
        passkeys.verify_passkey(db, credential=assertion, challenge=challenge, rp=RP, now=NOW)


def test_a_challenge_expires(db: Session, member: User) -> None:
    authenticator = _authenticator()
    options, challenge = passkeys.registration_options(db, member, rp=RP, now=NOW)
    later = NOW + passkeys.CHALLENGE_LIFETIME + timedelta(seconds=1)
    with pytest.raises(passkeys.PasskeyRefused, match="expired"):
        passkeys.add_passkey(db, member, credential=authenticator.create(options),
                             challenge=challenge, name="Phone", rp=RP, now=later)
    assert passkeys.list_passkeys(db, member.id) == []


def test_a_registration_challenge_cannot_sign_in(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    options, challenge = passkeys.registration_options(db, member, rp=RP, now=NOW)
    with pytest.raises(passkeys.PasskeyRefused, match="expired"):
        passkeys.verify_passkey(db, credential=authenticator.get(options), challenge=challenge,
                                rp=RP, now=NOW)


def test_an_unknown_passkey_is_not_recognised(db: Session, member: User) -> None:
    _register(db, member, _authenticator())
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, _authenticator())


def test_a_signature_by_another_key_is_refused(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    impostor = _authenticator()
    impostor.credential_id, impostor.user_handle = (authenticator.credential_id,
                                                    authenticator.user_handle)
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, impostor)


def test_an_assertion_made_for_another_site_is_refused(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    authenticator.origin = "https://localhost.phish.example"
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, authenticator)


def test_registration_for_another_site_is_refused(db: Session, member: User) -> None:
    authenticator = SoftAuthenticator(rp_id="phish.example", origin="https://phish.example")
    with pytest.raises(passkeys.PasskeyRefused, match="could not be added"):
        _register(db, member, authenticator)


def test_a_signature_count_that_did_not_go_up_is_refused(db: Session, member: User) -> None:
    """A cloned authenticator shows a count the portal has already seen."""
    authenticator = _authenticator()
    _register(db, member, authenticator)
    _sign_in(db, authenticator)
    _sign_in(db, authenticator)
    authenticator.sign_count = 1
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, authenticator, count_up=False)


def test_user_verification_is_required(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    authenticator.user_verified = False
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, authenticator)
    with pytest.raises(passkeys.PasskeyRefused, match="could not be added"):
        _register(db, member, authenticator)


def test_as_a_second_factor_only_the_users_own_passkey_counts(db: Session, member: User) -> None:
    other = factories.user(db, Role.MANAGER)
    theirs = _authenticator()
    _register(db, other, theirs)
    mine = _authenticator()
    _register(db, member, mine)
    assert _sign_in(db, mine, user=member) == member
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, theirs, user=member)


def test_a_deactivated_users_passkey_does_not_sign_in(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    member.active = False
    with pytest.raises(passkeys.PasskeyRefused, match="not recognised"):
        _sign_in(db, authenticator)


def test_failed_assertions_are_throttled_like_passwords(db: Session, member: User) -> None:
    authenticator = _authenticator()
    _register(db, member, authenticator)
    impostor = _authenticator()
    impostor.credential_id, impostor.user_handle = (authenticator.credential_id,
                                                    authenticator.user_handle)
    for _ in range(passkeys.PASSKEY_ATTEMPTS.limit):
        with pytest.raises(passkeys.PasskeyRefused):
            _sign_in(db, impostor)
    with pytest.raises(passkeys.PasskeyThrottled):
        _sign_in(db, authenticator)  # even the right passkey waits
    after = NOW + passkeys.PASSKEY_ATTEMPTS.cap + timedelta(seconds=1)
    assert _sign_in(db, authenticator, now=after) == member


def test_a_name_is_required_and_bounded(db: Session, member: User) -> None:
    for name, message in (("  ", "Enter a name"), ("x" * 101, "100 characters or fewer"),
                          ("Phone\x00", "control characters")):
        with pytest.raises(Invalid, match=message):
            _register(db, member, _authenticator(), name=name)
    assert passkeys.list_passkeys(db, member.id) == []


def test_rename_and_remove_only_ones_own_passkeys(db: Session, member: User) -> None:
    passkey = _register(db, member, _authenticator())
    other = factories.user(db, Role.MANAGER)
    with pytest.raises(NotFound):
        passkeys.remove_passkey(db, user_id=other.id, passkey_id=passkey.id, now=NOW)
    passkeys.rename_passkey(db, user_id=member.id, passkey_id=passkey.id, name=" Work phone ")
    assert passkey.name == "Work phone"
    assert passkeys.remove_passkey(db, user_id=member.id, passkey_id=passkey.id,
                                   now=NOW) == "Work phone"
    assert not passkeys.has_passkey(db, member.id)
    assert _actions(db) == ["passkey.added", "passkey.removed"]


@pytest.mark.no_database
def test_the_relying_party_comes_from_the_base_url_or_its_overrides() -> None:
    config = {"SERVER_NAME_FOR_LINKS": "https://audit.anyshire.example.org",
              "PARTNERSHIP_NAME": "Anyshire"}
    derived = passkeys.RelyingParty.from_config(config)
    assert (derived.id, derived.origins) == ("audit.anyshire.example.org",
                                             ("https://audit.anyshire.example.org",))
    local = passkeys.RelyingParty.from_config(
        config | {"PASSKEY_RP_ID": "localhost", "PASSKEY_ORIGIN": "http://localhost:8123"})
    assert (local.id, local.origins) == ("localhost", ("http://localhost:8123",))
