"""Public interface of this capability: import from here, never from its _private modules."""

from __future__ import annotations

from ._constants import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_KEY
from ._generate import GeneratedCycle, generate_partnership
from ._loading import load_demo

__all__ = [
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "DEMO_TOTP_KEY",
    "GeneratedCycle",
    "generate_partnership",
    "load_demo",
]
