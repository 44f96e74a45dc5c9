"""What the passkey service refuses, in words fit to show."""

from __future__ import annotations

from portal.services.common import ServiceError


class PasskeyRefused(ServiceError):
    """The passkey could not be checked or added (wrong key, stale challenge, not this user)."""


class PasskeyThrottled(PasskeyRefused):
    """Too many failed passkey attempts for this account or address lately."""


NOT_RECOGNISED = "Your passkey was not recognised. Try again, or use another way to sign in."
THROTTLED = ("You have tried to sign in with a passkey too many times. Wait 15 minutes and try "
             "again, or sign in with your password.")
