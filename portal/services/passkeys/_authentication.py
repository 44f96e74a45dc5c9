"""Signing in with a passkey: the options for navigator.credentials.get, and the check of the
assertion the browser sends back (throttled like passwords)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    options_to_json,
    verify_authentication_response,
)
from webauthn.helpers import parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticationCredential,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    UserVerificationRequirement,
)

from portal.models import Passkey, User
from portal.services import accounts, audit

from ._challenges import AUTHENTICATE, issue_challenge, spend_challenge
from ._errors import NOT_RECOGNISED, THROTTLED, PasskeyRefused, PasskeyThrottled
from ._manage import list_passkeys
from ._registration import TIMEOUT_MS
from ._relying_party import RelyingParty

# As many tries as a password (accounts' sign-in policy), counted apart from it.
PASSKEY_ATTEMPTS = accounts.Policy("passkey", limit=5, window=timedelta(minutes=15),
                                   base=timedelta(minutes=1), cap=timedelta(minutes=15))


def authentication_options(session: Session, *, rp: RelyingParty, now: datetime,
                           user: User | None = None) -> tuple[str, bytes]:
    """The JSON for navigator.credentials.get and its challenge. Without a user, any passkey of
    this site may answer (the authenticator says whose it is); with one, only theirs."""
    challenge = issue_challenge(session, purpose=AUTHENTICATE,
                                user_id=user.id if user else None, now=now)
    allowed = [] if user is None else [_descriptor(p) for p in list_passkeys(session, user.id)]
    options = generate_authentication_options(
        rp_id=rp.id, challenge=challenge, timeout=TIMEOUT_MS, allow_credentials=allowed,
        user_verification=UserVerificationRequirement.REQUIRED)
    return options_to_json(options), challenge


def verify_passkey(session: Session, *, credential: str, challenge: bytes, rp: RelyingParty,
                   now: datetime, user: User | None = None,
                   ip_address: str | None = None) -> User:
    """The active user whose passkey signed the challenge with user verification (audited as
    passkey.used): a sign-in. With `user`, a second factor: it must be one of theirs. Refusals
    count against the account (or, for an unknown passkey, the address) and block after as
    many as a password's."""
    parsed = _parse(credential)
    passkey = session.scalar(select(Passkey).where(Passkey.credential_id == parsed.id))
    subject = _subject(passkey.user_id if passkey else user.id if user else None, ip_address)
    if accounts.is_blocked(session, PASSKEY_ATTEMPTS, subject, now=now):
        raise PasskeyThrottled(THROTTLED)
    spend_challenge(session, challenge, purpose=AUTHENTICATE,
                    user_id=user.id if user else None, now=now)
    if passkey is None or not _belongs(passkey, parsed, user) or not _verified(
            passkey, parsed, challenge, rp):
        accounts.record_attempt(session, PASSKEY_ATTEMPTS, subject, now=now)
        raise PasskeyRefused(NOT_RECOGNISED)
    accounts.clear_attempts(session, PASSKEY_ATTEMPTS, subject)
    passkey.last_used_at = now
    if user is None:  # a sign-in with the passkey alone (else the second step of one)
        passkey.user.last_sign_in_at = now
    audit.record(session, action="passkey.used", entity_type="passkey", entity_id=passkey.id,
                 user_id=passkey.user_id, ip_address=ip_address, name=passkey.name)
    return passkey.user


def _parse(credential: str) -> AuthenticationCredential:
    try:
        return parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused(NOT_RECOGNISED) from exc


def _subject(user_id: int | None, ip_address: str | None) -> str:
    return f"user:{user_id}" if user_id is not None else f"address:{ip_address or 'unknown'}"


def _belongs(passkey: Passkey, parsed: AuthenticationCredential, user: User | None) -> bool:
    """The passkey is the expected user's (if one is expected), the handle the authenticator
    returned (if any) is its own, and its owner may still sign in."""
    handle = parsed.response.user_handle
    if handle is not None and handle != base64url_to_bytes(passkey.user_handle):
        return False
    return (user is None or passkey.user_id == user.id) and passkey.user.active


def _verified(passkey: Passkey, parsed: AuthenticationCredential, challenge: bytes,
              rp: RelyingParty) -> bool:
    """The signature checks out for this site with user verification, and the signature
    counter went up (or the authenticator keeps none): a cloned key shows an old count."""
    try:
        result = verify_authentication_response(
            credential=parsed, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=list(rp.origins), credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count, require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return False
    passkey.sign_count = result.new_sign_count
    return True


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transport_list
                  if t in AuthenticatorTransport._value2member_map_]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(passkey.credential_id),
                                         transports=transports or None)
