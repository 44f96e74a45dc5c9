"""Public interface of this capability: import from here, never from its _private modules.

Passkeys (WebAuthn) as a phishing-resistant factor: add, list, rename and remove them, and sign
in with one. Challenges are kept server-side, spent on first use and short-lived."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._challenges import CHALLENGE_LIFETIME
from ._errors import PasskeyRefused, PasskeyThrottled
from ._manage import get_passkey, has_passkey, list_passkeys, remove_passkey, rename_passkey
from ._relying_party import RelyingParty

if TYPE_CHECKING:
    from ._authentication import PASSKEY_ATTEMPTS, authentication_options, verify_passkey
    from ._registration import add_passkey, registration_options

# The ceremonies need the WebAuthn library (about a fifth of a second to import): they are loaded
# on first use, so that the app, its commands and its workers start without it.
_CEREMONIES = {"PASSKEY_ATTEMPTS": "._authentication", "authentication_options": "._authentication",
               "verify_passkey": "._authentication", "add_passkey": "._registration",
               "registration_options": "._registration"}


def __getattr__(name: str) -> Any:
    if name not in _CEREMONIES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_CEREMONIES[name], __name__), name)
    globals()[name] = value
    return value

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
