"""Public interface of this capability: import from here, never from its _private modules.

Passkeys (WebAuthn) as a phishing-resistant factor: add, list, rename and remove them, and sign
in with one. Challenges are kept server-side, spent on first use and short-lived."""

from __future__ import annotations

from ._authentication import PASSKEY_ATTEMPTS, authentication_options, verify_passkey
from ._challenges import CHALLENGE_LIFETIME
from ._errors import PasskeyRefused, PasskeyThrottled
from ._manage import get_passkey, has_passkey, list_passkeys, remove_passkey, rename_passkey
from ._registration import add_passkey, registration_options
from ._relying_party import RelyingParty

__all__ = [
    "CHALLENGE_LIFETIME",
    "PASSKEY_ATTEMPTS",
    "PasskeyRefused",
    "PasskeyThrottled",
    "RelyingParty",
    "add_passkey",
    "authentication_options",
    "get_passkey",
    "has_passkey",
    "list_passkeys",
    "registration_options",
    "remove_passkey",
    "rename_passkey",
    "verify_passkey",
]
