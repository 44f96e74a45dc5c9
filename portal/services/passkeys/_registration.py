"""Adding a passkey: the options a browser passes to navigator.credentials.create, and the check
of what it sends back."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from webauthn import (
    base64url_to_bytes,
    generate_registration_options,
    options_to_json,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.models import Passkey, User
from portal.services import audit
from portal.services.common import Invalid, Problem

from ._challenges import REGISTER, issue_challenge, spend_challenge
from ._errors import PasskeyRefused
from ._manage import list_passkeys, name_problem
from ._relying_party import RelyingParty

TIMEOUT_MS = 120_000
KNOWN_TRANSPORTS = {"usb", "nfc", "ble", "internal", "hybrid", "smart-card", "cable"}


def user_handle(session: Session, user: User) -> str:
    """The user's WebAuthn handle: the one their passkeys already carry, else a new random one."""
    existing = session.scalar(select(Passkey.user_handle).where(Passkey.user_id == user.id)
                              .limit(1))
    return existing or bytes_to_base64url(secrets.token_bytes(32))


def registration_options(session: Session, user: User, *, rp: RelyingParty,
                         now: datetime) -> tuple[str, bytes]:
    """The JSON for navigator.credentials.create (a discoverable, user-verifying passkey that is
    not one the user already has), and the challenge to keep for the check."""
    handle = user_handle(session, user)
    challenge = issue_challenge(session, purpose=REGISTER, user_id=user.id, now=now,
                                user_handle=handle)
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_name=user.email, user_id=_handle_bytes(handle),
        user_display_name=user.name or user.email, challenge=challenge, timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_handle_bytes(p.credential_id))
                             for p in list_passkeys(session, user.id)])
    return options_to_json(options), challenge


def add_passkey(session: Session, user: User, *, credential: str, challenge: bytes, name: str,
                rp: RelyingParty, now: datetime, ip_address: str | None = None) -> Passkey:
    """Check the browser's answer to the challenge and keep the new passkey (audited)."""
    problem = name_problem(name)
    if problem:
        raise Invalid([Problem("name", problem)])
    handle = spend_challenge(session, challenge, purpose=REGISTER, user_id=user.id, now=now)
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id,
            expected_origin=list(rp.origins), require_user_verification=True)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyRefused("Your passkey could not be added. Try again.") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)):
        raise PasskeyRefused("That passkey has already been added.")
    passkey = Passkey(user_id=user.id, credential_id=credential_id,
                      user_handle=handle or user_handle(session, user),
                      public_key=verified.credential_public_key, sign_count=verified.sign_count,
                      transports=",".join(_transports(credential)), name=name.strip(),
                      created_at=now)
    session.add(passkey)
    session.flush()
    audit.record(session, action="passkey.added", entity_type="passkey", entity_id=passkey.id,
                 user_id=user.id, ip_address=ip_address, name=passkey.name)
    return passkey


def _transports(credential: str) -> list[str]:
    """The transports the browser reported (hints for later sign-ins; never trusted)."""
    try:
        found = json.loads(credential).get("response", {}).get("transports", [])
    except (ValueError, AttributeError):
        return []
    if not isinstance(found, list):
        return []
    return [t for t in found if isinstance(t, str) and t in KNOWN_TRANSPORTS][:6]


def _handle_bytes(value: str) -> bytes:
    return base64url_to_bytes(value)
