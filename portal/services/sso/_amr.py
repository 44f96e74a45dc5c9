"""The provider's `amr` claim (RFC 8176): does it show that the person proved more than one
factor? Then the portal does not ask for its own second factor."""

from __future__ import annotations

from typing import Any

# RFC 8176's methods by the kind of factor they prove.
KNOWLEDGE = frozenset({"pwd", "pin", "kba"})
POSSESSION = frozenset({"otp", "hwk", "swk", "sms", "tel", "sc", "pop"})
INHERENCE = frozenset({"fpt", "face", "iris", "retina", "vbm", "bio", "user"})
KINDS = (KNOWLEDGE, POSSESSION, INHERENCE)


def amr_methods(claim: Any) -> list[str]:
    """The claim as a list of method names (a provider may send one string, or nothing)."""
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list | tuple):
        return [m for m in claim if isinstance(m, str)]
    return []


def shows_multi_factor(claim: Any) -> bool:
    """True when the provider says "mfa", or names methods of two different kinds (a password
    and a one-time code, a key or a fingerprint). Two of one kind (two passwords) are one factor."""
    methods = set(amr_methods(claim))
    if "mfa" in methods:
        return True
    return sum(1 for kind in KINDS if methods & kind) >= 2
